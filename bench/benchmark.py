"""Server time, SQL time and query count of the pages people use, on a large data set.

Usage (after bench/build_dataset.py filled the database):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kim_bench .venv/bin/python bench/benchmark.py \
        [--requests 50] [--report bench/RESULTS.md] [--only case_list]

Each page is requested through Django's full request cycle (middleware, view, template)
in this process, signed in as the benchmark users of the data set: the case manager
(`bench.cm`), Koordination (`bench.koord`) and, for Django admin, a superuser with a
verified second factor (`bench.admin`). For every page it reports p50/p95 of the server
time over N requests, the SQL part of it, the number of queries, and the floor: the same
SQL statements run directly on the database cursor, without Django around them.

Beside our admin it measures a stock Django admin (`admin.ModelAdmin` with default
settings and plain `search_fields`) on the same tables: the reference a user would
otherwise get. All writes of the measured requests (session, audit trail) happen inside
one transaction per page that is rolled back, so the data set stays as it was.

A benchmark, not a test: the machine is shared and noisy, so the report gives query counts
and ratios beside the times. tests/bench runs it on a tiny data set so it cannot rot.
"""

import argparse
import gc
import importlib
import json
import os
import platform
import statistics
import sys
import time
import types
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATASET_INFO = ROOT / "bench" / ".dataset.json"
REPORT_START = "<!-- benchmark:start -->"
REPORT_END = "<!-- benchmark:end -->"


SQL_BAR_MS = 10.0
# A plan that reads a table of more rows than this from end to end fails its page.
BIG_TABLE_ROWS = 100_000
# A page slower than this on its first request is measured with SLOW_PAGE_REQUESTS only.
SLOW_PAGE_SECONDS = 1.0
SLOW_PAGE_REQUESTS = 3


@dataclass
class Page:
    name: str
    user: str  # "cm", "koord" or "admin"
    url: str
    bar_ms: float | None = None
    max_queries: int | None = None
    # The second bar for every measured page: its SQL (p50) within this many ms.
    sql_bar_ms: float | None = SQL_BAR_MS
    # The stock admin's reference pages take seconds each: fewer requests are enough.
    max_requests: int | None = None
    # Found by bench/discover.py (not one of the pages named below).
    discovered: bool = False


@dataclass
class Measurement:
    page: Page
    status: int
    totals: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)
    queries: int = 0
    floor: list[float] = field(default_factory=list)
    # `cpu_reference()` right after the page: the machine's speed while it was measured.
    cpu: float = 0.0
    # Of the page's statements, the most rows one of them examined (EXPLAIN ANALYZE: rows
    # returned plus rows removed by filters, times loops, summed over its scans).
    rows_examined: int | None = None
    # Sequential scans of tables larger than BIG_TABLE_ROWS: a plan that reads a table whole.
    big_scans: list[str] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.totals)

    @property
    def p95(self) -> float:
        return percentile(self.totals, 95)

    @property
    def passed(self) -> bool | None:
        if self.page.bar_ms is None:
            return None
        ok = self.status == 200 and self.p95 * 1000 <= self.page.bar_ms
        if self.page.max_queries is not None:
            ok = ok and self.queries <= self.page.max_queries
        if self.page.sql_bar_ms is not None and self.sql:
            ok = ok and statistics.median(self.sql) * 1000 <= self.page.sql_bar_ms
        return ok and not self.big_scans


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def configure_django() -> None:
    """Production-like settings (DEBUG off, cached templates), but no HTTPS redirect in-process."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kim.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("STATIC_ROOT", "/tmp/kim-bench-static")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Static file names are looked up in a manifest that only collectstatic writes.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ROOT_URLCONF = install_stock_admin()


def install_stock_admin() -> str:
    """A URL configuration with a stock Django admin for cases, clients and contacts mounted at
    /stock-admin/ beside the project's URLs; returns its module name."""
    from django.conf import settings
    from django.contrib import admin
    from django.urls import include, path

    from casework.models import Case, Client, Contact

    stock = admin.AdminSite(name="stock_admin")
    searches = {Case: ["reference"], Client: ["last_name", "first_name"], Contact: ["case__reference"]}
    for model, fields in searches.items():
        stock.register(
            model, type(f"Stock{model.__name__}Admin", (admin.ModelAdmin,), {"search_fields": fields})
        )
    urls = types.ModuleType("bench_urls")
    urls.urlpatterns = [path("stock-admin/", stock.urls), path("", include(settings.ROOT_URLCONF))]
    # The project's error pages (the statement timeout's 503), not Django's defaults.
    project = importlib.import_module(settings.ROOT_URLCONF)
    for name in ("handler400", "handler403", "handler404", "handler500"):
        if hasattr(project, name):
            setattr(urls, name, getattr(project, name))
    sys.modules["bench_urls"] = urls
    return "bench_urls"


