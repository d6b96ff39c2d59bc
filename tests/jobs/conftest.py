"""A real Celery worker process on the real Redis, against the test database.

The worker is a separate process, so what it should see must be committed: the tests that use
it are transactional (`django_db(transaction=True)`), and they need PostgreSQL (an in-memory
SQLite test database cannot be shared). Without Redis they are skipped with a reason, except
under CI=true, where they fail.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("KIM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_url():
    if not redis_available():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is required under CI=true but {REDIS_URL} does not answer.")
        pytest.skip(f"Redis not reachable at {REDIS_URL} (start redis-server); worker tests skipped")
    return REDIS_URL


def database_url() -> str:
    """The test database as a DATABASE_URL for another process."""
    from django.db import connection

    params = connection.settings_dict
    if params["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip(
            "needs PostgreSQL: the worker process shares the test database (DATABASE_URL=postgres://…)"
        )
    user = params.get("USER") or ""
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}"


class Processes:
    """Processes started for one test, each with the environment of a KIM installation that
    shares this test's database, Redis queue, cache and file folder."""

    def __init__(self, tmp_path: Path, env: dict):
        self.tmp_path, self.env, self.started = tmp_path, env, []

    def start(self, name: str, args: list[str], *, ready: str, timeout: float = 60) -> subprocess.Popen:
        log = self.tmp_path / f"{name}.log"
        handle = log.open("wb")
        process = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT)
        process.log = log
        self.started.append(process)
        until = time.monotonic() + timeout
        while ready not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > until:
                pytest.fail(f"{name} did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)
        return process

    def worker(self) -> subprocess.Popen:
        # The solo pool runs the task in the worker process itself, so killing that process
        # kills the task (as a crashed machine would).
        return self.start(
            "worker",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "kim",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--queues",
                self.env["CELERY_TASK_DEFAULT_QUEUE"],
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--hostname",
                f"test-{uuid.uuid4().hex[:8]}@%h",
            ],
            ready=" ready.",
        )

    def app_server(self, port: int) -> subprocess.Popen:
        return self.start(
            f"app-{port}",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "kim.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--access-logfile",
                "-",
            ],
            ready="Booting worker",
        )

    def stop_all(self) -> None:
        # Killed, not shut down gracefully: each test's processes are its own, and a graceful
        # stop of gunicorn and Celery costs seconds per test.
        for process in self.started:
            if process.poll() is None:
                process.kill()
        for process in self.started:
            process.wait()


@pytest.fixture
def background(redis_url, transactional_db, settings, tmp_path):
    """Points this test process at Redis (broker and progress cache) and yields a starter of
    workers and app servers that share the test database, queue, cache and files."""

    from kim.celery import app

    tag = uuid.uuid4().hex[:12]
    queue, prefix = f"kim-test-{tag}", f"kim-test-{tag}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    app.conf.broker_url = redis_url
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kim.settings_test",
        "DATABASE_URL": database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CACHE_KEY_PREFIX": prefix,
        "KIM_JOB_FILES_ROOT": str(settings.STORAGES["jobs"]["OPTIONS"]["location"]),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    processes = Processes(tmp_path, env)
    try:
        yield processes
    finally:
        processes.stop_all()


def wait_for(condition, *, timeout: float = 120, interval: float = 0.2):
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    pytest.fail("timed out waiting")
