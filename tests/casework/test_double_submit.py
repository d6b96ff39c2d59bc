"""Double submits (a double click, a reload after POST) create one row, not two."""

import uuid

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.roles import COORDINATION
from casework.models import Actor, ActorType, Case, Client, Contact, FollowUp, Goal, SubmitToken
from regions.models import Municipality
from tests.conftest import make_staff
from tests.factories import CaseFactory, ClientFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
ALREADY_SAVED = "Bereits gespeichert."


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def cm_client(client, case_manager):
    client.force_login(case_manager)
    return client


@pytest.fixture
def case(case_manager):
    return CaseFactory(case_manager=case_manager)


def test_the_case_page_gives_each_create_form_a_token(cm_client, case):
    url = reverse("cases:detail", args=[case.pk])
    page = cm_client.get(url).content.decode()
    # The forms open on request: in the page with ?eingabe=…, or fetched as a fragment.
    panels = {
        "contact": "kontakt",
        "goal": "ziel",
        "follow_up": "wiedervorlage",
        "document": "dokument",
        "referral": "vermittlung",
        "consent": "einwilligung",
    }
    for prefix, panel in panels.items():
        assert f'name="{prefix}-submit_token"' not in page
        opened = cm_client.get(url, {"eingabe": panel}).content.decode()
        assert f'name="{prefix}-submit_token"' in opened
        fragment = cm_client.get(reverse("cases:panel", args=[case.pk, panel])).content.decode()
        assert f'name="{prefix}-submit_token"' in fragment


def test_posting_the_same_contact_twice_creates_one_contact(cm_client, case):
    url = reverse("cases:add_contact", args=[case.pk])
    data = {
        "contact-contacted_on": TODAY.isoformat(),
        "contact-channel": "phone",
        "contact-duration_minutes": 20,
        "contact-note": "Termin beim Jobcenter besprochen.",
        "contact-submit_token": str(uuid.uuid4()),
    }
    first = cm_client.post(url, data)
    second = cm_client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == case.get_absolute_url() + "#panel-contact"
    assert Contact.objects.filter(case=case).count() == 1
    assert ALREADY_SAVED in messages_of(second)
    # A new form (a new token) is a new contact.
    cm_client.post(url, {**data, "contact-submit_token": str(uuid.uuid4())})
    assert Contact.objects.filter(case=case).count() == 2


@pytest.mark.parametrize(
    ("url_name", "data", "model"),
    [
        ("cases:add_goal", {"goal-title": "Deutschkurs B1"}, Goal),
        (
            "cases:add_follow_up",
            {"follow_up-title": "Bescheid prüfen", "follow_up-due_on": "2099-01-01"},
            FollowUp,
        ),
    ],
)
def test_other_case_entries_are_created_once(cm_client, case, url_name, data, model):
    prefix = next(iter(data)).split("-")[0]
    data = {**data, f"{prefix}-submit_token": str(uuid.uuid4())}
    for _ in range(2):
        assert cm_client.post(reverse(url_name, args=[case.pk]), data).status_code == 302
    assert model.objects.filter(case=case).count() == 1


def test_an_invalid_post_does_not_use_up_the_token(cm_client, case):
    url = reverse("cases:add_contact", args=[case.pk])
    token = str(uuid.uuid4())
    invalid = {
        "contact-contacted_on": TODAY.isoformat(),
        "contact-channel": "phone",
        "contact-submit_token": token,
    }
    assert cm_client.post(url, invalid).status_code == 200
    assert not SubmitToken.objects.exists()
    assert cm_client.post(url, {**invalid, "contact-duration_minutes": 15}).status_code == 302
    assert Contact.objects.filter(case=case).count() == 1


def test_quick_contact_twice_is_one_contact(cm_client, case):
    data = {
        "quick-case": case.pk,
        "quick-contacted_on": TODAY.isoformat(),
        "quick-channel": "phone",
        "quick-duration_minutes": 10,
        "quick-submit_token": str(uuid.uuid4()),
    }
    for _ in range(2):
        assert cm_client.post(reverse("quick_contact"), data).status_code == 302
    assert Contact.objects.filter(case=case).count() == 1


def test_registering_a_client_twice_creates_one_and_leads_to_it(cm_client):
    data = {
        "first_name": "Amina",
        "last_name": "Haddad",
        "gender": "f",
        "residence_status": "unclear",
        "municipality": Municipality.objects.get(name="Coesfeld").pk,
        "submit_token": str(uuid.uuid4()),
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
    }
    first = cm_client.post(reverse("clients:create"), data)
    second = cm_client.post(reverse("clients:create"), data)
    assert Client.objects.filter(last_name="Haddad").count() == 1
    assert first.status_code == second.status_code == 302
    assert (
        second["Location"]
        == first["Location"]
        == reverse("clients:detail", args=[Client.objects.get(last_name="Haddad").pk])
    )
    assert ALREADY_SAVED in messages_of(second)


def test_opening_a_case_twice_opens_one(cm_client, case_manager):
    person = ClientFactory()
    data = {
        "case-municipality": person.municipality_id,
        "case-case_manager": case_manager.pk,
        "case-opened_on": TODAY.isoformat(),
        "case-submit_token": str(uuid.uuid4()),
    }
    first = cm_client.post(reverse("clients:open_case", args=[person.pk]), data)
    second = cm_client.post(reverse("clients:open_case", args=[person.pk]), data)
    assert Case.objects.filter(client=person).count() == 1
    assert first["Location"] == second["Location"] == Case.objects.get(client=person).get_absolute_url()


def test_creating_an_actor_twice_creates_one(client):
    client.force_login(make_staff(COORDINATION))
    data = {
        "name": "Caritas Migrationsdienst",
        "actor_type": ActorType.objects.get_or_create(name="Beratungsstelle")[0].pk,
        "municipalities": [Municipality.objects.get(name="Coesfeld").pk],
        "is_active": "on",
        "submit_token": str(uuid.uuid4()),
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }
    for _ in range(2):
        assert client.post(reverse("network:create"), data).status_code == 302
    assert Actor.objects.filter(name="Caritas Migrationsdienst").count() == 1
