"""Load test: N concurrent signed-in case managers against a running KIM server.

Usage (against gunicorn started by scripts/serve or bench/run_loadtest.sh):

    DJANGO_SETTINGS_MODULE=kim.settings DATABASE_URL=... .venv/bin/python bench/loadtest.py \
        --base http://127.0.0.1:8811 --users 100 --seconds 120

It creates (or reuses) one case-manager account per simulated user in the database,
then each user logs in through the real login form and loops over a realistic mix:
case list, filtered case list, case detail and adding a contact. Reports throughput,
latency percentiles per kind of request, and every error. Standard library only.
"""

import argparse
import http.cookiejar
import os
import random
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSWORD = "load-test-password-2026"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK_RE = re.compile(r'href="/faelle/(\d+)/"')
MIX = [("list", 40), ("filter", 25), ("detail", 25), ("add_contact", 10)]


def prepare_users(count: int) -> list[str]:
    """One case manager per simulated user, in all regions, each with some open cases."""
    import django

    django.setup()
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.roles import CASE_MANAGEMENT
    from casework.lifecycle import OPEN_PHASES
    from casework.models import Case
    from regions.models import District

    district = District.objects.get(key="05558")
    group, _ = Group.objects.get_or_create(name=CASE_MANAGEMENT)
    open_cases = list(Case.objects.filter(phase__in=OPEN_PHASES).values_list("pk", flat=True)[: count * 10])
    names = []
    for n in range(count):
        user, created = User.objects.get_or_create(
            username=f"load.{n:03d}",
            defaults={"first_name": "Last", "last_name": f"Test {n:03d}", "district": district},
        )
        if created:
            user.set_password(PASSWORD)
            user.save()
            user.groups.add(group)
            user.regions.set(district.regions.all())
        mine = open_cases[n * 10 : (n + 1) * 10]
        Case.objects.filter(pk__in=mine).update(case_manager=user)
        names.append(user.username)
    return names


class Session:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            # Counted as an error by the caller (status 0), not a crashed user thread.
            return 0, str(error)

    def login(self, username: str) -> None:
        status, html = self.request("/anmelden/")
        token = CSRF_RE.search(html).group(1)
        status, html = self.request(
            "/anmelden/",
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD, "next": "/"},
        )
        if status != 200 or "Mein Arbeitsplatz" not in html:
            raise RuntimeError(f"login failed for {username}: {status}")


def simulate(base, username, deadline, results, errors, rng):
    session = Session(base)
    try:
        session.login(username)
    except Exception as exc:
        errors.append(f"login {username}: {exc}")
        return
    case_ids: list[str] = []
    kinds, weights = zip(*MIX, strict=True)
    while time.monotonic() < deadline:
        kind = rng.choices(kinds, weights)[0]
        if kind in ("detail", "add_contact") and not case_ids:
            kind = "list"
        started = time.perf_counter()
        if kind == "list":
            status, html = session.request("/faelle/?manager=me&phase=open")
            case_ids = CASE_LINK_RE.findall(html) or case_ids
        elif kind == "filter":
            query = rng.choice(
                [
                    "phase=assessment",
                    "region=1&phase=open",
                    "q=m%C3%BCller",
                    "overdue=true",
                    "legal_framework=1&o=-opened_on",
                ]
            )
            status, html = session.request(f"/faelle/?{query}")
        elif kind == "detail":
            status, html = session.request(f"/faelle/{rng.choice(case_ids)}/")
        else:
            case_id = rng.choice(case_ids)
            status, html = session.request(f"/faelle/{case_id}/")
            token = CSRF_RE.search(html)
            extra = dict(re.findall(r'name="(contact-submit_token|contact-version)" value="([^"]*)"', html))
            if status == 200 and token:
                started = time.perf_counter()
                status, html = session.request(
                    f"/faelle/{case_id}/kontakt/",
                    {
                        "csrfmiddlewaretoken": token.group(1),
                        "contact-contacted_on": time.strftime("%Y-%m-%d"),
                        "contact-channel": "phone",
                        "contact-duration_minutes": "15",
                        "contact-note": "Lasttest: kurzer Anruf.",
                        **extra,
                    },
                )
                if status == 200 and "Kontakt gespeichert" not in html and "abgeschlossen" not in html:
                    status = 599  # form error where none was expected
        elapsed = time.perf_counter() - started
        results[kind].append(elapsed)
        if status >= 400 or status == 0:
            errors.append(f"{kind}: HTTP {status}" if status else f"{kind}: no answer within 30 s")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8811")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--report", help="append a Markdown section to this file")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kim.settings")
    users = prepare_users(args.users)
    results: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    deadline = time.monotonic() + args.seconds
    threads = [
        threading.Thread(
            target=simulate,
            args=(args.base, name, deadline, results, errors, random.Random(args.seed + i)),
            daemon=True,
        )
        for i, name in enumerate(users)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.monotonic() - started
    total = sum(len(v) for v in results.values())
    lines = [
        f"Load test: {args.users} users, {duration:.0f} s, {total} requests, "
        f"{total / duration:.1f} requests/s, {len(errors)} errors",
        "",
        "| request | count | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, _ in MIX:
        values = results.get(kind) or [0.0]
        lines.append(
            f"| {kind} | {len(results.get(kind, []))} | {statistics.median(values) * 1000:.0f} | "
            f"{percentile(values, 95) * 1000:.0f} | {max(values) * 1000:.0f} |"
        )
    everything = [v for values in results.values() for v in values] or [0.0]
    lines.append(
        f"| all | {total} | {statistics.median(everything) * 1000:.0f} | "
        f"{percentile(everything, 95) * 1000:.0f} | {max(everything) * 1000:.0f} |"
    )
    if errors:
        lines += ["", "Errors (first 20):", *[f"- {e}" for e in errors[:20]]]
    report = "\n".join(lines)
    print(report)
    if args.report:
        with open(args.report, "a", encoding="utf-8") as handle:
            handle.write("\n" + report + "\n")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
