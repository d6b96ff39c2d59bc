"""Documents through the storage API, and no file without its row (issue 18).

A file is written before its row commits. An exception inside the transaction removes it at
once; a killed process or a transaction rolled back around the service leaves it, and the
sweep removes it once it is older than a day.
"""

import os
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, transaction

from casework import services
from casework.documents import document_storage, sweep_orphan_documents
from casework.models import Document
from tests.factories import CaseFactory

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def own_documents_folder(tmp_path, monkeypatch):
    """A folder of its own for each test: other tests leave files behind (their rows rolled
    back with the test), which the sweep would rightly count as orphans."""
    storage = document_storage()
    monkeypatch.setattr(storage, "_location", str(tmp_path / "documents"))
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)
    yield
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)


def _files() -> set[str]:
    root = Path(document_storage().path(""))
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def _age(name: str, days: float) -> None:
    path = document_storage().path(name)
    then = time.time() - days * 86400
    os.utime(path, (then, then))


class Interrupted(Exception):
    pass


@pytest.mark.django_db
def test_a_failure_inside_the_transaction_after_the_write_removes_the_file(monkeypatch):
    case = CaseFactory()
    before = _files()

    def fail_after_the_write(**kwargs):
        # The file is stored and the row inserted; the audit entry fails before the commit.
        assert _files() - before
        raise Interrupted

    monkeypatch.setattr(services, "audit_record", fail_after_the_write)
    with pytest.raises(Interrupted):
        services.document_upload(case=case, by=None, title="Bescheid", file=ContentFile(PDF, name="b.pdf"))
    assert not Document.objects.exists()
    assert _files() == before


@pytest.mark.django_db
def test_an_enclosing_rollback_leaves_an_orphan_that_the_sweep_removes_after_a_day():
    case = CaseFactory()
    kept = services.document_upload(case=case, by=None, title="bleibt", file=ContentFile(PDF, name="a.pdf"))
    before = _files()
    with pytest.raises(Interrupted), transaction.atomic():
        services.document_upload(case=case, by=None, title="weg", file=ContentFile(PDF, name="b.pdf"))
        raise Interrupted
    (orphan,) = _files() - before
    _age(kept.file.name, 3)

    young = sweep_orphan_documents()
    assert young.removed == [] and young.young_orphans == 1
    assert orphan in _files()

    _age(orphan, 1.5)
    report = sweep_orphan_documents()
    assert report.removed == [orphan]
    assert orphan not in _files()
    assert kept.file.name in _files()
    assert Document.objects.get().file.read() == PDF


@pytest.mark.django_db
def test_the_command_reports_and_the_dry_run_removes_nothing():
    case = CaseFactory()
    before = _files()
    with pytest.raises(Interrupted), transaction.atomic():
        services.document_upload(case=case, by=None, title="weg", file=ContentFile(PDF, name="b.pdf"))
        raise Interrupted
    (orphan,) = _files() - before
    _age(orphan, 2)
    out = StringIO()
    call_command("sweep_documents", "--dry-run", stdout=out)
    assert f"würde entfernen: {orphan}" in out.getvalue()
    assert orphan in _files()
    out = StringIO()
    call_command("sweep_documents", stdout=out)
    assert f"entfernt: {orphan}" in out.getvalue()
    assert orphan not in _files()


@pytest.mark.django_db(transaction=True)
def test_an_upload_killed_with_sigkill_before_its_commit_leaves_nothing_after_the_sweep():
    """A real process, killed (SIGKILL) while its transaction is open after the file was written."""
    if connection.vendor != "postgresql":
        pytest.skip("the second process needs the test database on a server")
    case = CaseFactory()
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    if db.get("PASSWORD"):
        url = url.replace("@", f":{db['PASSWORD']}@", 1)
    script = (
        "import time, django; django.setup()\n"
        "from django.core.files.base import ContentFile\n"
        "from django.db import transaction\n"
        "from casework import services\n"
        "from casework.models import Case\n"
        "with transaction.atomic():\n"
        f"    services.document_upload(case=Case.objects.get(pk={case.pk}), by=None, title='x',"
        f" file=ContentFile({PDF!r}, name='b.pdf'))\n"
        "    from django.db import connection\n"
        "    print('written', connection.connection.info.backend_pid, flush=True)\n"
        "    time.sleep(600)\n"
    )
    before = _files()
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kim.settings",
            "DATABASE_URL": url,
            "PRIVATE_MEDIA_ROOT": str(document_storage().location),
            "SECRET_KEY": "sweep-test",
            "DEBUG": "true",
        },
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        written, backend_pid = process.stdout.readline().split()
        assert written == "written"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    # The killed process's server backend ends when it notices; the test database can only be
    # dropped after that.
    with connection.cursor() as cursor:
        for _ in range(100):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [int(backend_pid)])
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.1)
    (orphan,) = _files() - before
    assert not Document.objects.exists()
    _age(orphan, 2)
    assert sweep_orphan_documents().removed == [orphan]
    assert _files() == before


def _documents_storage_setting(**env) -> dict:
    code = "import json; from django.conf import settings; print(json.dumps(settings.STORAGES['documents']))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "kim.settings", "SECRET_KEY": "x", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout)


def test_documents_go_to_the_private_media_folder_by_default(tmp_path):
    setting = _documents_storage_setting(PRIVATE_MEDIA_ROOT=str(tmp_path))
    assert setting["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert setting["OPTIONS"]["location"] == str(tmp_path)


def test_an_s3_compatible_store_is_configured_from_the_environment():
    setting = _documents_storage_setting(
        KIM_DOCUMENT_STORAGE="s3",
        KIM_S3_BUCKET="kim-dokumente",
        KIM_S3_ENDPOINT_URL="https://s3.kreis.example",
        KIM_S3_ACCESS_KEY_ID="id",
        KIM_S3_SECRET_ACCESS_KEY="secret",
    )
    assert setting["BACKEND"] == "storages.backends.s3.S3Storage"
    options = setting["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"]) == ("kim-dokumente", "https://s3.kreis.example")
    # Never public, never overwritten.
    assert options["default_acl"] is None and options["file_overwrite"] is False
