from pathlib import Path

import pytest

from accounts.roles import CASE_MANAGEMENT, COORDINATION
from tests.conftest import make_staff
from tests.factories import coesfeld

DOCS = Path(__file__).resolve().parents[2] / "docs" / "import"


@pytest.fixture
def client_file() -> bytes:
    return (DOCS / "klientinnen-beispiel.csv").read_bytes()


@pytest.fixture
def actor_file() -> bytes:
    return (DOCS / "akteure-beispiel.csv").read_bytes()


@pytest.fixture
def nord_coordinator(db):
    return make_staff(COORDINATION, region_names=("Nord",), username="koordination-nord")


@pytest.fixture
def sued_case_manager(db):
    return make_staff(CASE_MANAGEMENT, region_names=("Süd",), username="cm-sued")


@pytest.fixture
def district(db):
    return coesfeld()


@pytest.fixture(autouse=True)
def _private_upload_dir(settings, tmp_path):
    """Uploaded files kept between dry run and import go to a directory of this test."""
    settings.KIM_IMPORT_TMP_DIR = tmp_path / "imports"
