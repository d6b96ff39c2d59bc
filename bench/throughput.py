"""Requests per second of one page through gunicorn, signed in, closed loop (no think time).

Usage (on the benchmark data set):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kim_bench .venv/bin/python bench/throughput.py \
        [--path /faelle/] [--user bench.cm] [--workers 2] [--concurrency 1 2 4] [--seconds 20]

Starts gunicorn (DEBUG off, as in production) with --workers sync workers, signs the user in
by a session written to the database, and keeps `concurrency` connections busy with GETs of
the page for --seconds each. Reports requests/s, requests/s per core (workers share the
machine's cores: requests/s divided by min(workers, cores)), p50/p95 latency, and the CPU
reference (bench.benchmark.cpu_reference) before and after: figures from a loaded machine
compare through it.
"""

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _session_cookie(username: str) -> str:
    """A signed-in session for `username`, written the way django.contrib.auth.login writes it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kim.settings")
    os.environ.setdefault("KIM_PROCESS_KIND", "job")
    # The session's data is signed with it: the server must run with the same key.
    os.environ.setdefault("SECRET_KEY", "throughput-only-" + "x" * 50)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _loop(url: str, cookie: str, until: float, latencies: list, errors: list) -> None:
    request = urllib.request.Request(url, headers={"Cookie": cookie, "Host": "127.0.0.1"})
    while time.perf_counter() < until:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
                if response.status != 200 or response.geturl() != url:  # e.g. sent to the login
                    errors.append(response.status)
        except Exception as error:  # a failed request counts, whatever it was
            errors.append(repr(error))
            continue
        latencies.append(time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--path", default="/faelle/")
    parser.add_argument("--user", default="bench.cm")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()

    from bench.benchmark import cpu_reference

    cookie = _session_cookie(args.user)
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kim.settings",
        "KIM_PROCESS_KIND": "web",
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "0",
        "KIM_PLAIN_STATIC": "true",
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "kim.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        url = f"http://127.0.0.1:{port}{args.path}"
        _loop(url, cookie, time.perf_counter() + 3, [], [])  # warm up every worker a little
        cores = min(args.workers, os.cpu_count() or 1)
        print(f"{args.path} as {args.user}, gunicorn {args.workers} sync workers, {os.cpu_count()} cores")
        for concurrency in args.concurrency:
            before = cpu_reference()
            latencies: list[float] = []
            errors: list = []
            until = time.perf_counter() + args.seconds
            threads = [
                threading.Thread(target=_loop, args=(url, cookie, until, latencies, errors))
                for _ in range(concurrency)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            after = cpu_reference()
            rate = len(latencies) / args.seconds
            ordered = sorted(latencies) or [0.0]
            print(
                f"concurrency {concurrency}: {rate:.1f} req/s, {rate / cores:.1f} req/s per core, "
                f"p50 {statistics.median(ordered) * 1000:.0f} ms, "
                f"p95 {ordered[int(0.95 * (len(ordered) - 1))] * 1000:.0f} ms, {len(errors)} errors; "
                f"CPU ref {before * 1000:.0f} / {after * 1000:.0f} ms; load {os.getloadavg()[0]:.1f}"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
