"""From a single case to the steering group, in a real browser.

A case manager of Nord tags a structural barrier in her case; Koordination gathers it into a
new theme, merges an older theme with a barrier from Süd into it, moves the theme to the
Koordinierungsgruppe with the body's decision, and the printable steering page shows it.
"""

import pytest
from playwright.sync_api import Page, expect

from accounts.roles import CASE_MANAGEMENT, COORDINATION
from casework.models import LegalFramework
from regions.models import Municipality
from structural import services
from structural.models import Barrier, EscalationStep, Theme
from tests.conftest import make_staff
from tests.factories import ActorFactory, CaseFactory, ClientFactory, coesfeld

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "sicheres-Passwort-2026"


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(base_url + "/anmelden/")
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", PASSWORD)
    page.click("button[type='submit']")
    expect(page.get_by_role("heading", name="Mein Arbeitsplatz")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Abmelden").click()
    expect(page.locator("input[name='username']")).to_be_visible()


def staff(role: str, region: str, first: str, last: str):
    user = make_staff(role, region_names=(region,), first_name=first, last_name=last)
    user.set_password(PASSWORD)
    user.save()
    return user


def test_a_barrier_travels_from_a_case_to_the_steering_page(live_server, page: Page, screenshot):
    clara = staff(CASE_MANAGEMENT, "Nord", "Clara", "Casemann")
    konrad = staff(COORDINATION, "Nord", "Konrad", "Koordinator")
    jobcenter = ActorFactory(name="Jobcenter Kreis Coesfeld")
    case = CaseFactory(
        client=ClientFactory(municipality=Municipality.objects.get(name="Coesfeld")), case_manager=clara
    )
    # An older theme from Süd, about the same gap under another name.
    older = services.theme_create(district=coesfeld(), by=None, title="Terminvergabe nur per Internet")
    services.barriers_assign(
        barriers=[
            services.barrier_create(
                case=CaseFactory(client=ClientFactory(municipality=Municipality.objects.get(name="Senden"))),
                by=None,
                actor=jobcenter,
                description="Termine gibt es nur über das Online-Portal.",
            )
        ],
        theme=older,
        by=None,
    )
    csp_violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and csp_violations.append(message.text),
    )
    base = live_server.url

    # The case manager tags the barrier from her case.
    log_in(page, base, clara.username)
    page.goto(f"{base}/faelle/{case.pk}/")
    page.get_by_role("link", name="Barriere erfassen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Strukturelle Barriere erfassen")
    page.select_option("select[name='actor']", label="Jobcenter Kreis Coesfeld")
    page.select_option("select[name='legal_framework']", label="SGB II")
    page.select_option("select[name='topic']", label="Arbeit")
    page.fill(
        "textarea[name='description']",
        "Termine beim Jobcenter nur online buchbar, ohne Hilfe in anderen Sprachen.",
    )
    page.get_by_role("button", name="Barriere speichern").click()
    expect(page.locator(".messages")).to_contain_text("Barriere erfasst")
    barrier = Barrier.objects.get(case=case)
    assert barrier.created_by == clara
    assert barrier.legal_framework == LegalFramework.objects.get(code="sgb-ii")
    log_out(page)

    # Koordination gathers it into a new theme ...
    log_in(page, base, konrad.username)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Strukturthemen").click()
    page.get_by_role("link", name="Barrieren", exact=True).click()
    page.get_by_role("link", name="nur Barrieren ohne Thema").click()
    page.locator(f"#barrier-{barrier.pk}").check()
    page.fill("input[name='new_title']", "Jobcenter-Termine nur online")
    page.get_by_role("button", name="Zuordnen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jobcenter-Termine nur online")

    # ... merges the older theme into it ...
    page.select_option("select[name='merged']", label="Terminvergabe nur per Internet")
    page.get_by_role("button", name="Zusammenführen").click()
    expect(page.locator(".messages")).to_contain_text("Terminvergabe nur per Internet")
    figures = page.locator(".theme-figures")
    expect(figures.locator("div").filter(has_text="Fälle").locator("dd")).to_have_text("2")
    expect(figures.locator("div").filter(has_text="Kommunen").locator("dd")).to_have_text("2")

    # ... and brings it to the Koordinierungsgruppe, with what the group decided.
    page.select_option("select[name='status']", label="in der Koordinierungsgruppe")
    page.fill(
        "textarea[name='text']", "Die Koordinierungsgruppe lädt das Jobcenter zur nächsten Sitzung ein."
    )
    page.get_by_role("button", name="Stufe speichern").click()
    expect(page.locator(".page-header .badge")).to_have_text("in der Koordinierungsgruppe")
    theme = Theme.objects.get()
    assert theme.status == EscalationStep.COORDINATION_GROUP
    assert not Theme.objects.filter(pk=older.pk).exists()

    # The steering page shows it, ready to print.
    page.get_by_role("link", name="Steuerungsübersicht").click()
    section = page.locator("section.steering-step").filter(
        has=page.get_by_role("heading", name="in der Koordinierungsgruppe")
    )
    row = section.get_by_role("row").filter(has_text="Jobcenter-Termine nur online")
    expect(row).to_be_visible()
    expect(row).to_contain_text("lädt das Jobcenter")
    expect(page.get_by_role("button", name="Drucken oder als PDF speichern")).to_be_visible()
    screenshot("08-steuerung")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    page.emulate_media(media="screen")
    assert csp_violations == []
