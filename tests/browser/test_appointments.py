"""A case manager makes an appointment on the case page and finds it on Mein Arbeitsplatz."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import CASE_MANAGEMENT
from casework.models import Appointment
from tests.browser.test_case_manager_day import PASSWORD, log_in, open_panel
from tests.conftest import make_staff
from tests.factories import CaseFactory, ClientFactory, ContactPersonFactory, HouseholdFactory, municipality

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_appointment_made_on_the_case_page_shows_on_mein_arbeitsplatz(live_server, page: Page, screenshot):
    user = make_staff(CASE_MANAGEMENT, first_name="Clara", last_name="Casemann")
    user.set_password(PASSWORD)
    user.save()
    household = HouseholdFactory(municipality=municipality("Coesfeld"))
    client = ClientFactory(
        first_name="Leyla", last_name="Haddad", household=household, municipality=household.municipality
    )
    ClientFactory(
        first_name="Omar", last_name="Haddad", household=household, municipality=household.municipality
    )
    case = CaseFactory(client=client, case_manager=user)
    ContactPersonFactory(name="Petra Jansen", actor__name="Jobcenter Coesfeld")
    base = live_server.url
    log_in(page, base, user.username)

    page.goto(f"{base}/faelle/{case.pk}/")
    open_panel(page, "panel-appointment")
    today = timezone.localdate()
    page.fill("input[name='appointment-starts_at']", f"{today:%Y-%m-%d}T23:15")
    page.select_option("select[name='appointment-mode']", label="vor Ort")
    page.fill("input[name='appointment-place']", "Kreishaus Coesfeld, Raum 12")
    page.get_by_label("Omar Haddad").check()
    page.select_option("select[name='appointment-contact_person']", label="Petra Jansen (Jobcenter Coesfeld)")
    page.fill("input[name='appointment-interpreter_language']", "Arabisch")
    page.get_by_role("button", name="Termin speichern").click()
    expect(page.locator(".messages")).to_contain_text("Termin gespeichert.")
    expect(page.locator(".appointment-list")).to_contain_text("Kreishaus Coesfeld, Raum 12")
    screenshot("10-fall-termine")
    assert Appointment.objects.get().starts_at.astimezone(timezone.get_current_timezone()).time() == dt.time(
        23, 15
    )

    page.goto(f"{base}/")
    section = page.locator("section", has=page.locator("#appointments-title"))
    expect(section).to_contain_text("23:15")
    expect(section).to_contain_text(case.reference)
    screenshot("11-meine-termine")
