"""The right of access (Art. 15/20): the export service and its two views."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import CASE_MANAGEMENT, STATISTICS
from audit.models import Action, AuditEntry
from casework import services
from casework.models import HouseholdRole
from privacy import views as privacy_views
from privacy.inventory import client_data_models, client_link, holds_personal_data, inventoried_models
from privacy.services import EXPORT_INCOMPLETE, client_data_export
from tests.conftest import make_staff
from tests.factories import CaseFactory, ClientFactory, HouseholdFactory, municipality

from .conftest import fill_case

pytestmark = pytest.mark.django_db

SENTINEL = "Quirinella"
OTHER_SENTINEL = "Xaverius"

# Every model of a client's file: a new one with personal data must join this list.
EXPECTED_SECTIONS = {
    "casework.client",
    "casework.household",
    "casework.case",
    "casework.phasechange",
    "casework.caseassignment",
    "casework.contact",
    "casework.goal",
    "casework.goalstatuschange",
    "casework.referral",
    "casework.followup",
    "casework.document",
    "casework.consent",
}


@pytest.fixture
def on():
    return timezone.localdate() - dt.timedelta(days=10)


@pytest.fixture
def subject(case_manager, on):
    """A client in Coesfeld (Nord) in a household, with a full case."""
    household = HouseholdFactory(name=f"Familie {SENTINEL}")
    client = ClientFactory(
        first_name=SENTINEL,
        last_name="Beispiel",
        household=household,
        household_role=HouseholdRole.HEAD,
        phone="02541 123456",
        nationality="SY",
    )
    case = CaseFactory(client=client, case_manager=case_manager, opened_on=on - dt.timedelta(days=5))
    fill_case(case, by=case_manager, marker=SENTINEL, on=on)
    services.case_reassign(case=case, to_manager=None, by=case_manager, note=f"Übergabe {SENTINEL}")
    return client


@pytest.fixture
def other(case_manager, on):
    """Another client in the same region, with a full case of their own."""
    client = ClientFactory(first_name=OTHER_SENTINEL, last_name="Anders")
    case = CaseFactory(client=client, case_manager=case_manager, opened_on=on - dt.timedelta(days=5))
    fill_case(case, by=case_manager, marker=OTHER_SENTINEL, on=on)
    return client


def _dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)


def test_every_model_with_personal_data_linked_to_a_client_is_exported(subject, other, case_manager):
    linked = {
        model._meta.label_lower
        for model in inventoried_models()
        if holds_personal_data(model) and client_link(model) is not None
    }
    data = client_data_export(client=subject, by=case_manager)
    exported = {section["modell"] for section in data["abschnitte"]}
    assert linked <= exported
    assert linked >= EXPECTED_SECTIONS
    assert {model._meta.label_lower for model in client_data_models()} == linked


def test_the_export_holds_the_clients_data(subject, other, case_manager):
    data = client_data_export(client=subject, by=case_manager)
    text = _dump(data)
    for marker in (
        f"Kontaktnotiz {SENTINEL}",
        f"Ziel {SENTINEL}",
        f"Schritte {SENTINEL}",
        f"Zweck {SENTINEL}",
        f"Ergebnis {SENTINEL}",
        f"Anrufen {SENTINEL}",
        f"Bescheid {SENTINEL}",
        f"bescheid-{SENTINEL}.pdf",
        f"Übergabe {SENTINEL}",
        f"Familie {SENTINEL}",
        "02541 123456",
        "Syrien",
    ):
        assert marker in text, marker
    sections = {section["modell"]: section["eintraege"] for section in data["abschnitte"]}
    assert sections["casework.client"] == [sections["casework.client"][0]]
    assert sections["casework.client"][0]["Vorname"] == SENTINEL
    assert sections["casework.client"][0]["Geburtsdatum"] == "1990-05-17"
    assert len(sections["casework.contact"]) == 1
    assert sections["casework.contact"][0]["Themen"] == ["Sprache"]
    assert len(sections["casework.goalstatuschange"]) == 2
    assert data["empfaenger"] == [f"Beratungsstelle für {SENTINEL}"]
    assert data["vollstaendig"] is True
    json.dumps(data)  # serialisable as it is


def test_the_export_holds_nothing_of_another_client(subject, other, case_manager):
    text = _dump(client_data_export(client=subject, by=case_manager))
    assert SENTINEL in text and "Beispiel" in text  # the subject's own data is there
    assert OTHER_SENTINEL not in text
    assert "Anders" not in text


def test_household_members_are_not_exported_but_household_cases_are(subject, case_manager, on):
    ClientFactory(first_name="Geschwisterkind", household=subject.household)
    household_case = CaseFactory(client=None, household=subject.household, opened_on=on)
    services.contact_create(
        case=household_case,
        by=case_manager,
        contacted_on=on,
        channel="phone",
        duration_minutes=10,
        note="Haushaltsnotiz",
    )
    text = _dump(client_data_export(client=subject, by=case_manager))
    assert "Geschwisterkind" not in text
    assert "Haushaltsnotiz" in text


def test_cases_outside_the_users_regions_are_left_out_and_the_export_says_so(subject, case_manager, on):
    elsewhere = CaseFactory(client=subject, municipality=municipality("Dülmen"), opened_on=on)
    services.contact_create(
        case=elsewhere, by=None, contacted_on=on, channel="phone", duration_minutes=10, note="Notiz aus Mitte"
    )
    data = client_data_export(client=subject, by=case_manager)
    assert "Notiz aus Mitte" not in _dump(data)
    assert data["vollstaendig"] is False
    assert data["hinweis"] == EXPORT_INCOMPLETE
    assert "Notiz aus Mitte" in _dump(client_data_export(client=subject, by=None))


def test_the_json_view_is_a_download_and_audited_once(client, subject, case_manager):
    client.force_login(case_manager)
    before = AuditEntry.objects.count()
    response = client.get(reverse("clients:export_json", args=[subject.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert SENTINEL not in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["klient_id"] == subject.pk
    exports = AuditEntry.objects.filter(action=Action.EXPORT)
    assert exports.count() == 1
    entry = exports.get()
    assert (entry.user, entry.object_type, entry.object_id) == (
        case_manager,
        "casework.client",
        str(subject.pk),
    )
    assert SENTINEL not in entry.detail
    assert AuditEntry.objects.count() == before + 1


def test_the_html_page_is_readable_and_audited_once(client, subject, case_manager):
    client.force_login(case_manager)
    response = client.get(reverse("clients:export_html", args=[subject.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Auskunft über Ihre gespeicherten Daten" in page
    assert f"Kontaktnotiz {SENTINEL}" in page
    assert "17.05.1990" in page  # German dates for people
    assert "privacy/export.css" in page
    assert 'style="' not in page  # the Content-Security-Policy allows no inline styles
    assert AuditEntry.objects.filter(action=Action.EXPORT).count() == 1


def test_the_client_page_links_to_the_export(client, subject, case_manager):
    client.force_login(case_manager)
    page = client.get(reverse("clients:detail", args=[subject.pk])).content.decode()
    assert reverse("clients:export_html", args=[subject.pk]) in page
    assert "Datenauskunft (Art. 15)" in page


@pytest.mark.parametrize("name", ["clients:export_json", "clients:export_html"])
def test_a_client_of_another_region_is_not_found(client, name, subject):
    client.force_login(make_staff(CASE_MANAGEMENT, region_names=("Mitte",)))
    assert client.get(reverse(name, args=[subject.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


@pytest.mark.parametrize("name", ["clients:export_json", "clients:export_html"])
def test_statistics_staff_find_no_client(client, name, subject):
    client.force_login(make_staff(STATISTICS))
    assert client.get(reverse(name, args=[subject.pk])).status_code == 404


@pytest.mark.parametrize("name", ["clients:export_json", "clients:export_html"])
def test_a_colleague_without_edit_right_is_forbidden(client, name, subject, monkeypatch):
    monkeypatch.setattr(privacy_views, "can_edit_client", lambda user, client: False)
    client.force_login(make_staff(CASE_MANAGEMENT))
    response = client.get(reverse(name, args=[subject.pk]))
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_coordination_may_export_even_without_edit_right(client, subject, coordinator, monkeypatch):
    monkeypatch.setattr(privacy_views, "can_edit_client", lambda user, client: False)
    client.force_login(coordinator)
    assert client.get(reverse("clients:export_json", args=[subject.pk])).status_code == 200


def test_anonymous_users_are_sent_to_the_login(client, subject):
    response = client.get(reverse("clients:export_json", args=[subject.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_export_is_read_only(client, subject, case_manager):
    client.force_login(case_manager)
    assert client.post(reverse("clients:export_json", args=[subject.pk])).status_code == 405