def dataset_info() -> dict:
    if DATASET_INFO.exists():
        return json.loads(DATASET_INFO.read_text())
    return {}


def benchmark_users(info: dict) -> tuple[dict, dict]:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User

    names = info.get("users") or {}
    users = {
        "cm": User.objects.get(username=names.get("case_manager", "bench.cm")),
        "koord": User.objects.get(username=names.get("coordinator", "bench.koord")),
        "admin": User.objects.get(username=names.get("superuser", "bench.admin")),
    }
    from django.test import Client

    clients = {}
    for key, user in users.items():
        client = Client()
        # The backend a real login records, not the first in the list (django-axes).
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if key == "admin":
            device, _ = TOTPDevice.objects.get_or_create(
                user=user, name="Benchmark", defaults={"confirmed": True}
            )
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        # A page that fails is a row of the report (its status), not the end of the run.
        client.raise_request_exception = False
        clients[key] = client
    return users, clients


def pages(info: dict, users: dict) -> list[Page]:
    from casework.models import Case, Client, LegalFramework
    from regions.models import Municipality

    cm = users["cm"]
    region = cm.regions.order_by("pk").first()
    municipality = Municipality.objects.filter(region=region).order_by("pk").first()
    framework = LegalFramework.objects.order_by("pk").first()
    detail_pk = info.get("designated_case", {}).get("pk") or (
        Case.objects.filter(case_manager=cm).order_by("-pk").values_list("pk", flat=True).first()
    )
    common_name = (
        Client.objects.filter(municipality__region=region)
        .order_by("pk")
        .values_list("last_name", flat=True)
        .first()
        or "Müller"
    )
    reference = Case.objects.filter(pk=detail_pk).values_list("reference", flat=True).first() or ""
    year = int(info.get("statistics_year") or 2025)
    opened_2024 = "opened_after=2024-01-01&opened_before=2024-12-31"
    statistics_query = f"scope=region-{region.pk}&period=year&year={year}"
    stock = "/stock-admin/casework"
    result = []
    for who in ("cm", "koord"):
        result += [
            Page("Mein Arbeitsplatz", who, "/", 50),
            Page("Fallliste", who, "/faelle/", 50, 10),
            Page("Fallliste: Teilregion", who, f"/faelle/?region={region.pk}", 50, 10),
            Page("Fallliste: Kommune", who, f"/faelle/?municipality={municipality.pk}", 50, 10),
            Page("Fallliste: alle offenen", who, "/faelle/?phase=open", 50, 10),
            Page("Fallliste: Phase Clearing", who, "/faelle/?phase=assessment", 50, 10),
            Page("Fallliste: meine Fälle", who, "/faelle/?manager=me", 50, 10),
            Page("Fallliste: nicht zugewiesen", who, "/faelle/?manager=none", 50, 10),
            Page("Fallliste: Rechtskreis", who, f"/faelle/?legal_framework={framework.pk}", 50, 10),
            Page("Fallliste: eröffnet 2024", who, f"/faelle/?{opened_2024}", 50, 10),
            Page("Fallliste: Wiedervorlage überfällig", who, "/faelle/?overdue=true", 50, 10),
            Page("Fallliste: sortiert nach Aktenzeichen", who, "/faelle/?o=reference", 50, 10),
            Page(
                "Fallliste: 3 Filter",
                who,
                f"/faelle/?region={region.pk}&phase=open&legal_framework={framework.pk}",
                50,
                10,
            ),
            Page("Fallliste: Namenssuche", who, f"/faelle/?q={common_name}", 50, 10),
            Page("Fallliste: Aktenzeichen", who, f"/faelle/?q={reference}", 50, 10),
            Page("Fallliste: Seite 1.000", who, "/faelle/?page=1000", 50, 10),
            Page("Fall mit 200 Kontakten", who, f"/faelle/{detail_pk}/", 30),
            Page("Netzwerk: Kommune", who, f"/netzwerk/?municipality={municipality.pk}", 50),
        ]
    result += [
        Page("Statistik: Teilregion, Jahr", "koord", f"/statistik/?{statistics_query}", 300),
        Page("Admin: Fälle", "admin", "/admin/casework/case/", 150),
        Page("Admin: Fälle, Suche Aktenzeichen", "admin", f"/admin/casework/case/?q={reference}", 150),
        Page("Admin: Fälle, Suche Name", "admin", f"/admin/casework/case/?q={common_name}", 150),
        Page("Admin: Klient/innen, Suche Name", "admin", f"/admin/casework/client/?q={common_name}", 150),
        Page("Admin: Kontakte", "admin", "/admin/casework/contact/", 150),
        Page("Admin: Kontakte, Suche Aktenzeichen", "admin", f"/admin/casework/contact/?q={reference}", 150),
        Page("Admin: Protokoll", "admin", "/admin/audit/auditentry/", 150),
        Page("Admin: Protokoll, Suche Aktenzeichen", "admin", f"/admin/audit/auditentry/?q={reference}", 150),
        Page(
            "Stock-Admin: Fälle, Suche Aktenzeichen", "admin", f"{stock}/case/?q={reference}", max_requests=10
        ),
        Page(
            "Stock-Admin: Klient/innen, Suche Name",
            "admin",
            f"{stock}/client/?q={common_name}",
            max_requests=10,
        ),
        Page(
            "Stock-Admin: Kontakte, Suche Aktenzeichen",
            "admin",
            f"{stock}/contact/?q={reference}",
            max_requests=10,
        ),
    ]
    return result


