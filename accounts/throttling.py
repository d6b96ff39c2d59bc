"""Login throttling that cannot be turned against a user (django-axes and what it lacks).

django-axes locks the combination of username and address after five failures
(settings.AXES_LOCKOUT_PARAMETERS), so an attacker locks out only their own address. That
holds only if the address is the client's: behind the reverse proxy every request arrives from
the proxy, so `client_ip` takes the address the proxy appended to X-Forwarded-For. A username
attacked from many addresses (each below the lockout) is slowed down instead: every further
attempt for it waits a little (`SlowDownUnderAttackBackend`), the real user included, who
still gets in.
"""

import ipaddress
import time

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def client_ip(request) -> str | None:
    """The client's address, for django-axes (AXES_CLIENT_IP_CALLABLE).

    Each of the KIM_TRUSTED_PROXY_COUNT proxies in front appends the address it received the
    request from to X-Forwarded-For, so the client's address is that many entries from the
    right; anything further left was sent by the client and may be made up. Without trusted
    proxies (the default), or when the header has fewer entries than there are proxies (the
    request did not come through them), the connection's own address counts.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.KIM_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def slowdown_seconds(failures: int) -> float:
    """How long an attempt waits after `failures` recent failures for its username, from any
    address: nothing below KIM_LOGIN_SLOWDOWN_AFTER, then a quarter second more per failure up
    to KIM_LOGIN_SLOWDOWN_MAX_SECONDS (a cap: each wait holds a server worker)."""
    if failures < settings.KIM_LOGIN_SLOWDOWN_AFTER:
        return 0.0
    extra = 0.25 * (failures - settings.KIM_LOGIN_SLOWDOWN_AFTER + 1)
    return min(float(settings.KIM_LOGIN_SLOWDOWN_MAX_SECONDS), extra)


def recent_failures(username: str) -> int:
    """Failed attempts for `username` from every address within django-axes' cool-off time."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


def pause(seconds: float) -> None:
    time.sleep(seconds)


class SlowDownUnderAttackBackend:
    """An authentication backend that authenticates nobody: placed first, it makes a login
    attempt for a username under attack wait before django-axes and the password are asked.
    It covers every login form (the site's and the admin's) because all go through authenticate()."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and username:
            seconds = slowdown_seconds(recent_failures(username[:255]))
            if seconds:
                pause(seconds)
        # No get_user(): the backend never signs anyone in, so no session may name it (and
        # the test client's force_login() passes over it).
        return None
