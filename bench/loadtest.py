"""Load test: N signed-in case managers working against a running KIM server.

Usage (against gunicorn started by scripts/serve or bench/run_loadtest.sh):

    DJANGO_SETTINGS_MODULE=kim.settings DATABASE_URL=... .venv/bin/python bench/loadtest.py \
        --base http://127.0.0.1:8811 --users 100 --seconds 120

It creates (or reuses) one case-manager account per simulated user in the database and gives
each about ten open cases of their own. Then:

- Arrival: the users log in through the real login form one after the other, spread evenly
  over the first --ramp seconds (default 30 s), as people arrive at work over time. A
  hundred logins in the same second would queue a hundred PBKDF2 checks, which is not what
  a district office does at 8 o'clock.
- Measured window: from the end of the ramp, for --seconds (default 120 s), every user keeps
  working. Throughput and latencies are computed over the requests started in this window,
  i.e. while all users are signed in; logins and requests during the ramp are reported
  separately, and errors anywhere count.
- Think time: before every request a user reads the page for a random time drawn from an
  exponential distribution with mean --think seconds (default 5 s), capped at ten times the
  mean, like the think times of the TPC-W and TPC-C benchmarks (exponential, mean 7 s and
  5-12 s there). Exponential rather than uniform because most clicks follow quickly and a
  few pauses are long; a mean of 5 s is on the busy side for someone reading a case file.
- Mix of actions: case list of one's own open cases 40 %, a filtered or searched list 25 %,
  a case detail 25 %, adding a contact 10 % (open the case, open its "Kontakt erfassen" panel,
  think while typing the note, post the form; the post follows the redirect back to the case).
  The opened case counts as a "detail" request, the panel's form as "panel", the post as
  "add_contact".
- Errors: any status >= 400, no answer within 30 s (timeout), a failed login, or a contact
  form that comes back without its confirmation (a form error where none was expected).

Static files are not requested (a browser caches them; WhiteNoise serves them without Django).
Standard library only.
"""

import argparse
import http.cookiejar
import math
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
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSWORD = "load-test-password-2026"
TIMEOUT_SECONDS = 30
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK_RE = re.compile(r'href="/faelle/(\d+)/"')
CONTACT_FIELDS_RE = re.compile(r'name="(contact-submit_token|contact-version)" value="([^"]*)"')
MIX = [("list", 40), ("filter", 25), ("detail", 25), ("add_contact", 10)]
KINDS = ["login", "list", "filter", "detail", "panel", "add_contact"]
FILTERS = [
    "phase=assessment",
    "region=1&phase=open",
    "q=m%C3%BCller",
    "overdue=true",
    "legal_framework=1&o=-opened_on",
]


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


@dataclass
class Sample:
    kind: str
    started: float  # seconds since the start of the run
    seconds: float
    error: str = ""


class Browser:
    """One user's browser: a cookie jar, and every request recorded as a Sample."""

    def __init__(self, base: str, t0: float, samples: list[Sample]):
        self.base = base
        self.t0 = t0
        self.samples = samples
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def request(self, kind: str, path: str, data: dict | None = None, expect: str = "") -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        started = time.monotonic()
        try:
            with self.opener.open(req, timeout=TIMEOUT_SECONDS) as response:
                status, html = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status, html = error.code, error.read().decode("utf-8", "replace")
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
            status, html = 0, str(getattr(error, "reason", error))
        elapsed = time.monotonic() - started
        if status == 0:
            error = (
                f"no answer ({html})" if "timed out" not in html else f"no answer within {TIMEOUT_SECONDS} s"
            )
        elif status >= 400:
            error = f"HTTP {status}"
        elif expect and expect not in html:
            error = "unexpected page (form error?)"
        else:
            error = ""
        self.samples.append(
            Sample(kind, started - self.t0, elapsed, f"{error} {path}".strip() if error else "")
        )
        return (status if not error else -1), html


def think(rng: random.Random, mean: float) -> None:
    time.sleep(min(rng.expovariate(1 / mean), 10 * mean))