def measure(
    page: Page, client, requests: int, warmup: int = 2, floor: bool = True, explain: bool = True
) -> Measurement:
    from django.db import connection, transaction

    captured: list[tuple[float, str, object]] = []

    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append((time.perf_counter() - started, sql, params))

    result = Measurement(page, status=0)
    with transaction.atomic():
        n = 0
        while n < warmup + requests:
            captured.clear()
            with connection.execute_wrapper(record):
                started = time.perf_counter()
                response = client.get(page.url)
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)  # an export is written while it streams
                elapsed = time.perf_counter() - started
            result.status = response.status_code
            if n == 0 and elapsed > SLOW_PAGE_SECONDS:
                requests = min(requests, SLOW_PAGE_REQUESTS)
                warmup = min(warmup, 1)
            if n >= warmup:
                result.totals.append(elapsed)
                result.sql.append(sum(t for t, _, _ in captured))
                result.queries = len(captured)
            if response.status_code != 200:
                break
            n += 1
        statements = [(sql, params) for _, sql, params in captured]
        # The floor repeats the page's statements: not for a page whose SQL takes seconds.
        if floor and result.status == 200 and result.sql and statistics.median(result.sql) < 1.0:
            with connection.cursor() as cursor:
                for _ in range(requests):
                    started = time.perf_counter()
                    for sql, params in statements:
                        cursor.execute(direct_sql(sql), params)
                        if cursor.description is not None:
                            cursor.fetchall()
                    result.floor.append(time.perf_counter() - started)
        if explain and result.status == 200 and connection.vendor == "postgresql":
            result.rows_examined, result.big_scans = examine(statements)
        transaction.set_rollback(True)
    return result


_table_rows: dict[str, float] = {}


