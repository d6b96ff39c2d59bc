"""Appointments (Termine): made on the case page, shown on Mein Arbeitsplatz, in a personal
calendar feed without names, and recorded as a contact in one step."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEntry
from casework import calendar, services
from casework.models import Appointment, CalendarFeed, Contact
from tests.conftest import make_staff
from tests.factories import CaseFactory, ClientFactory, ContactPersonFactory, HouseholdFactory

pytestmark = pytest.mark.django_db

SENTINEL_NAME = "Zzyxqwname"
SENTINEL_PLACE = "Zzyxqwort"
SENTINEL_NOTE = "Zzyxqwnotiz"


@pytest.fixture
def case(case_manager):
    household = HouseholdFactory()
    client = ClientFactory(last_name=SENTINEL_NAME, household=household)
    return CaseFactory(client=client, case_manager=case_manager)


@pytest.fixture
def cm_client(client, case_manager):
    client.force_login(case_manager)
    return client


def _at(days: int, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _make(case, by, **fields) -> Appointment:
    fields.setdefault("starts_at", _at(1))
    return services.appointment_create(case=case, by=by, **fields)


def test_an_appointment_is_made_on_the_case_page_and_audited(cm_client, case, case_manager):
    member = ClientFactory(household=case.client.household, first_name="Amira", last_name=SENTINEL_NAME)
    person = ContactPersonFactory(name="Frau Berater")
    page = cm_client.get(reverse("cases:detail", args=[case.pk]) + "?eingabe=termin")
    assert "Termin vereinbaren" in page.content.decode()
    response = cm_client.post(
        reverse("cases:add_appointment", args=[case.pk]),
        {
            "appointment-starts_at": _at(2).strftime("%Y-%m-%dT%H:%M"),
            "appointment-duration_minutes": "45",
            "appointment-mode": "video",
            "appointment-place": "https://video.kreis.example/raum-3",
            "appointment-with_client": "on",
            "appointment-household_members": [str(member.pk)],
            "appointment-contact_person": str(person.pk),
            "appointment-interpreter_language": "Arabisch",
            "appointment-note": "Unterlagen mitbringen",
        },
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.mode, appointment.duration_minutes, appointment.assigned_to) == (
        "video",
        45,
        case_manager,
    )
    assert list(appointment.household_members.all()) == [member]
    assert AuditEntry.objects.filter(action=Action.CREATE, object_id=str(appointment.pk)).exists()
    detail = cm_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Arabisch" in detail and "Frau Berater" in detail


def test_an_appointment_with_nobody_is_refused_in_german(cm_client, case):
    response = cm_client.post(
        reverse("cases:add_appointment", args=[case.pk]),
        {"appointment-starts_at": _at(1).strftime("%Y-%m-%dT%H:%M"), "appointment-duration_minutes": "30",
         "appointment-mode": "in_person"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Mit wem ist der Termin?" in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_person_of_another_household_cannot_be_invited(case, case_manager):
    stranger = ClientFactory(household=HouseholdFactory())
    with pytest.raises(ValidationError):
        _make(case, case_manager, household_members=[stranger])
    assert not Appointment.objects.exists()


def test_an_appointment_that_took_place_becomes_a_contact_in_one_step(cm_client, case, case_manager):
    appointment = _make(
        case, case_manager, starts_at=timezone.now() - dt.timedelta(hours=2), mode="phone",
        duration_minutes=40, interpreter_language="Tigrinya", note="Antrag besprochen",
    )  # fmt: skip
    url = reverse("cases:appointment_took_place", args=[case.pk, appointment.pk])
    assert cm_client.post(url).status_code == 302
    contact = Contact.objects.get()
    assert (contact.channel, contact.duration_minutes, contact.with_interpreter, contact.note) == (
        "phone",
        40,
        True,
        "Antrag besprochen",
    )
    assert contact.contacted_on == timezone.localdate(appointment.starts_at)
    appointment.refresh_from_db()
    assert appointment.contact == contact
    assert AuditEntry.objects.filter(action=Action.CHANGE, object_id=str(appointment.pk)).exists()
    # A second click records nothing more.
    cm_client.post(url)
    assert Contact.objects.count() == 1


def test_an_appointment_still_ahead_cannot_be_recorded_as_a_contact(cm_client, case, case_manager):
    appointment = _make(case, case_manager)
    response = cm_client.post(
        reverse("cases:appointment_took_place", args=[case.pk, appointment.pk]), follow=True
    )
    assert "noch nicht begonnen" in response.content.decode()
    assert not Contact.objects.exists()


def test_a_colleague_cannot_record_it(client, case, case_manager):
    appointment = _make(case, case_manager, starts_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(make_staff("Case Management"))
    response = client.post(reverse("cases:appointment_took_place", args=[case.pk, appointment.pk]))
    assert response.status_code == 403
    assert not Contact.objects.exists()


def test_my_appointments_today_and_this_week_on_mein_arbeitsplatz(cm_client, case, case_manager):
    today = timezone.localdate()
    _make(case, case_manager, starts_at=timezone.make_aware(dt.datetime.combine(today, dt.time(23, 30))))
    days_left = 7 - today.isoweekday()
    if days_left:
        _make(case, case_manager, starts_at=_at(days_left, 9), mode="video")
    _make(case, case_manager, starts_at=_at(days_left + 1, 9))  # next week: not shown
    other = make_staff("Case Management")
    _make(CaseFactory(case_manager=other), other, starts_at=_at(0, 23))
    body = cm_client.get(reverse("dashboard")).content.decode()
    assert "Meine Termine" in body
    section = body.split('id="appointments-title"')[1].split("</section>")[0]
    assert section.count(case.reference) == (2 if days_left else 1)
    assert "23:30" in section
    assert SENTINEL_NAME not in section


# --- the calendar feed ------------------------------------------------------------------------


def _feed_url(user, token: str) -> str:
    return reverse("calendar_feed", kwargs={"user_pk": user.pk, "token": token})


def test_the_feed_shows_references_and_times_and_no_names(cm_client, case, case_manager):
    _make(case, case_manager, place=SENTINEL_PLACE, note=SENTINEL_NOTE, interpreter_language="Farsi")
    page = cm_client.post(reverse("calendar_settings"), {"action": "renew"})
    assert page.status_code == 200
    address = page.context["address"]
    assert address.endswith("/termine.ics")

    feed = HttpClient().get(address.split("testserver", 1)[1])
    assert feed.status_code == 200
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    assert "sessionid" not in feed.cookies
    body = feed.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and "END:VEVENT" in body
    assert case.reference in body
    assert f"/faelle/{case.pk}/" in body
    for secret in (SENTINEL_NAME, SENTINEL_PLACE, SENTINEL_NOTE, "Farsi", case.client.first_name):
        assert secret not in body


def test_a_wrong_renewed_or_foreign_token_gets_404(case, case_manager):
    _make(case, case_manager)
    old = services.calendar_feed_renew(user=case_manager)
    new = services.calendar_feed_renew(user=case_manager)
    anonymous = HttpClient()
    assert anonymous.get(_feed_url(case_manager, new)).status_code == 200
    assert anonymous.get(_feed_url(case_manager, old)).status_code == 404
    assert (
        anonymous.get(_feed_url(case_manager, new[:-1] + ("A" if new[-1] != "A" else "B"))).status_code == 404
    )
    colleague = make_staff("Case Management")
    assert anonymous.get(_feed_url(colleague, new)).status_code == 404
    services.calendar_feed_revoke(user=case_manager)
    assert anonymous.get(_feed_url(case_manager, new)).status_code == 404


def test_only_a_hash_of_the_token_is_stored(case_manager):
    token = services.calendar_feed_renew(user=case_manager)
    stored = CalendarFeed.objects.get(user=case_manager).token_hash
    assert token not in stored and stored == calendar.token_hash(token)
    assert calendar.token_matches(stored, token)
    assert not calendar.token_matches(None, token)


def test_the_settings_page_never_shows_the_address_again(cm_client, case_manager):
    cm_client.post(reverse("calendar_settings"), {"action": "renew"})
    page = cm_client.get(reverse("calendar_settings")).content.decode()
    assert "termine.ics" not in page
    assert "Neue Adresse erzeugen" in page


def test_a_deactivated_user_has_no_feed(case, case_manager):
    token = services.calendar_feed_renew(user=case_manager)
    case_manager.is_active = False
    case_manager.save()
    assert HttpClient().get(_feed_url(case_manager, token)).status_code == 404


def test_long_lines_are_folded_as_rfc_5545_requires():
    text = calendar.render_calendar(
        [
            (
                1,
                _at(1),
                _at(1, 11),
                timezone.now(),
                "K-2026-" + "9" * 80,
                "Video",
                "https://kim.example/faelle/1/",
            )
        ],
        host="kim.example",
    )
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
