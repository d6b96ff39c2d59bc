"""The statement timeout: no web request's statement runs unbounded (kim/settings.py), and a
statement cancelled by it gives the German "zu lange gedauert" page (kim/health.py)."""

import os
import pathlib
import subprocess
import sys

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

ROOT = pathlib.Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's; SQLite has none")


def _show_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


def _timeout_in_process(code: str, **env) -> str:
    """SHOW statement_timeout on a new connection of a fresh process that loaded `code` first."""
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    script = (
        f"{code}\nfrom django.db import connection\n"
        "with connection.cursor() as c:\n    c.execute('SHOW statement_timeout'); print(c.fetchone()[0])\n"
    )
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("KIM_", "DJANGO_"))}
    environment.update(
        DATABASE_URL=url, SECRET_KEY="timeout-test-secret", DEBUG="false", KIM_PLAIN_STATIC="true", **env
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_web_processes_get_the_web_timeout_and_jobs_a_longer_one():
    wsgi = "import kim.wsgi"
    assert _timeout_in_process(wsgi) == "5s"
    assert _timeout_in_process(wsgi, KIM_STATEMENT_TIMEOUT_MS="1234") == "1234ms"
    # manage.py declares itself a job (migrations, retention, imports): one hour by default.
    job = "import os, sys; os.environ['DJANGO_SETTINGS_MODULE'] = 'kim.settings'\n"
    job += "sys.argv = ['manage.py', 'check']; import manage, django\n"
    job += "os.environ.setdefault('KIM_PROCESS_KIND', 'job'); django.setup()"
    assert _timeout_in_process(job) == "1h"
    assert _timeout_in_process(job, KIM_JOB_STATEMENT_TIMEOUT_MS="0") == "0"


def test_manage_py_declares_its_commands_jobs_but_not_the_development_server():
    script = "import os, sys, manage\nsys.argv = ['manage.py', '{}']\n"
    script += "import django.core.management as m; m.execute_from_command_line = lambda argv: None\n"
    script += "manage.main(); print(os.environ['KIM_PROCESS_KIND'])"
    for command, kind in (("migrate", "job"), ("runserver", "web")):
        environment = {key: value for key, value in os.environ.items() if key != "KIM_PROCESS_KIND"}
        result = subprocess.run(
            [sys.executable, "-c", script.format(command)],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.stdout.strip() == kind, result.stderr


# Transactional: the cancelled statement aborts the transaction it runs in, as in production
# (autocommit), not a test's savepoint.
@pytest.mark.django_db(transaction=True)
def test_a_statement_cancelled_by_the_timeout_gives_the_german_503_page(monkeypatch):
    """The database really cancels the statement: pg_sleep runs past a 100 ms timeout."""
    import casework.views.dashboard as dashboard_views
    from tests.factories import UserFactory

    def slow(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")

    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    monkeypatch.setattr(dashboard_views, "_render_dashboard", slow)
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 100")
    try:
        response = client.get("/")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")
    body = response.content.decode()
    assert response.status_code == 503
    assert "Die Anfrage hat zu lange gedauert" in body
    assert "Bitte grenzen Sie die Anfrage ein" in body
    assert "nicht erreichbar" not in body  # not the "database is away" page
    assert "Retry-After" not in response  # waiting does not help; a narrower request does
    # The connection stays usable for the worker's next request.
    assert client.get("/healthz").status_code == 200


def test_the_statistics_run_under_their_own_longer_timeout_and_restore_the_web_one(settings):
    from accounts.roles import COORDINATION
    from tests.conftest import make_staff

    settings.KIM_STATISTICS_STATEMENT_TIMEOUT_MS = 45000
    client = Client()
    client.force_login(make_staff(COORDINATION, ("Nord",)))
    before = _show_timeout()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/statistik/")
    assert response.status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    set_at = statements.index("SELECT set_config('statement_timeout', '45000', false)")
    assert "RESET statement_timeout" in statements[set_at + 1 :]
    assert _show_timeout() == before
