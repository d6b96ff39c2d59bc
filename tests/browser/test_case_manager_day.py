"""A case manager's day in a real browser, against a live server on the test database.

From login through registering a client, opening a case, logging a contact, a follow-up,
her consent, a referral and its Rückmeldung, a goal, the evaluation (goal reviewed, outcome
recorded), closing with the open follow-up decided in the close form, and finding the case
again with the filters.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import CASE_MANAGEMENT
from casework.lifecycle import Phase
from casework.models import Case, Contact, FollowUp, Goal, PhaseChange, Referral
from regions.models import Municipality
from tests.conftest import make_staff
from tests.factories import ActorFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "sicheres-Passwort-2026"


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(base_url + "/")
    expect(page).to_have_url(f"{base_url}/anmelden/?next=/")
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", PASSWORD)
    page.click("button[type='submit']")
    expect(page.get_by_role("heading", name="Mein Arbeitsplatz")).to_be_visible()


def open_panel(page: Page, anchor: str) -> None:
    """Open a panel of the case page; its form is fetched when it opens (static/js/kim.js)."""
    panel = page.locator(f"#{anchor}")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    expect(panel.locator("form")).to_be_visible()


def change_phase(page: Page, label: str, message: str = "Phase geändert.", **extra) -> None:
    open_panel(page, "panel-phase")
    page.select_option("select[name='phase-to_phase']", label=label)
    for name, value in extra.items():
        if name == "closure_reason":
            page.select_option("select[name='phase-closure_reason']", label=value)
        else:
            page.fill(f"input[name='phase-{name}']", value)
    page.get_by_role("button", name="Phase ändern").click()
    expect(page.locator(".messages")).to_contain_text(message)


def test_case_manager_works_a_case_from_intake_to_closure(live_server, page: Page, screenshot):
    user = make_staff(CASE_MANAGEMENT, first_name="Clara", last_name="Casemann")
    user.set_password(PASSWORD)
    user.save()
    actor = ActorFactory(name="Jugendmigrationsdienst Coesfeld")
    actor.municipalities.add(Municipality.objects.get(name="Coesfeld"))
    base = live_server.url
    today = timezone.localdate()

    log_in(page, base, user.username)
    screenshot("01-mein-arbeitsplatz-leer")

    # Register a client.
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Klient/innen").click()
    page.get_by_role("link", name="Klient/in anlegen").click()
    page.fill("input[name='first_name']", "Samira")
    page.fill("input[name='last_name']", "Haddad")
    page.fill("input[name='date_of_birth']", "1988-04-12")
    page.select_option("select[name='municipality']", label="Coesfeld (Nord)")
    page.select_option("select[name='residence_status']", value="duldung")
    page.fill("input[name='residence_valid_until']", (today.replace(day=1)).isoformat())
    screenshot("02-klientin-anlegen")
    page.get_by_role("button", name="Klient/in anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Samira Haddad")

    # Open a case for her.
    page.get_by_role("button", name="Fall eröffnen").click()
    case = Case.objects.get(client__last_name="Haddad")
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/faelle/{case.pk}/(#.*)?$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)

    # Log a contact.
    page.get_by_text("Kontakt erfassen").click()
    page.select_option("select[name='contact-channel']", label="persönlich")
    page.fill("input[name='contact-duration_minutes']", "45")
    page.get_by_label("Sprache").first.check()
    page.fill("textarea[name='contact-note']", "Erstgespräch: Sprachkurs und Arbeitssuche besprochen.")
    page.get_by_role("button", name="Kontakt speichern").click()
    expect(page.locator(".timeline")).to_contain_text("Erstgespräch: Sprachkurs")

    # A follow-up, with a validation error first.
    page.get_by_text("Wiedervorlage anlegen").click()
    page.fill("input[name='follow_up-title']", "Rückmeldung JMD abfragen")
    page.get_by_role("button", name="Wiedervorlage speichern").click()
    expect(page.locator("#panel-follow-up .errorlist")).to_contain_text(
        "Dieses Feld ist zwingend erforderlich."
    )
    page.fill("input[name='follow_up-due_on']", today.isoformat())
    page.get_by_role("button", name="Wiedervorlage speichern").click()
    expect(page.locator("#follow-ups-title + ul")).to_contain_text("Rückmeldung JMD abfragen")

    # Before referring her, she agrees that KIM may talk to the JMD: the case manager
    # records the consent, prints it in Leichte Sprache for her signature and comes back.
    # The forms load when their panel opens, so the case page itself stays light.
    page.get_by_text("Einwilligung erfassen").click()
    page.fill("textarea[name='consent-purpose']", "Anmeldung beim Jugendmigrationsdienst")
    page.locator("#panel-consent").get_by_label("Jugendmigrationsdienst Coesfeld").check()
    page.get_by_role("button", name="Einwilligung speichern").click()
    expect(page.locator("#consents-title + ul")).to_contain_text("Anmeldung beim Jugendmigrationsdienst")
    page.locator("#consents-title + ul").get_by_role("link", name="in Leichter Sprache").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Einwilligung")
    expect(page.locator("main")).to_contain_text("Samira Haddad")
    page.get_by_role("link", name="Zurück zum Fall").click()

    # Refer her to an actor of the network; without the consent chosen it is refused.
    page.get_by_text("An Akteur vermitteln").click()
    page.select_option(
        "select[name='referral-actor']", label="Jugendmigrationsdienst Coesfeld (Beratungsstelle)"
    )
    page.get_by_role("button", name="Vermittlung speichern").click()
    expect(page.locator("#panel-referral .errorlist").first).to_contain_text("Einwilligung")
    page.select_option("select[name='referral-consent']", index=1)
    page.get_by_role("button", name="Vermittlung speichern").click()
    expect(page.locator(".timeline")).to_contain_text("Jugendmigrationsdienst Coesfeld")
    expect(page.locator(".timeline")).to_contain_text("mit Einwilligung")
    screenshot("03-fall-detail")

    # The JMD answers: it took her on. The Rückmeldung goes into the timeline.
    open_panel(page, "panel-referral-outcome")
    page.select_option("select[name='referral_outcome-referral']", index=1)
    page.select_option("select[name='referral_outcome-status']", label="angenommen / wahrgenommen")
    page.fill("textarea[name='referral_outcome-note']", "Platz in der Gruppe ab Januar")
    screenshot("30-rueckmeldung-erfassen")
    page.get_by_role("button", name="Rückmeldung speichern").click()
    expect(page.locator(".messages")).to_contain_text("Rückmeldung gespeichert.")
    expect(page.locator(".timeline")).to_contain_text("vermittelt → angenommen / wahrgenommen")
    expect(page.locator(".timeline")).to_contain_text("Platz in der Gruppe ab Januar")

    # A goal agreed with her.
    open_panel(page, "panel-goal")
    page.fill("input[name='goal-title']", "Deutschkurs B1 abschließen")
    page.get_by_role("button", name="Ziel speichern").click()
    expect(page.locator("#goals-title + ul")).to_contain_text("Deutschkurs B1 abschließen")
    goal = Goal.objects.get(case=case)

    # Through the phases to the evaluation: the goal is reviewed, the outcome recorded.
    change_phase(page, "Clearing / Situationsanalyse")
    change_phase(page, "Hilfeplanung / Zielvereinbarung")
    change_phase(page, "Umsetzung / Monitoring")
    open_panel(page, "panel-phase")
    page.select_option("select[name='phase-to_phase']", label="Evaluation / Zielüberprüfung")
    page.select_option(f"select[name='phase-goal_{goal.pk}']", label="teilweise erreicht")
    page.select_option("select[name='phase-outcome']", label="Lage teilweise verbessert")
    screenshot("31-evaluation")
    page.get_by_role("button", name="Phase ändern").click()
    expect(page.locator(".messages")).to_contain_text("Evaluation begonnen")
    expect(page.locator(".timeline")).to_contain_text("Ergebnis für die Person: Lage teilweise verbessert")

    # Closing asks what becomes of the open follow-up; without reason and decision it is refused.
    follow_up = FollowUp.objects.get(case=case)
    open_panel(page, "panel-phase")
    page.select_option("select[name='phase-to_phase']", label="Abschluss")
    expect(page.locator(f"select[name='phase-follow_up_{follow_up.pk}']")).to_be_visible()
    page.get_by_role("button", name="Phase ändern").click()
    expect(page.locator("#panel-phase .errorlist").first).to_contain_text("Abschlussgrund")
    expect(page.locator("#panel-phase")).to_contain_text("Rückmeldung JMD abfragen")
    page.select_option(f"select[name='phase-follow_up_{follow_up.pk}']", label="erledigt")
    screenshot("32-abschluss-offene-wiedervorlagen")
    change_phase(
        page,
        "Abschluss",
        message="Fall abgeschlossen.",
        closure_reason="Ziele teilweise erreicht",
        closed_on=today.isoformat(),
    )
    expect(page.locator(".case-header .badge")).to_have_text("Abschluss")
    expect(page.locator("#follow-ups-title + ul")).to_contain_text("Keine offenen Wiedervorlagen.")
    screenshot("04-fall-abgeschlossen")

    case.refresh_from_db()
    assert case.phase == Phase.CLOSED
    assert case.case_manager == user
    assert Contact.objects.filter(case=case, created_by=user).count() == 1
    assert FollowUp.objects.filter(case=case, done_at__isnull=False, dropped=False).count() == 1
    assert Referral.objects.get(case=case).status == "taken_up"
    goal.refresh_from_db()
    assert goal.status == "partly"
    assert PhaseChange.objects.get(case=case, to_phase=Phase.EVALUATION).outcome == "partly_improved"
    assert Referral.objects.get(case=case).actor == actor
    assert actor in Referral.objects.get(case=case).consent.actors.all()

    # Find it again with the filters.
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.get_by_role("link", name="Fälle", exact=True).click()
    page.select_option("select[name='phase']", label="Abschluss")
    page.select_option("select[name='manager']", label="meine Fälle")
    page.fill("input[name='q']", "hadd")
    page.get_by_role("button", name="Filtern").click()
    expect(page.locator("main [role=status]")).to_contain_text("1 Fall")
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()
    assert "phase=closed" in page.url and "q=hadd" in page.url
    screenshot("05-fallliste-gefiltert")

    # Mein Arbeitsplatz shows her contact.
    nav.get_by_role("link", name="Mein Arbeitsplatz").click()
    expect(page.get_by_role("heading", name="Meine letzten Kontakte")).to_be_visible()
    expect(page.locator("#recent-title + ul")).to_contain_text(case.reference)
