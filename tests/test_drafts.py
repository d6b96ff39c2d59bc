"""An expired session never eats input (kim/drafts.py)."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client as BrowserSession
from django.urls import reverse
from django.utils import timezone

from casework.models import Contact
from kim.drafts import SESSION_KEY
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
RESTORED = "Ihre Eingabe wurde nach der erneuten Anmeldung wiederhergestellt. Bitte prüfen und speichern."
LONG_NOTE = ("Ausführliches Gespräch über die Wohnungssuche in Dülmen. " * 40).strip()


def login(browser, user, next_url):
    """Sign in through the real login form, as after a session expiry."""
    page = browser.get(reverse("login") + f"?next={next_url}")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return browser.post(
        reverse("login"),
        {
            "username": user.username,
            "password": "test-password-123",
            "next": next_url,
            "csrfmiddlewaretoken": token,
        },
    )


def expire_session(browser) -> None:
    """What the server does when the session times out: the session row is gone."""
    Session.objects.filter(session_key=browser.cookies["sessionid"].value).delete()


def test_a_contact_note_survives_an_expired_session(case_manager):
    case = CaseFactory(case_manager=case_manager)
    case_page = reverse("cases:detail", args=[case.pk])
    # CSRF checks on: the CSRF cookie outlives the session, so the late POST gets through.
    browser = BrowserSession(enforce_csrf_checks=True)
    browser.force_login(case_manager)
    page = browser.get(case_page, {"eingabe": "kontakt"}).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    token = re.search(r'name="contact-submit_token" value="([^"]+)"', page).group(1)
    expire_session(browser)

    response = browser.post(
        reverse("cases:add_contact", args=[case.pk]),
        {
            "csrfmiddlewaretoken": csrf,
            "contact-contacted_on": TODAY.isoformat(),
            "contact-channel": "in_person",
            "contact-duration_minutes": "45",
            "contact-note": LONG_NOTE,
            "contact-submit_token": token,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={case_page}"
    assert Contact.objects.count() == 0
    # Not in the URL, only in the server-side session.
    assert "Wohnungssuche" not in response["Location"]

    signed_in = login(browser, case_manager, case_page)
    assert signed_in.status_code == 302
    assert signed_in["Location"] == case_page
    restored = browser.get(case_page)
    html = restored.content.decode()
    assert RESTORED in html
    form = restored.context["contact_form"]
    assert form.is_bound
    assert form["note"].value() == LONG_NOTE
    assert form["duration_minutes"].value() == "45"
    assert 'id="panel-contact" open' in html
    # Pre-filled, not saved; and taken from the session once shown.
    assert Contact.objects.count() == 0
    assert SESSION_KEY not in browser.session
    assert RESTORED not in browser.get(case_page).content.decode()

    # Saving the restored form writes the contact once.
    browser.post(
        reverse("cases:add_contact", args=[case.pk]),
        {
            "csrfmiddlewaretoken": browser.cookies["csrftoken"].value,
            **{
                f"contact-{name}": form[name].value()
                for name in ("contacted_on", "channel", "duration_minutes")
            },
            "contact-note": LONG_NOTE,
            "contact-submit_token": token,
        },
    )
    assert Contact.objects.get(case=case).note == LONG_NOTE


def test_a_quick_contact_survives_an_expired_session(case_manager):
    case = CaseFactory(case_manager=case_manager)
    browser = BrowserSession()
    browser.force_login(case_manager)
    browser.get(reverse("dashboard"))
    expire_session(browser)
    response = browser.post(
        reverse("quick_contact"),
        {
            "quick-case": case.pk,
            "quick-channel": "phone",
            "quick-duration_minutes": "5",
            "quick-note": LONG_NOTE,
        },
    )
    assert response["Location"] == f"{reverse('login')}?next={reverse('dashboard')}"
    login(browser, case_manager, reverse("dashboard"))
    page = browser.get(reverse("dashboard"))
    assert RESTORED in page.content.decode()
    assert page.context["quick_form"]["note"].value() == LONG_NOTE
    assert 'id="panel-quick-contact" open' in page.content.decode()
    assert Contact.objects.count() == 0


def test_an_anonymous_post_is_kept_but_the_page_still_needs_a_sign_in(client):
    case = CaseFactory()
    response = client.post(reverse("cases:add_contact", args=[case.pk]), {})
    assert response.status_code == 302
    assert SESSION_KEY in client.session
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 302