def examine(statements: list[tuple[str, object]]) -> tuple[int, list[str]]:
    """The most rows one statement examined, and the big tables a plan read whole."""
    from django.db import connection

    if not _table_rows:
        with connection.cursor() as cursor:
            cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relkind IN ('r', 'p')")
            _table_rows.update(cursor.fetchall())
    most, scans = 0, []
    with connection.cursor() as cursor:
        for sql, params in statements:
            sql = direct_sql(sql)
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute("SAVEPOINT bench_explain")
            try:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
                plan = cursor.fetchone()[0]
            except Exception:  # e.g. cancelled by the statement timeout
                cursor.execute("ROLLBACK TO SAVEPOINT bench_explain")
                continue
            cursor.execute("RELEASE SAVEPOINT bench_explain")
            if isinstance(plan, str):
                plan = json.loads(plan)
            examined = 0
            for node in _plan_nodes(plan[0]["Plan"]):
                kind = node.get("Node Type", "")
                if "Scan" not in kind or kind == "Bitmap Index Scan":
                    continue
                rows = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
                rows += node.get("Rows Removed by Index Recheck", 0)
                examined += int(rows * node.get("Actual Loops", 1))
                table = node.get("Relation Name", "")
                if kind == "Seq Scan" and _table_rows.get(table, 0) > BIG_TABLE_ROWS:
                    scans.append(table)
            most = max(most, examined)
    return most, sorted(set(scans))


def _plan_nodes(node: dict):
    yield node
    for child in node.get("Plans", ()):
        yield from _plan_nodes(child)


def direct_sql(sql: str) -> str:
    """A server-side cursor's DECLARE … FOR <query> runs as the query itself."""
    if sql.startswith("DECLARE "):
        return sql.split(" FOR ", 1)[1]
    return sql


def measure_audit_write(user, count: int = 200) -> list[float]:
    """The cost of the audit entry a case page writes: one INSERT into the largest table."""
    from django.db import transaction

    from audit.models import Action
    from audit.services import audit_record
    from casework.models import Case

    case = Case.objects.filter(case_manager=user).first()
    times = []
    with transaction.atomic():
        for _ in range(count):
            started = time.perf_counter()
            audit_record(user=user, action=Action.VIEW, obj=case)
            times.append(time.perf_counter() - started)
        transaction.set_rollback(True)
    return times


def table_sizes() -> dict[str, int]:
    from django.db import connection

    tables = {
        "cases": "casework_case",
        "clients": "casework_client",
        "contacts": "casework_contact",
        "actors": "casework_actor",
        "audit entries": "audit_auditentry",
    }
    sizes = {}
    with connection.cursor() as cursor:
        for label, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            sizes[label] = cursor.fetchone()[0]
    return sizes


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    python = platform.python_version()
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, Python {python}, load {load}"


