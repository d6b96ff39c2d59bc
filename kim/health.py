"""Database faults: the 503 page and the load balancer's health check.

Both answer without the database: the 503 page is rendered from a template without a
request (so no context processor, no session, no user is touched), and /healthz reads
nothing but `SELECT 1` and the broker's handshake.
"""

import logging
import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# Errors that mean "the database is not there or not answering" rather than a fault in the
# application: refused or timed-out connections, a connection lost mid-request, a statement
# cancelled by its timeout. The user can do nothing but wait, so they get 503 and Retry-After.
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
# SQLSTATE of a statement cancelled by statement_timeout (or by pg_cancel_backend).
QUERY_CANCELED = "57014"


def database_unavailable_response() -> HttpResponse:
    # No request passed to render(): context processors (the user, messages) would go to the
    # database that just failed.
    content = loader.get_template("503.html").render({"retry_after": settings.KIM_RETRY_AFTER_SECONDS})
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(settings.KIM_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def statement_cancelled(error: BaseException | None) -> bool:
    """Whether the database cancelled a statement because it ran past its statement timeout."""
    cause = getattr(error, "__cause__", None)
    return isinstance(error, OperationalError) and getattr(cause, "pgcode", None) == QUERY_CANCELED


def statement_cancelled_response() -> HttpResponse:
    """503 for a request whose query ran past the statement timeout (kim/settings.py).

    The database is there; this request asked too much of it (for example a search over
    millions of rows in the admin). Trying again unchanged would fail again, so the page asks
    for a narrower search rather than for patience.
    """
    content = loader.get_template("503_timeout.html").render(
        {"seconds": max(1, round(settings.KIM_STATEMENT_TIMEOUT_MS / 1000))}
    )
    response = HttpResponse(content, status=503)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, template_name: str = "500.html") -> HttpResponse:
    """handler500: the database being away is a 503 with Retry-After, a statement cancelled by
    its timeout a 503 that asks for a narrower request, anything else the 500 page.

    Django calls this while handling the exception, so sys.exc_info() names it; that also
    covers faults raised in middleware (the session, the user), not only in views.
    """
    error = sys.exc_info()[1]
    if statement_cancelled(error):
        # The path only (ids, no query string): a search term may be a name.
        logger.warning("Statement timeout: request to %s cancelled", request.path)
        return statement_cancelled_response()
    if isinstance(error, UNAVAILABLE_ERRORS):
        return database_unavailable_response()
    return HttpResponseServerError(loader.get_template(template_name).render())


def _database_ok() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check: database unreachable")
        # A broken connection must not be reused by the next request of this worker.
        connections["default"].close_if_unusable_or_obsolete()
        return False
    return True


def _broker_ok(url: str) -> bool:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=settings.KIM_HEALTH_BROKER_TIMEOUT_SECONDS) as connection:
            connection.ensure_connection(max_retries=1, timeout=settings.KIM_HEALTH_BROKER_TIMEOUT_SECONDS)
    except Exception:  # any failure to reach the broker is "not ok"
        logger.warning("Health check: broker unreachable")
        return False
    return True


@never_cache
@require_GET
def healthz(request) -> JsonResponse:
    """For the load balancer: 200 when this node can serve, 503 when it cannot.

    No login, no session, no audit entry, and nothing about any person: only "ok"/"error"
    per dependency. The broker is checked only when one is configured (CELERY_BROKER_URL).
    """
    checks = {"database": "ok" if _database_ok() else "error"}
    broker_url = getattr(settings, "CELERY_BROKER_URL", "") or ""
    if broker_url:
        checks["broker"] = "ok" if _broker_ok(broker_url) else "error"
    healthy = all(value == "ok" for value in checks.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )
    if not healthy:
        response["Retry-After"] = str(settings.KIM_RETRY_AFTER_SECONDS)
    return response
