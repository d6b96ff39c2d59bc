"""Koordination hands cases over in a real browser: nothing chosen is an error, then rows
selected in the filtered case list, the preview with the receiver's load, the confirmation
and the result page; the receiver finds the cases "neu übernommen" with their follow-ups."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import CASE_MANAGEMENT, COORDINATION
from casework import services
from casework.models import Case, CaseAssignment, FollowUp
from regions.models import Municipality
from tests.conftest import make_staff
from tests.factories import CaseFactory, ClientFactory

from .test_case_manager_day import PASSWORD, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def staff(role, first_name, last_name, **fields):
    user = make_staff(role, first_name=first_name, last_name=last_name, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def test_koordination_hands_over_selected_cases_after_preview_and_confirmation(
    live_server, page: Page, screenshot
):
    lead = staff(COORDINATION, "Konrad", "Koordinator")
    leaving = staff(CASE_MANAGEMENT, "Lena", "Lange")
    receiver = staff(CASE_MANAGEMENT, "Ben", "Berger", fte="0.50")
    coesfeld = Municipality.objects.get(name="Coesfeld")
    CaseFactory(client=ClientFactory(municipality=coesfeld), case_manager=receiver)
    cases = [CaseFactory(client=ClientFactory(municipality=coesfeld), case_manager=leaving) for _ in range(3)]
    services.follow_up_create(
        case=cases[0], by=leaving, title="Jobcenter-Termin vorbereiten", due_on=timezone.localdate()
    )
    base = live_server.url

    log_in(page, base, lead.username)
    page.goto(f"{base}/faelle/uebergabe/")
    page.select_option("select[name='to_manager']", label="Ben Berger")
    page.get_by_role("button", name="Weiter zur Vorschau").click()
    expect(page.locator(".error-summary")).to_contain_text("Bitte wählen Sie die Fälle aus")

    # Two of Lena's cases, chosen in the filtered list.
    page.goto(f"{base}/faelle/?manager={leaving.pk}&o=reference")
    expect(page.locator("main [role=status]")).to_contain_text("3 Fälle")
    page.locator(f"#select-case-{cases[0].pk}").check()
    page.locator(f"#select-case-{cases[1].pk}").check()
    page.get_by_role("button", name="Ausgewählte Fälle übergeben").click()
    expect(page.locator("#selected-cases")).to_contain_text("2 Fälle aus der Fallliste ausgewählt.")
    page.select_option("select[name='to_manager']", label="Ben Berger")
    page.fill(
        "textarea[name='note']", "Lena wechselt ins Team Süd; Familie Haddad wartet auf den Kitabescheid."
    )
    page.get_by_role("button", name="Weiter zur Vorschau").click()

    preview = page.locator("#handover-preview")
    expect(preview).to_contain_text("2 Fälle gehen an Ben Berger.")
    expect(page.locator("#receiver-load")).to_contain_text("2,0")  # 1 case on half a post
    expect(page.locator("#receiver-load")).to_contain_text("6,0")  # 3 cases on half a post
    screenshot("33-uebergabe-vorschau")
    assert Case.objects.filter(case_manager=receiver).count() == 1

    page.get_by_role("button", name="Übergabe bestätigen").click()
    expect(page.locator("#handover-result")).to_contain_text("2 Fälle an Ben Berger übergeben.")
    expect(page.locator("#handover-result")).to_contain_text(cases[0].reference)
    screenshot("34-uebergabe-ergebnis")
    assert set(Case.objects.filter(case_manager=receiver)) >= {cases[0], cases[1]}
    assert Case.objects.get(pk=cases[2].pk).case_manager == leaving
    assert FollowUp.objects.get(case=cases[0]).assigned_to == receiver
    assert CaseAssignment.objects.filter(from_manager=leaving, to_manager=receiver).count() == 2

    # Ben sees them "neu übernommen", with the follow-up that came along.
    page.get_by_role("button", name="Abmelden").click()
    log_in(page, base, receiver.username)
    expect(page.locator("#taken-over")).to_contain_text(cases[0].reference)
    expect(page.locator("#due-title + div, #due-title ~ div").first).to_contain_text(
        "Jobcenter-Termin vorbereiten"
    )
    screenshot("35-mein-arbeitsplatz-neu-uebernommen")
    page.locator("#taken-over").get_by_role("link", name=cases[0].reference).click()
    expect(page.locator(".timeline")).to_contain_text("Lena wechselt ins Team Süd")
    page.goto(f"{base}/")
    expect(page.locator("#taken-over")).not_to_contain_text(cases[0].reference)
