import pytest

from casework.models import Actor, LegalFramework
from regions.models import Municipality
from tests.factories import ActorFactory, CaseFactory, ClientFactory, topic


def case_in(name: str, **kwargs):
    """A case of a client living in the named municipality of Kreis Coesfeld."""
    return CaseFactory(client=ClientFactory(municipality=Municipality.objects.get(name=name)), **kwargs)


@pytest.fixture
def jobcenter(db) -> Actor:
    return ActorFactory(name="Jobcenter Kreis Coesfeld")


@pytest.fixture
def sgb2(db) -> LegalFramework:
    return LegalFramework.objects.get(code="sgb-ii")


@pytest.fixture
def language(db):
    return topic("Sprache")
