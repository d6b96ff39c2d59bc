"""The 30-minute inactivity logout, kept with one session write a minute (kim/middleware.py).

No clock is faked: "time passes" by moving the session's stored times (its expire_date in the
database and the last-save stamp inside it) into the past, as if the clock had moved on.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kim.middleware import SESSION_REFRESH_SECONDS, SESSION_SAVED_AT_KEY

pytestmark = pytest.mark.django_db

PAGE = reverse("cases:list")
LOGIN = reverse("login")


def session_row(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def let_time_pass(client, minutes: float) -> None:
    """Move the session `minutes` into the past: its expiry and its last-save stamp."""
    row = session_row(client)
    data = row.get_decoded()
    if SESSION_SAVED_AT_KEY in data:
        data[SESSION_SAVED_AT_KEY] -= int(minutes * 60)
    Session.objects.filter(pk=row.pk).update(
        session_data=SessionStore().encode(data),
        expire_date=row.expire_date - dt.timedelta(minutes=minutes),
    )


def session_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"]
    ]


def signed_in(client) -> bool:
    response = client.get(PAGE)
    if response.status_code == 302:
        assert response["Location"].startswith(LOGIN)
        return False
    assert response.status_code == 200
    return True


def test_the_refresh_middleware_replaces_saving_on_every_request():
    middleware = settings.MIDDLEWARE
    assert not settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert middleware.index("kim.middleware.SessionRefreshMiddleware") > middleware.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )


def test_a_session_idle_for_more_than_thirty_minutes_is_logged_out(client, case_manager):
    client.force_login(case_manager)
    assert signed_in(client)

    let_time_pass(client, 31)

    assert not signed_in(client)


def test_a_session_idle_for_less_than_thirty_minutes_stays_signed_in(client, case_manager):
    client.force_login(case_manager)
    assert signed_in(client)

    let_time_pass(client, 28)

    assert signed_in(client)


def test_two_requests_within_a_minute_write_the_session_at_most_once(client, case_manager):
    client.force_login(case_manager)

    with CaptureQueriesContext(connection) as queries:
        assert signed_in(client)
        assert signed_in(client)

    assert len(session_writes(queries.captured_queries)) <= 1


def test_requests_soon_after_a_save_write_nothing(client, case_manager):
    client.force_login(case_manager)
    assert signed_in(client)  # stamps and saves the session

    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            assert signed_in(client)

    assert session_writes(queries.captured_queries) == []
    assert not [q for q in queries.captured_queries if "SAVEPOINT" in q["sql"] or q["sql"] == "BEGIN"]


def test_a_request_a_minute_after_the_last_save_moves_the_expiry(client, case_manager):
    client.force_login(case_manager)
    assert signed_in(client)
    let_time_pass(client, SESSION_REFRESH_SECONDS / 60)
    before = session_row(client).expire_date

    with CaptureQueriesContext(connection) as queries:
        assert signed_in(client)

    assert len(session_writes(queries.captured_queries)) == 1
    after = session_row(client).expire_date
    assert after - before >= dt.timedelta(seconds=SESSION_REFRESH_SECONDS - 1)
    assert after - timezone.now() > dt.timedelta(minutes=29)


def test_activity_keeps_the_session_alive_well_past_thirty_minutes(client, case_manager):
    client.force_login(case_manager)
    assert signed_in(client)

    # A request every ten minutes for an hour and a half: never logged out.
    for _ in range(9):
        let_time_pass(client, 10)
        assert signed_in(client)

    # Then half an hour and a minute without a request: logged out.
    let_time_pass(client, 31)
    assert not signed_in(client)


def test_activity_within_the_refresh_minute_does_not_extend_the_session_forever(client, case_manager):
    """Requests that write nothing leave the expiry where the last save put it."""
    client.force_login(case_manager)
    assert signed_in(client)
    expiry = session_row(client).expire_date

    assert signed_in(client)

    assert session_row(client).expire_date == expiry


def test_logging_in_through_the_form_stamps_the_session(client, case_manager):
    response = client.post(LOGIN, {"username": case_manager.username, "password": "test-password-123"})
    assert response.status_code == 302

    data = session_row(client).get_decoded()
    assert data[SESSION_KEY] == str(case_manager.pk)
    assert SESSION_SAVED_AT_KEY in data


def test_anonymous_requests_and_stale_cookies_create_no_session(client):
    assert client.get(LOGIN).status_code == 200
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session-key-000000000000"

    assert client.get(LOGIN).status_code == 200
    assert client.get(PAGE).status_code == 302

    assert not Session.objects.exists()


def test_logging_out_ends_the_session(client, case_manager):
    client.force_login(case_manager)
    assert signed_in(client)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    client.post(reverse("logout"))

    assert not Session.objects.filter(session_key=key).exists()
    assert not signed_in(client)


# --- Absolute lifetime: a session in use still ends after KIM_SESSION_MAX_HOURS -------------


def let_the_session_age(client, hours: float) -> None:
    """Move the session's start `hours` into the past, as if it had been used all along."""
    from kim.middleware import SESSION_STARTED_AT_KEY

    row = session_row(client)
    data = row.get_decoded()
    data[SESSION_STARTED_AT_KEY] -= int(hours * 3600)
    Session.objects.filter(pk=row.pk).update(session_data=SessionStore().encode(data))


def test_the_absolute_lifetime_defaults_to_ten_hours():
    assert settings.KIM_SESSION_MAX_HOURS == 10


def test_a_session_in_use_ends_after_the_absolute_lifetime(client, case_manager):
    client.post(LOGIN, {"username": case_manager.username, "password": "test-password-123"})
    assert signed_in(client)

    let_the_session_age(client, 9.9)
    assert signed_in(client)  # activity within the day keeps it
    let_the_session_age(client, 0.2)

    assert not signed_in(client)
    assert SESSION_KEY not in client.session


def test_the_absolute_lifetime_is_a_setting(client, case_manager, settings):
    settings.KIM_SESSION_MAX_HOURS = 1
    client.force_login(case_manager)
    assert signed_in(client)

    let_the_session_age(client, 1.1)

    assert not signed_in(client)
