"""Account security: login throttling, the admin's second factor, sessions, passwords,
the Content-Security-Policy, deployment settings and personal data kept out of logs."""

import datetime as dt
import logging
import os
import re
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.management.commands.totp_code import current_token
from kim.admin import NO_OTP_DEVICE
from kim.logging import REDACTED_QUERY, RedactQueryStrings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("login")
ADMIN_URL = reverse("admin:index")
ADMIN_LOGIN_URL = reverse("admin:login")
PASSWORD = "test-password-123"  # UserFactory's
LOCKED_OUT = "Anmeldung vorübergehend gesperrt"


def _log_in(client, username: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password}, **extra)


def _fail(client, username: str, times: int, **extra):
    return [_log_in(client, username, "falsches-Passwort", **extra).status_code for _ in range(times)]


# --- Login throttling (django-axes) ---------------------------------------------------------


def test_five_failed_logins_lock_the_account_with_a_clear_german_page(client, case_manager):
    assert _fail(client, case_manager.username, 4) == [200] * 4

    response = _log_in(client, case_manager.username, "falsches-Passwort")

    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED_OUT in page
    assert "Bitte versuchen Sie es in 30 Minuten noch einmal." in page
    assert "KIM-Administration" in page
    assert "registration/locked_out.html" in [t.name for t in response.templates]


def test_a_locked_account_stays_locked_even_with_the_right_password(client, case_manager):
    _fail(client, case_manager.username, 5)

    response = _log_in(client, case_manager.username)

    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_the_lockout_is_per_username_and_address(client, case_manager):
    _fail(client, case_manager.username, 5)

    assert _log_in(client, case_manager.username, REMOTE_ADDR="10.1.2.3").status_code == 302
    other = UserFactory()
    assert _log_in(client, other.username).status_code == 302


def test_the_lockout_ends_after_thirty_minutes(client, case_manager):
    _fail(client, case_manager.username, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=29))
    assert _log_in(client, case_manager.username).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))

    assert _log_in(client, case_manager.username).status_code == 302


def test_an_administrator_can_lift_a_lockout(client, case_manager):
    _fail(client, case_manager.username, 5)

    call_command("axes_reset_username", case_manager.username, stdout=StringIO())

    assert _log_in(client, case_manager.username).status_code == 302


def test_a_successful_login_resets_the_count(client, case_manager):
    _fail(client, case_manager.username, 4)
    assert _log_in(client, case_manager.username).status_code == 302
    client.logout()

    assert _fail(client, case_manager.username, 4) == [200] * 4


def test_the_test_clients_login_works_when_given_a_request(client, case_manager):
    # django-axes needs the request; Django's test client passes none unless asked to.
    assert client.login(request=HttpRequest(), username=case_manager.username, password=PASSWORD)


# --- Second factor for the admin (django-otp) -----------------------------------------------


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def device(staff):
    return TOTPDevice.objects.create(user=staff, name="Authenticator-App", confirmed=True)


def _admin_login(client, user, token: str):
    return client.post(
        ADMIN_LOGIN_URL,
        {"username": user.username, "password": PASSWORD, "otp_token": token, "next": ADMIN_URL},
    )


def test_staff_logged_in_without_a_second_factor_are_asked_for_the_code(client, staff, device):
    client.force_login(staff)

    response = client.get(ADMIN_URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('second_factor')}?next={ADMIN_URL}"
    code_page = client.get(response["Location"]).content.decode()
    assert 'name="otp_token"' in code_page
    # Signed out, the admin's own login (name, password and code in one step) is unchanged.
    client.logout()
    assert client.get(ADMIN_URL)["Location"] == f"{ADMIN_LOGIN_URL}?next={ADMIN_URL}"
    assert 'name="otp_token"' in client.get(ADMIN_LOGIN_URL).content.decode()


def test_the_admin_login_with_the_right_code_lets_staff_in(client, staff, device):
    response = _admin_login(client, staff, current_token(device))

    assert response.status_code == 302
    assert response["Location"] == ADMIN_URL
    assert client.get(ADMIN_URL).status_code == 200


