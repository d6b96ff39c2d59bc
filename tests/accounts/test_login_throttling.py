"""Login throttling that an attacker cannot turn against a user.

- Behind the reverse proxy every request comes from the proxy's address; the client's address
  is the one the proxy appends to X-Forwarded-For (KIM_TRUSTED_PROXY_COUNT proxies are trusted,
  none by default, so a forged header counts for nothing without a proxy).
- Five failures lock the combination of username and address, so an attacker locks out only
  themselves; the real user at their own address still gets in.
- A username attacked from many addresses is slowed down (each attempt waits), never locked.
"""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts import throttling

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"
PROXY = "10.0.0.5"
ATTACKER = "198.51.100.66"
REAL_USER = "192.0.2.10"


def _attempt(client, username, password, *, remote=PROXY, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


@pytest.fixture
def behind_proxy(settings):
    settings.KIM_TRUSTED_PROXY_COUNT = 1


@pytest.fixture
def pauses(monkeypatch):
    """The waits the slow path asks for, recorded instead of slept (no timed tests)."""
    waited = []
    monkeypatch.setattr(throttling, "pause", waited.append)
    return waited


def test_behind_the_proxy_the_attacker_locks_out_only_themselves(client, case_manager, behind_proxy):
    statuses = [
        _attempt(client, case_manager.username, "falsch", forwarded=ATTACKER).status_code for _ in range(6)
    ]
    assert statuses[-1] == 429

    response = _attempt(client, case_manager.username, PASSWORD, forwarded=REAL_USER)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(case_manager.pk)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_the_address_is_the_one_the_proxy_appended_not_one_the_client_made_up(
    client, case_manager, behind_proxy
):
    # The attacker forges a different first entry each time; the proxy's own entry (the last
    # one) is the attacker's real address, so the lockout still catches them.
    statuses = [
        _attempt(client, case_manager.username, "falsch", forwarded=f"203.0.113.{n}, {ATTACKER}").status_code
        for n in range(6)
    ]

    assert statuses[:4] == [200] * 4 and statuses[-1] == 429
    assert _attempt(client, case_manager.username, PASSWORD, forwarded=REAL_USER).status_code == 302


def test_without_a_trusted_proxy_the_header_is_ignored(client, case_manager):
    statuses = [
        _attempt(
            client, case_manager.username, "falsch", remote=ATTACKER, forwarded=f"203.0.113.{n}"
        ).status_code
        for n in range(6)
    ]

    assert statuses[-1] == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_a_request_that_bypassed_the_proxy_counts_as_the_proxy_address(client, case_manager, behind_proxy):
    _attempt(client, case_manager.username, "falsch", remote=ATTACKER)

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_a_username_attacked_from_many_addresses_is_slowed_down_not_locked(
    client, case_manager, behind_proxy, pauses, settings
):
    limit = settings.KIM_LOGIN_SLOWDOWN_AFTER
    for n in range(limit):
        assert (
            _attempt(client, case_manager.username, "falsch", forwarded=f"203.0.113.{n}").status_code == 200
        )
    assert pauses == [], "a few failures cost nothing"

    assert _attempt(client, case_manager.username, "falsch", forwarded="203.0.113.200").status_code == 200
    assert pauses and 0 < pauses[-1] <= settings.KIM_LOGIN_SLOWDOWN_MAX_SECONDS

    response = _attempt(client, case_manager.username, PASSWORD, forwarded=REAL_USER)
    assert response.status_code == 302, "the real user still gets in, only more slowly"
    assert len(pauses) == 2


def test_other_usernames_are_not_slowed_down(
    client, case_manager, coordinator, behind_proxy, pauses, settings
):
    for n in range(settings.KIM_LOGIN_SLOWDOWN_AFTER + 3):
        _attempt(client, case_manager.username, "falsch", forwarded=f"203.0.113.{n}")
    pauses.clear()

    assert _attempt(client, coordinator.username, PASSWORD, forwarded=REAL_USER).status_code == 302
    assert pauses == []


def test_the_wait_grows_with_the_attack_up_to_a_cap(case_manager, settings):
    limit = settings.KIM_LOGIN_SLOWDOWN_AFTER
    waits = [throttling.slowdown_seconds(failures) for failures in (limit - 1, limit, limit * 2, limit * 100)]

    assert waits[0] == 0
    assert 0 < waits[1] <= waits[2] <= waits[3] == settings.KIM_LOGIN_SLOWDOWN_MAX_SECONDS
