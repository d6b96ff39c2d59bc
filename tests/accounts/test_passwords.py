"""Every signed-in user changes their own password; a forgotten one is reset by e-mail.

Django's own views (German templates). The reset page answers the same whether or not an
account has the address (no user enumeration), and sends at most a few mails per address
and per account in an hour.
"""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"
NEW_PASSWORD = "Kreis-Coesfeld-neu-2026"


def test_a_signed_in_user_changes_their_password(client, case_manager):
    client.force_login(case_manager)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "Passwort ändern" in page.content.decode()

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    case_manager.refresh_from_db()
    assert case_manager.check_password(NEW_PASSWORD)
    assert client.session[SESSION_KEY] == str(case_manager.pk)  # still signed in
    assert "geändert" in client.get(response["Location"]).content.decode()


def test_a_wrong_old_password_or_a_weak_new_one_is_refused_in_german(client, case_manager):
    client.force_login(case_manager)
    wrong = client.post(
        reverse("password_change"),
        {"old_password": "falsch", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    weak = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "kurz", "new_password2": "kurz"},
    )

    assert wrong.status_code == weak.status_code == 200
    assert "Das alte Passwort war falsch" in wrong.content.decode()
    assert "zu kurz" in weak.content.decode()
    case_manager.refresh_from_db()
    assert case_manager.check_password(PASSWORD)


def test_the_ui_links_to_changing_and_resetting_the_password(client, case_manager):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()
    client.force_login(case_manager)
    assert reverse("password_change") in client.get(reverse("dashboard")).content.decode()


def _request_reset(client, email, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def test_a_reset_mail_lets_the_user_set_a_new_password(client, case_manager):
    response = _request_reset(client, case_manager.email)

    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [case_manager.email] and "Passwort" in message.subject
    link = re.search(r"https?://[^/]+(/\S+)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    case_manager.refresh_from_db()
    assert case_manager.check_password(NEW_PASSWORD)
    assert SESSION_KEY not in client.session  # signing in stays the login page's job


def test_the_reset_page_does_not_tell_whether_an_account_exists(client, case_manager):
    known = _request_reset(client, case_manager.email)
    unknown = _request_reset(client, "niemand@example.org")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1
    page = client.get(known["Location"]).content.decode()
    assert "Falls" in page  # "Falls ein Konto mit dieser Adresse besteht, …"


def test_reset_requests_are_throttled_per_address_and_per_account(client, settings):
    user = UserFactory()
    limit = settings.KIM_PASSWORD_RESET_LIMIT
    for _ in range(limit + 3):
        assert _request_reset(client, user.email).status_code == 302
    assert len(mail.outbox) == limit, "no more mails for this account within the hour"

    other = UserFactory()
    for n in range(limit + 3):
        _request_reset(client, other.email, REMOTE_ADDR=f"192.0.2.{n}")
    assert len(mail.outbox) == 2 * limit

    mail.outbox.clear()
    for _ in range(limit * 4):
        _request_reset(client, UserFactory().email, REMOTE_ADDR="198.51.100.9")
    assert len(mail.outbox) == limit * 2, "one address cannot send mails to everyone"