def test_the_admin_login_with_a_wrong_code_fails(client, staff, device):
    wrong = f"{(int(current_token(device)) + 1) % 1_000_000:06d}"

    response = _admin_login(client, staff, wrong)

    assert response.status_code == 200
    assert [error.code for error in response.context["form"].errors.as_data()["__all__"]] == ["invalid_token"]
    assert client.get(ADMIN_URL).status_code == 302


def test_the_admin_login_without_a_code_fails(client, staff, device):
    response = _admin_login(client, staff, "")

    assert response.status_code == 200
    assert client.get(ADMIN_URL).status_code == 302


def test_staff_without_a_device_are_told_how_to_get_one(client, staff):
    response = _admin_login(client, staff, "123456")

    assert response.status_code == 200
    assert str(NO_OTP_DEVICE) in response.content.decode()


def test_add_totp_device_prints_the_address_for_the_authenticator_app(staff):
    out = StringIO()

    call_command("add_totp_device", staff.username, stdout=out)

    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed
    assert "otpauth://totp/" in out.getvalue()
    with pytest.raises(CommandError, match="--replace"):
        call_command("add_totp_device", staff.username, stdout=StringIO())
    call_command("add_totp_device", staff.username, "--replace", stdout=StringIO())
    assert TOTPDevice.objects.get(user=staff).pk != device.pk


def test_totp_code_refuses_to_run_without_debug(staff, device):
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("totp_code", staff.username, stdout=StringIO())


def test_the_demo_admin_logs_in_with_the_code_setup_demo_explains(client, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("setup_demo", cases=2, stdout=out)
    assert "manage.py totp_code admin" in out.getvalue()

    code = StringIO()
    call_command("totp_code", "admin", stdout=code)
    response = client.post(
        ADMIN_LOGIN_URL,
        {"username": "admin", "password": "kim-demo-2026", "otp_token": code.getvalue().strip()},
    )

    assert response.status_code == 302
    assert client.get(ADMIN_URL).status_code == 200


# --- Sessions and passwords -----------------------------------------------------------------


def test_login_gives_a_new_session_id(client, case_manager):
    session = client.session
    session["probe"] = "vor der Anmeldung"
    session.save()
    before = session.session_key

    assert _log_in(client, case_manager.username).status_code == 302

    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.session[SESSION_KEY] == str(case_manager.pk)


def test_the_session_ends_with_the_browser_or_after_thirty_idle_minutes(client, case_manager):
    response = _log_in(client, case_manager.username)

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert (cookie["expires"], cookie["max-age"]) == ("", "")  # a browser-session cookie
    session = Session.objects.get(session_key=cookie.value)
    assert session.expire_date - timezone.now() <= dt.timedelta(minutes=30)
    # Activity restarts the 30 minutes (tests/test_sessions.py).
    assert "kim.middleware.SessionRefreshMiddleware" in settings.MIDDLEWARE


def test_passwords_need_at_least_twelve_characters(case_manager):
    with pytest.raises(ValidationError) as error:
        validate_password("Kreis-Cf-26", user=case_manager)
    assert "password_too_short" in [e.code for e in error.value.error_list]

    validate_password("Kreis-Coe-26x", user=case_manager)


# --- Content-Security-Policy ----------------------------------------------------------------


def _policy(response) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))


def test_pages_carry_a_content_security_policy_without_inline_code(client, admin_client):
    for response in (client.get(LOGIN_URL), admin_client.get(ADMIN_URL)):
        policy = _policy(response)
        assert policy["default-src"] == policy["script-src"] == policy["style-src"] == "'self'"
        assert policy["img-src"] == "'self' data:"
        assert policy["form-action"] == "'self'"
        assert policy["frame-ancestors"] == policy["base-uri"] == policy["object-src"] == "'none'"
        assert "unsafe" not in response["Content-Security-Policy"]


INLINE_CODE = re.compile(
    r"""\sstyle\s*=|<style\b|<script\b(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=\s*["']|javascript:""",
    re.IGNORECASE,
)


