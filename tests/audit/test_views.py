"""Each kind of access in the product writes exactly the audit entry expected."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEntry
from casework import services
from casework.lifecycle import Phase
from casework.models import Client, Contact, FollowUp, Goal
from tests.audit.conftest import serialized_trail
from tests.factories import CaseFactory, ClientFactory, closure_reason, municipality

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SENTINEL = "Zzyzx-Sentinel"


@pytest.fixture
def web(client, case_manager):
    client.force_login(case_manager)
    return client


@pytest.fixture
def case(case_manager):
    return CaseFactory(client=ClientFactory(municipality=municipality("Coesfeld")), case_manager=case_manager)


def _contact_data(**overrides) -> dict:
    return {
        "contact-contacted_on": TODAY.isoformat(),
        "contact-channel": "phone",
        "contact-duration_minutes": "15",
        "contact-note": "Rückruf vereinbart",
        **overrides,
    }


def _inserts(queries) -> list[str]:
    return [query["sql"] for query in queries if query["sql"].lstrip().upper().startswith("INSERT")]


# --- reads -------------------------------------------------------------------------------


def test_case_detail_records_one_view(web, case, case_manager, trail):
    trail.mark()
    assert web.get(case.get_absolute_url()).status_code == 200
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.object_id) == (Action.VIEW, "casework.case", str(case.pk))
    assert entry.case_reference == case.reference
    assert (entry.user, entry.username) == (case_manager, case_manager.username)
    assert entry.fields == []


def test_a_case_outside_the_scope_records_nothing(web, trail):
    other = CaseFactory(client=ClientFactory(municipality=municipality("Senden")))
    trail.mark()
    assert web.get(other.get_absolute_url()).status_code == 404
    assert trail.new() == []


def test_client_detail_records_one_view(web, case, trail):
    trail.mark()
    assert web.get(reverse("clients:detail", args=[case.client_id])).status_code == 200
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.object_id) == (
        Action.VIEW,
        "casework.client",
        str(case.client_id),
    )
    assert entry.case_reference == ""


def test_opening_the_client_edit_page_records_a_view(web, case, trail):
    trail.mark()
    assert web.get(reverse("clients:edit", args=[case.client_id])).status_code == 200
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.detail) == (Action.VIEW, "casework.client", "Bearbeiten")


def test_document_download_records_a_view_of_the_document(web, case, case_manager, trail):
    upload = SimpleUploadedFile("bescheid.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    document = services.document_upload(case=case, by=case_manager, title="Bescheid", file=upload)
    trail.mark()
    response = web.get(reverse("cases:document", args=[case.pk, document.pk]))
    assert response.status_code == 200
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.object_id, entry.detail) == (
        Action.VIEW,
        "casework.document",
        str(document.pk),
        "Dokument",
    )
    assert entry.case_reference == case.reference


def test_case_search_records_the_filters_used_not_the_text(web, case, trail):
    trail.mark()
    response = web.get(reverse("cases:list"), {"q": SENTINEL, "phase": "open", "o": "reference"})
    assert response.status_code == 200
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.object_id) == (Action.SEARCH, "casework.case", "")
    assert entry.detail == "phase, q"
    assert SENTINEL not in serialized_trail()


def test_client_search_records_the_filters_used_not_the_text(web, trail):
    trail.mark()
    response = web.get(reverse("clients:list"), {"q": SENTINEL})
    assert response.status_code == 200
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.object_id, entry.detail) == (
        Action.SEARCH,
        "casework.client",
        "",
        "q",
    )
    assert SENTINEL not in serialized_trail()


@pytest.mark.parametrize("params", [{}, {"page": "1"}, {"o": "reference"}, {"q": ""}])
def test_a_list_without_filters_is_no_search(web, case, trail, params):
    trail.mark()
    assert web.get(reverse("cases:list"), params).status_code == 200
    assert web.get(reverse("clients:list"), {k: v for k, v in params.items() if k != "o"}).status_code == 200
    assert trail.new() == []


# --- writes ------------------------------------------------------------------------------


def test_adding_a_contact_records_one_creation(web, case, case_manager, trail):
    trail.mark()
    response = web.post(reverse("cases:add_contact", args=[case.pk]), _contact_data())
    assert response.status_code == 302
    contact = Contact.objects.get(case=case)
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.object_id) == (
        Action.CREATE,
        "casework.contact",
        str(contact.pk),
    )
    assert entry.case_reference == case.reference
    assert entry.user == case_manager


def test_an_invalid_contact_records_nothing(web, case, trail):
    trail.mark()
    response = web.post(
        reverse("cases:add_contact", args=[case.pk]), _contact_data(**{"contact-channel": ""})
    )
    assert response.status_code == 200
    assert not Contact.objects.exists()
    assert trail.new() == []


def test_a_phase_change_records_the_changed_fields(web, case, trail):
    trail.mark()
    response = web.post(reverse("cases:change_phase", args=[case.pk]), {"phase-to_phase": Phase.ASSESSMENT})
    assert response.status_code == 302
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.object_id, entry.fields) == (
        Action.CHANGE,
        "casework.case",
        str(case.pk),
        ["phase"],
    )


def test_closing_a_case_records_phase_date_and_reason(web, case, trail):
    trail.mark()
    response = web.post(
        reverse("cases:change_phase", args=[case.pk]),
        {
            "phase-to_phase": Phase.CLOSED,
            "phase-closed_on": TODAY.isoformat(),
            "phase-closure_reason": closure_reason().pk,
        },
    )
    assert response.status_code == 302
    assert trail.one().fields == ["closed_on", "closure_reason", "phase"]


def test_a_refused_phase_change_records_nothing(web, case, trail):
    trail.mark()
    response = web.post(reverse("cases:change_phase", args=[case.pk]), {"phase-to_phase": Phase.CLOSED})
    assert response.status_code == 200
    assert trail.new() == []


def test_completing_a_follow_up_records_a_change(web, case, case_manager, trail):
    follow_up = services.follow_up_create(
        case=case, by=case_manager, title="Bescheid prüfen", due_on=TODAY + dt.timedelta(days=3)
    )
    trail.mark()
    response = web.post(reverse("cases:follow_up_done", args=[case.pk, follow_up.pk]))
    assert response.status_code == 302
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.fields) == (
        Action.CHANGE,
        "casework.followup",
        ["done_at", "done_by"],
    )
    assert entry.case_reference == case.reference
    assert FollowUp.objects.get(pk=follow_up.pk).done_at is not None


def test_a_goal_status_change_records_the_status_field(web, case, case_manager, trail):
    goal = services.goal_create(case=case, by=case_manager, title="Sprachkurs B1")
    trail.mark()
    response = web.post(reverse("cases:goal_status", args=[case.pk, goal.pk]), {"status": "achieved"})
    assert response.status_code == 302
    assert Goal.objects.get(pk=goal.pk).status == "achieved"
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.fields, entry.case_reference) == (
        Action.CHANGE,
        "casework.goal",
        ["status"],
        case.reference,
    )


def _client_data(person: Client, **overrides) -> dict:
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "date_of_birth": person.date_of_birth.isoformat(),
        "gender": person.gender,
        "nationality": str(person.nationality or ""),
        "languages": person.languages,
        "residence_status": person.residence_status,
        "residence_valid_until": "",
        "municipality": str(person.municipality_id),
        "street": person.street,
        "postal_code": person.postal_code,
        "phone": person.phone,
        "email": person.email,
    }
    data.update(overrides)
    return data


def test_a_client_update_records_the_changed_field_names_and_never_the_values(web, trail):
    person = ClientFactory(
        first_name="Amina",
        last_name="Haddad",
        municipality=municipality("Coesfeld"),
        street="Borkener Straße 1",
        postal_code="48653",
        phone="02541 123456",
    )
    trail.mark()
    response = web.post(
        reverse("clients:edit", args=[person.pk]),
        _client_data(person, last_name=SENTINEL, phone="02541 999999"),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.last_name == SENTINEL
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.object_id, entry.fields) == (
        Action.CHANGE,
        "casework.client",
        str(person.pk),
        ["last_name", "phone"],
    )
    trail_text = serialized_trail()
    assert SENTINEL not in trail_text
    assert "999999" not in trail_text
    assert "Haddad" not in trail_text


def test_an_invalid_client_update_records_nothing(web, trail):
    person = ClientFactory(municipality=municipality("Coesfeld"))
    trail.mark()
    response = web.post(
        reverse("clients:edit", args=[person.pk]), _client_data(person, last_name=SENTINEL, postal_code="abc")
    )
    assert response.status_code == 200
    assert trail.new() == []
    assert SENTINEL not in serialized_trail()


def test_registering_a_client_with_family_records_each_creation(web, trail):
    trail.mark()
    data = {
        "first_name": "Amina",
        "last_name": SENTINEL,
        "date_of_birth": "1988-03-04",
        "gender": "f",
        "residence_status": "temporary",
        "municipality": str(municipality("Coesfeld").pk),
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "6",
        "members-0-first_name": "Omar",
        "members-0-last_name": "",
        "members-0-date_of_birth": "2015-06-01",
        "members-0-household_role": "child",
    }
    response = web.post(reverse("clients:create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entries = trail.new()
    assert sorted((entry.action, entry.object_type) for entry in entries) == [
        (Action.CREATE, "casework.client"),
        (Action.CREATE, "casework.client"),
        (Action.CREATE, "casework.household"),
    ]
    assert SENTINEL not in serialized_trail()


# --- what recording costs ----------------------------------------------------------------


def test_recording_a_read_adds_exactly_one_insert(web, case, monkeypatch):
    url = case.get_absolute_url()
    web.get(url)  # warm up: session, caches
    with CaptureQueriesContext(connection) as recorded:
        web.get(url)
    monkeypatch.setattr("casework.views.cases.audit_record", lambda **kwargs: None)
    with CaptureQueriesContext(connection) as unrecorded:
        web.get(url)
    assert len(recorded) - len(unrecorded) == 1
    inserts = _inserts(recorded)
    assert len(inserts) == 1
    assert AuditEntry._meta.db_table in inserts[0]


def test_recording_a_write_adds_exactly_one_insert(web, case, monkeypatch):
    url = reverse("cases:add_contact", args=[case.pk])
    web.post(url, _contact_data())
    with CaptureQueriesContext(connection) as recorded:
        web.post(url, _contact_data())
    monkeypatch.setattr("casework.services.audit_record", lambda **kwargs: None)
    with CaptureQueriesContext(connection) as unrecorded:
        web.post(url, _contact_data())
    assert len(recorded) - len(unrecorded) == 1
    audit_inserts = [sql for sql in _inserts(recorded) if AuditEntry._meta.db_table in sql]
    assert len(audit_inserts) == 1