def simulate(browser: Browser, username: str, start_at: float, end_at: float, mean: float, rng, logged_in):
    time.sleep(max(0.0, start_at - time.monotonic()))
    status, html = browser.request("login", "/anmelden/")
    token = CSRF_RE.search(html) if status == 200 else None
    if not token:
        return
    status, html = browser.request(
        "login",
        "/anmelden/",
        {"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD, "next": "/"},
        expect="Mein Arbeitsplatz",
    )
    if status != 200:
        return
    logged_in.append(time.monotonic())
    case_ids: list[str] = []
    kinds, weights = zip(*MIX, strict=True)
    while True:
        think(rng, mean)
        if time.monotonic() >= end_at:
            return
        kind = rng.choices(kinds, weights)[0]
        if kind in ("detail", "add_contact") and not case_ids:
            kind = "list"
        if kind == "list":
            status, html = browser.request(kind, "/faelle/?manager=me&phase=open")
            case_ids = CASE_LINK_RE.findall(html) or case_ids
        elif kind == "filter":
            browser.request(kind, f"/faelle/?{rng.choice(FILTERS)}")
        elif kind == "detail":
            browser.request(kind, f"/faelle/{rng.choice(case_ids)}/")
        else:
            case_id = rng.choice(case_ids)
            status, html = browser.request("detail", f"/faelle/{case_id}/")
            if status != 200:
                continue
            # Opening the "Kontakt erfassen" panel fetches its form (static/js/kim.js).
            status, html = browser.request("panel", f"/faelle/{case_id}/eingabe/kontakt/")
            token = CSRF_RE.search(html)
            if status != 200 or not token:
                continue
            think(rng, mean)  # typing the note
            browser.request(
                "add_contact",
                f"/faelle/{case_id}/kontakt/",
                {
                    "csrfmiddlewaretoken": token.group(1),
                    "contact-contacted_on": time.strftime("%Y-%m-%d"),
                    "contact-channel": "phone",
                    "contact-duration_minutes": "15",
                    "contact-note": "Lasttest: kurzer Anruf.",
                    **dict(CONTACT_FIELDS_RE.findall(html)),
                },
                expect="Kontakt gespeichert",
            )


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def table(samples: list[Sample], seconds: float | None) -> list[str]:
    lines = [
        "| request | count | per s | p50 ms | p95 ms | max ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample)
    for kind in [*KINDS, "all"]:
        rows = samples if kind == "all" else by_kind.get(kind, [])
        if not rows:
            continue
        times = [s.seconds * 1000 for s in rows]
        rate = f"{len(rows) / seconds:.1f}" if seconds else "–"
        lines.append(
            f"| {kind} | {len(rows)} | {rate} | {statistics.median(times):.0f} | "
            f"{percentile(times, 95):.0f} | {max(times):.0f} | {sum(1 for s in rows if s.error)} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8811")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=120, help="measured window, after the ramp")
    parser.add_argument("--ramp", type=float, default=30, help="logins spread over this many seconds")
    parser.add_argument("--think", type=float, default=5.0, help="mean think time in seconds (exponential)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--report", help="append the Markdown result to this file")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kim.settings")
    users = prepare_users(args.users)
    samples: list[Sample] = []
    logged_in: list[float] = []
    seeder = random.Random(args.seed)
    t0 = time.monotonic()
    window_end = t0 + args.ramp + args.seconds
    threads = [
        threading.Thread(
            target=simulate,
            args=(
                Browser(args.base, t0, samples),
                name,
                t0 + args.ramp * (i + seeder.random()) / len(users),
                window_end,
                args.think,
                random.Random(args.seed * 1000 + i),
                logged_in,
            ),
            daemon=True,
        )
        for i, name in enumerate(users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.monotonic() - t0

    window = [s for s in samples if s.kind != "login" and args.ramp <= s.started < args.ramp + args.seconds]
    ramp = [s for s in samples if s.kind != "login" and s.started < args.ramp]
    logins = [s for s in samples if s.kind == "login"]
    errors = [s for s in samples if s.error]
    all_in = (
        f"all at {max(logged_in) - t0:.0f} s after the start"
        if len(logged_in) == len(users)
        else "the others' logins failed"
    )
    lines = [
        f"Load test: {args.users} users, logins spread over {args.ramp:.0f} s, then a {args.seconds} s "
        f"measured window; think time exponential, mean {args.think:g} s (cap {10 * args.think:g} s); "
        f"run took {duration:.0f} s.",
        f"Signed in: {len(logged_in)} of {len(users)} ({all_in}). "
        f"Requests in the window (all users signed in): {len(window)}, "
        f"{len(window) / args.seconds:.1f} requests/s. Errors in the whole run: {len(errors)}.",
        "",
        f"Measured window ({args.seconds} s, all users signed in):",
        "",
        *table(window, args.seconds),
        "",
        f"Ramp ({args.ramp:.0f} s): logins (login page and form post, the post lands on the dashboard) "
        "and the first users' requests:",
        "",
        *table(logins + ramp, None),
    ]
    if errors:
        kinds = Counter(f"{s.kind}: {s.error.rsplit(' ', 1)[0]}" for s in errors)
        lines += ["", "Errors by kind:", *[f"- {count} × {what}" for what, count in kinds.most_common()]]
        lines += [
            "",
            "First 20 errors:",
            *[f"- t={s.started:.0f} s {s.kind}: {s.error}" for s in errors[:20]],
        ]
    report = "\n".join(lines)
    print(report)
    if args.report:
        with open(args.report, "a", encoding="utf-8") as handle:
            handle.write("\n" + report + "\n")
    sys.exit(1 if errors or len(logged_in) < len(users) else 0)


if __name__ == "__main__":
    main()
