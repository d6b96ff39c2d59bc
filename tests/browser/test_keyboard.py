"""A case manager who works with the keyboard only records a contact and a follow-up.

No mouse: every step is Tab, Shift+Tab, Enter, Space, arrow keys or typing. The test also
checks where the focus is after each save (back on the panel that was saved, kim.js) and
that "Phase ändern" comes before the timeline in the tab order.
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import CASE_MANAGEMENT
from casework.models import Contact, FollowUp
from tests.conftest import make_staff
from tests.factories import CaseFactory, ClientFactory, municipality

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "sicheres-Passwort-2026"
FOCUSED = "document.activeElement"


def tab_to(page: Page, selector: str, *, limit: int = 120, backwards: bool = False) -> int:
    """Press Tab until the focused element matches `selector`; returns the number of presses."""
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if page.evaluate(f"{FOCUSED}.matches({selector!r})"):
            return presses
    raise AssertionError(f"{selector} not reached with {limit} × {key}")


def test_keyboard_only_contact_and_follow_up(live_server, page: Page):
    user = make_staff(CASE_MANAGEMENT, first_name="Clara", last_name="Casemann")
    user.set_password(PASSWORD)
    user.save()
    case = CaseFactory(
        client=ClientFactory(municipality=municipality("Coesfeld"), first_name="Amina", last_name="Yusuf"),
        case_manager=user,
    )
    # Day and month alike: the date field's order of day and month follows the browser's locale.
    due = dt.date(timezone.localdate().year + 1, 3, 3)

    # Sign in: the username field has the focus first, Enter submits.
    page.goto(f"{live_server.url}/anmelden/")
    tab_to(page, "input[name='username']")
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Mein Arbeitsplatz")).to_be_visible()

    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    # "Phase ändern" is reached before any link of the timeline.
    tab_to(page, "#panel-phase > summary")
    assert page.evaluate("!document.querySelector('.timeline').contains(document.activeElement)")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")

    # A contact: open the panel with Enter, choose the channel with the arrow keys.
    tab_to(page, "#panel-contact > summary")
    page.keyboard.press("Enter")
    expect(page.locator("#panel-contact form")).to_be_visible()
    tab_to(page, "select[name='contact-channel']")
    page.keyboard.press("ArrowDown")
    tab_to(page, "input[name='contact-duration_minutes']")
    page.keyboard.type("30")
    tab_to(page, "input[name='contact-topics']")
    page.keyboard.press("Space")
    tab_to(page, "textarea[name='contact-note']")
    page.keyboard.type("Telefonat: Unterlagen für den Sprachkurs besprochen.")
    tab_to(page, "#panel-contact button[type='submit']")
    page.keyboard.press("Enter")
    expect(page.locator(".timeline")).to_contain_text("Unterlagen für den Sprachkurs")
    # The focus is back on the panel that was saved, not at the top of the page.
    expect(page.locator("#panel-contact > summary")).to_be_focused()

    # A follow-up, from where the focus now is.
    tab_to(page, "#panel-follow-up > summary")
    page.keyboard.press("Enter")
    expect(page.locator("#panel-follow-up form")).to_be_visible()
    tab_to(page, "input[name='follow_up-title']")
    page.keyboard.type("Anmeldung Sprachkurs nachhalten")
    tab_to(page, "input[name='follow_up-due_on']")
    page.keyboard.type(due.strftime("%d%m%Y"))
    tab_to(page, "#panel-follow-up button[type='submit']")
    page.keyboard.press("Enter")
    expect(page.locator("#follow-ups-title + ul")).to_contain_text("Anmeldung Sprachkurs nachhalten")
    expect(page.locator("#panel-follow-up > summary")).to_be_focused()

    contact = Contact.objects.get(case=case)
    assert contact.duration_minutes == 30 and contact.created_by == user
    assert contact.topics.count() == 1
    follow_up = FollowUp.objects.get(case=case)
    assert follow_up.due_on == due and follow_up.done_at is None