def cpu_reference(rounds: int = 5) -> float:
    """Seconds of a fixed pure-Python workload (best of `rounds`): how fast this shared machine
    runs Python just now. Runs of the same code hours apart differed by up to 2x on it; pages
    measured in two runs compare through this figure, not through their absolute times."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        sum(len(str(n)) for n in range(300_000))
        best = min(best, time.perf_counter() - started)
    return best


def report(
    results: list[Measurement],
    audit_times: list[float],
    sizes: dict,
    requests: int,
    reference: tuple[float, float] | None = None,
    discovery=None,
) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    who = {"cm": "Case Management", "koord": "Koordination", "admin": "Admin (superuser)"}
    lines = [
        f"Date {time.strftime('%Y-%m-%d %H:%M %Z')}; machine: {machine()}; PostgreSQL {server}.",
        "Data: " + ", ".join(f"{n:,} {label}" for label, n in sizes.items()) + ".",
        (
            f"CPU reference (bench.benchmark.cpu_reference, a fixed pure-Python loop): "
            f"{reference[0] * 1000:.1f} ms before the pages, {reference[1] * 1000:.1f} ms after."
            if reference
            else None
        ),
        f"{requests} requests per page (the stock admin's: at most 10) after 2 warm-up requests, "
        "in-process through Django's whole stack "
        "(middleware, view, templates; DEBUG off). SQL = time inside the database driver; rest = Python "
        "and rendering; floor = the page's statements run directly on a cursor; CPU ref = the CPU "
        "reference measured right after the page (best of 3): a page measured while the machine was "
        "slow shows a higher one. ok = every bar of the row met (the SQL bar against the SQL p50).",
        "",
        "Rows examined = of the page's statements, the most rows one of them read (EXPLAIN ANALYZE: "
        "rows returned plus rows removed by filters, times loops, over its scans); a sequential scan "
        f"of a table of more than {BIG_TABLE_ROWS:,} rows fails the page. Pages marked * were found by "
        "bench/discover.py; the rest are the pages named in issue 6.",
        "",
        f"{sum(m.passed is True for m in results)} of {len(results)} pages met every bar; "
        f"{sum(m.passed is False for m in results)} broke one (**no** below); "
        f"{sum(m.passed is None for m in results)} have no bar (exports, the stock admin).",
        "",
        "| page | as | status | p50 ms | p95 ms | SQL p50 ms | rest p50 ms | floor p50 ms | queries "
        "| rows examined | CPU ref ms | bar | ok |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for m in results:
        sql = statistics.median(m.sql) * 1000 if m.sql else 0.0
        bar = "" if m.page.bar_ms is None else f"p95 ≤ {m.page.bar_ms:.0f} ms"
        if m.page.max_queries is not None:
            bar += f", ≤ {m.page.max_queries} q"
        if m.page.bar_ms is not None and m.page.sql_bar_ms is not None:
            bar += f", SQL ≤ {m.page.sql_bar_ms:.0f} ms"
        ok = {None: "", True: "yes", False: "**no**"}[m.passed]
        name = f"{m.page.name.replace('|', '¦')}{' *' if m.page.discovered else ''}"
        if m.page.discovered:
            name = f"`{m.page.url.replace('|', '¦')}` *"
        if not m.totals:
            lines.append(f"| {name} | {who[m.page.user]} | {m.status} | | | | | | | | | {bar} | **no** |")
            continue
        rows = "" if m.rows_examined is None else f"{m.rows_examined:,}"
        if m.big_scans:
            rows += " (scans " + ", ".join(m.big_scans) + ")"
        floor = f"{statistics.median(m.floor) * 1000:.1f}" if m.floor else ""
        lines.append(
            f"| {name} | {who[m.page.user]} | {m.status} | {m.p50 * 1000:.1f} | {m.p95 * 1000:.1f} | "
            f"{sql:.1f} | {m.p50 * 1000 - sql:.1f} | {floor} | {m.queries} | {rows} | "
            f"{m.cpu * 1000:.1f} | {bar} | {ok} |"
        )
    if audit_times:
        lines += [
            "",
            f"Writing one audit entry (INSERT into the {sizes.get('audit entries', 0):,}-row table, "
            f"{len(audit_times)} times): p50 {statistics.median(audit_times) * 1000:.2f} ms, "
            f"p95 {percentile(audit_times, 95) * 1000:.2f} ms (bar: ≤ 1 ms per request).",
        ]
    if discovery is not None and (discovery.refused or discovery.unfilled):
        lines += [
            "",
            "Not measured: pages a role may not open (expected), and URLs whose ids the discovery "
            "cannot fill:",
        ]
        lines += [f"- `{r.url}` as {who[r.user]}: {r.status}" for r in discovery.refused]
        lines += [
            f"- {name}: no id known to bench/discover.py (add it to `url_arguments`)"
            for name in discovery.unfilled
        ]
    return "\n".join(line for line in lines if line is not None)


def write_report(path: Path, text: str) -> None:
    block = f"{REPORT_START}\n## State-scale benchmark (bench/benchmark.py)\n\n{text}\n{REPORT_END}"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if REPORT_START in current and REPORT_END in current:
        before, rest = current.split(REPORT_START, 1)
        after = rest.split(REPORT_END, 1)[1]
        current = before + block + after
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(current, encoding="utf-8")


def all_pages(info: dict, users: dict, clients: dict, discover: bool | dict = True):
    """The named pages (issue 6) and, unless `discover` is off, every page bench/discover.py
    finds; a discovered page the named list already has is measured once, under its name.
    Returns the pages and the discovery (its refused pages and unfilled URLs)."""
    named = pages(info, users)
    if not discover:
        return named, None
    from bench import discover as discovery

    year = int(info.get("statistics_year") or 2025)
    options = discover if isinstance(discover, dict) else {}
    found = discovery.discover(info, users, clients, year=year, **options)
    seen = {(page.user, page.url) for page in named}
    result = list(named)
    for item in found.pages:
        if (item.user, item.url) in seen:
            continue
        seen.add((item.user, item.url))
        bar, max_queries, sql_bar = discovery.bars_for(item)
        once = 1 if item.kind == "export" else None
        result.append(
            Page(
                item.name, item.user, item.url, bar, max_queries, sql_bar, max_requests=once, discovered=True
            )
        )
    return result, found


def run(
    requests: int = 50,
    only: str | None = None,
    stdout=sys.stdout,
    info: dict | None = None,
    discover: bool | dict = True,
    warmup: int = 2,
    floor: bool = True,
    explain: bool = True,
    cpu: bool = True,
) -> list[Measurement]:
    """Measure every page; `only` keeps the pages whose name or URL contains it."""
    info = dataset_info() if info is None else info
    users, clients = benchmark_users(info)
    # As kim/wsgi.py does in every server process once the application is loaded.
    gc.freeze()
    # One request each first: a new session is saved on its first request (one query more),
    # which would count against the first page measured without a warm-up.
    for client in clients.values():
        client.get("/healthz")
    measured, found = all_pages(info, users, clients, discover)
    run.discovery = found
    results = []
    for page in measured:
        if only and only.lower() not in page.name.lower() and only not in page.url:
            continue
        m = measure(
            page,
            clients[page.user],
            min(requests, page.max_requests or requests),
            warmup=0 if page.max_requests == 1 else warmup,
            floor=floor,
            explain=explain,
        )
        m.cpu = cpu_reference(rounds=3) if cpu else 0.0
        results.append(m)
        if m.totals:
            stdout.write(
                f"{page.name[:60]:60} {page.user:5} {m.status} "
                f"p50 {m.p50 * 1000:7.1f} p95 {m.p95 * 1000:7.1f} "
                f"sql {statistics.median(m.sql) * 1000:6.1f} q {m.queries:3} rows {m.rows_examined or 0:>9,} "
                f"cpu {m.cpu * 1000:5.1f}{' SCAN ' + ','.join(m.big_scans) if m.big_scans else ''}"
                f"{'' if m.passed is not False else '  FAIL'}\n"
            )
        else:
            stdout.write(f"{page.name[:60]:60} {page.user:5} {m.status}  FAIL\n")
        stdout.flush()
    return results


run.discovery = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--only", help="measure only pages whose name or URL contains this text")
    parser.add_argument("--named-only", action="store_true", help="only the named pages, no discovery")
    parser.add_argument(
        "--max-variants",
        type=int,
        help="follow at most this many variants (sorts, filters, searches) per page",
    )
    parser.add_argument("--report", type=Path, help="write the table into this Markdown file")
    args = parser.parse_args()
    configure_django()
    from accounts.models import User

    before = cpu_reference()
    discover = {"max_variants": args.max_variants} if args.max_variants is not None else True
    results = run(args.requests, args.only, discover=False if args.named_only else discover)
    after = cpu_reference()
    audit_times = [] if args.only else measure_audit_write(User.objects.get(username="bench.cm"))
    text = report(
        results, audit_times, table_sizes(), args.requests, reference=(before, after), discovery=run.discovery
    )
    print(text)
    if args.report:
        write_report(args.report, text)
    failed = [m for m in results if m.passed is False]
    if failed:
        sys.stderr.write(f"{len(failed)} of {len(results)} pages broke their bars:\n")
        for m in failed:
            sys.stderr.write(f"  {m.page.user:5} {m.status} {m.page.url}\n")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