def _template_files():
    """Our templates: the project's and those of our own apps (not of installed packages)."""
    roots = [Path(root) for engine in settings.TEMPLATES for root in engine["DIRS"]]
    roots += [
        Path(config.path) / "templates"
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR) and "site-packages" not in config.path
    ]
    return sorted(path for root in roots if root.is_dir() for path in root.rglob("*.html"))


def test_no_template_has_inline_styles_or_scripts():
    """The policy would block them in the browser; this finds them before a user does."""
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0).strip()}"
        for path in _template_files()
        for match in INLINE_CODE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# --- Production settings ----------------------------------------------------------------------


def test_deployment_checks_pass_with_production_settings():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "KIM_ALLOW_INSECURE_KEY"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "kim.settings",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "kim.example",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr


# --- No personal data in logs or URLs -------------------------------------------------------

SENTINEL = "Zzyzx-Sentinel"


def _record_text(record: logging.LogRecord) -> str:
    """Everything a handler or error report could write out of a log record."""
    parts = [record.getMessage(), repr(record.args)]
    for value in vars(record).values():
        parts.append(repr(value))
        if isinstance(value, HttpRequest):
            parts += [value.get_full_path(), repr(dict(value.GET)), repr(dict(value.POST))]
            parts += [str(meta) for meta in value.META.values()]
    return "\n".join(parts)


def test_search_terms_in_query_strings_do_not_reach_the_log(client, case_manager, caplog):
    client.force_login(case_manager)
    caplog.set_level(logging.DEBUG)

    assert client.get(reverse("cases:list"), {"q": SENTINEL}).status_code == 200
    assert client.get(reverse("cases:detail", args=[999_999]), {"q": SENTINEL}).status_code == 404
    assert client.get("/gibt-es-nicht/", {"q": SENTINEL}).status_code == 404

    not_found = [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.WARNING]
    assert len(not_found) == 2  # the 404s were logged, …
    assert [r for r in caplog.records if SENTINEL in _record_text(r)] == []  # … without the term


def test_the_development_server_log_shows_no_query_strings():
    server_logger = logging.getLogger("django.server")
    assert any(isinstance(f, RedactQueryStrings) for f in server_logger.filters)
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /klienten/?q={SENTINEL} HTTP/1.1", "200", "512"),
        None,
    )

    RedactQueryStrings().filter(record)

    assert record.getMessage() == f'"GET /klienten/{REDACTED_QUERY} HTTP/1.1" 200 512'


def test_a_client_name_appears_in_no_log_record_and_no_url(client, case_manager, caplog):
    from casework.models import Client
    from tests.casework.test_views_clients import _create_data

    client.force_login(case_manager)
    caplog.set_level(logging.DEBUG)
    urls = []

    def visit(response):
        urls.append(response.request["PATH_INFO"])
        if response.has_header("Location"):
            urls.append(response["Location"])
        return response

    # Error path first: the form comes back with the name in it, nothing is saved.
    response = visit(
        client.post(reverse("clients:create"), _create_data(last_name=SENTINEL, postal_code="x"))
    )
    assert response.status_code == 200
    visit(client.post(reverse("clients:create"), _create_data(last_name=SENTINEL)))
    person = Client.objects.get(last_name=SENTINEL)
    visit(client.get(reverse("clients:detail", args=[person.pk])))
    edit_url = reverse("clients:edit", args=[person.pk])
    visit(client.post(edit_url, _create_data(first_name=SENTINEL, last_name=SENTINEL, postal_code="x")))
    visit(client.post(edit_url, _create_data(first_name=SENTINEL, last_name=SENTINEL)))
    visit(client.get(reverse("clients:list"), {"q": SENTINEL}))
    visit(client.get(reverse("clients:detail", args=[person.pk + 1000]), {"q": SENTINEL}))

    person.refresh_from_db()
    assert person.first_name == SENTINEL
    assert [url for url in urls if SENTINEL in url] == []
    assert [r for r in caplog.records if SENTINEL in _record_text(r)] == []
