"""Database faults: the German 503 page with Retry-After, the connect timeout, and /healthz."""

import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.test import Client, override_settings

from audit.models import AuditEntry

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, *, headers: dict | None = None, timeout: float = 20) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def app_without_database():
    """The app under gunicorn, as in production, with its database on a port nobody listens on."""

    def start(database_port: int, **env) -> str:
        port = _free_port()
        process = subprocess.Popen(
            [
                str(pathlib.Path(sys.executable).parent / "gunicorn"),
                "kim.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "kim.settings",
                "DATABASE_URL": f"postgres://kim@127.0.0.1:{database_port}/kim",
                "SECRET_KEY": "health-test-secret",
                "DEBUG": "false",
                "SECURE_SSL_REDIRECT": "false",
                "SECURE_COOKIES": "false",
                "KIM_PLAIN_STATIC": "true",
                "CELERY_BROKER_URL": "",
                **env,
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return base
            except OSError:
                if process.poll() is not None:
                    pytest.fail(process.stderr.read().decode())
                time.sleep(0.1)
        pytest.fail("gunicorn did not start")

    started: list[subprocess.Popen] = []
    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def test_a_page_answers_503_in_german_with_retry_after_when_the_database_is_unreachable(app_without_database):
    base = app_without_database(_free_port())
    # A signed-in user's session cookie: the session is read from the database.
    status, headers, body = _get(f"{base}/", headers={"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345"})
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert "vorübergehend nicht erreichbar" in body
    assert "Die Datenbank antwortet gerade nicht" in body
    assert "Internal Server Error" not in body


def test_healthz_answers_503_when_the_database_is_unreachable(app_without_database):
    base = app_without_database(_free_port())
    status, headers, body = _get(f"{base}/healthz")
    assert status == 503
    assert "Retry-After" in headers
    assert '"database": "error"' in body


def test_a_database_that_accepts_but_never_answers_fails_after_the_connect_timeout(app_without_database):
    # A socket that completes the TCP handshake (the kernel's backlog) but never speaks:
    # without a connect timeout libpq would wait for ever, and so would the request.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        base = app_without_database(
            silent.getsockname()[1], DATABASE_CONNECT_TIMEOUT="2", KIM_RETRY_AFTER_SECONDS="90"
        )
        status, headers, body = _get(f"{base}/healthz", timeout=30)
    assert status == 503
    assert headers["Retry-After"] == "90"


@pytest.mark.django_db
def test_healthz_answers_200_without_login_session_or_audit_entry():
    client = Client()
    before = AuditEntry.objects.count()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert "sessionid" not in response.cookies
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_healthz_checks_the_broker_when_one_is_configured():
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{_free_port()}/0"):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "error"}


@pytest.mark.django_db
def test_healthz_is_ok_with_a_reachable_broker():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/0"):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_a_connection_lost_inside_a_view_gives_the_503_page(monkeypatch):
    """In-process: the error handler turns the database's OperationalError into the 503 page,
    whichever code met it first."""
    from django.db import OperationalError

    import casework.views.dashboard as dashboard_views
    from tests.factories import UserFactory

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    monkeypatch.setattr(dashboard_views, "_render_dashboard", lost)
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "vorübergehend nicht erreichbar" in response.content.decode()


@pytest.mark.django_db
def test_other_errors_still_give_the_500_page(monkeypatch):
    import casework.views.dashboard as dashboard_views
    from tests.factories import UserFactory

    def broken(*args, **kwargs):
        raise ValueError("a bug")

    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    monkeypatch.setattr(dashboard_views, "_render_dashboard", broken)
    response = client.get("/")
    assert response.status_code == 500
    assert "Ein Fehler ist aufgetreten" in response.content.decode()
