# ruff: noqa: E501 - long lines are SQL
"""Build a state-scale data set in PostgreSQL for performance benchmarks.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/kim_bench \
        .venv/bin/python bench/build_dataset.py --scale 1.0 [--reset]

At --scale 1.0: about 50 synthetic districts next to Kreis Coesfeld, 1,000,000 cases
(60,000 in Coesfeld), 1,500,000 clients, ~10,000,000 contacts, 50,000 actors and
20,000,000 audit entries. Every row is generated on the server with
`INSERT ... SELECT ... FROM generate_series(...)`; Python only orchestrates. Randomness
comes from hashing row numbers (`hashint8extended`), so two runs give the same data
(except for timestamps relative to the day of the run and unusable password hashes).

Secondary indexes and unique constraints of the loaded tables are dropped before the load
and recreated afterwards with their original names and definitions; FK triggers are
skipped with `session_replication_role = replica` (the script must run as a superuser).

The designated case (an open Coesfeld case of `bench.cm` with exactly 200 contacts),
the benchmark user names and the row counts are written to bench/.dataset.json.

This file is longer than the 700 lines the application files keep to: it is a data builder,
mostly SQL statements that fill one table each, read from top to bottom in load order;
splitting it would scatter one load across files without making any part reusable.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if __name__ == "__main__":  # pragma: no cover - script entry
    sys.path.insert(0, str(BENCH_DIR.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kim.settings")
    # A job: its bulk statements run for minutes, beyond a web request's statement timeout.
    os.environ.setdefault("KIM_PROCESS_KIND", "job")
    import django

    django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.roles import CASE_MANAGEMENT, COORDINATION  # noqa: E402
from casework import demo  # noqa: E402
from casework.models import Channel, GoalStatus, ReferralStatus  # noqa: E402
from casework.names import _UMLAUTS_DROPPED as UMLAUTS_DROPPED  # noqa: E402
from casework.names import SEARCH_KEY_LENGTH, normalise_name  # noqa: E402
from casework.references import reference_sql  # noqa: E402
from regions.models import District, Municipality, Region  # noqa: E402

INFO_PATH = BENCH_DIR / ".dataset.json"
COESFELD_KEY = "05558"
SYNTHETIC_KEY_PREFIX = "056"  # Regierungsbezirk "6" does not exist in NRW: no real district collides
SYNTHETIC_DISTRICTS = 50
USER_PREFIX = "bench."
BENCH_CM, BENCH_KOORD, BENCH_ADMIN = "bench.cm", "bench.koord", "bench.admin"
FIRST_DAY = dt.date(2019, 1, 1)
DESIGNATED_CONTACTS = 200
PROFILE_COUNT = 1000
STAGE_TABLE = "bench_stage_case"
PROFILE_TABLE = "bench_stage_profile"
NAMES_TABLE = "bench_stage_names"

# Full-scale sizes (scale 1.0).
CASES = 1_000_000
CLIENTS = 1_500_000
COESFELD_CASES = 60_000
ACTORS = 50_000
AUDIT_ENTRIES = 20_000_000
HOUSEHOLD_SHARE = 0.08
OPEN_SHARE = 0.12
CASES_PER_CASE_MANAGER = 600
CONSENT_SHARE = 0.3

# Tables filled here; their secondary indexes are dropped during the load.
LOADED_TABLES = (
    "casework_actor",
    "casework_actor_municipalities",
    "casework_actor_topics",
    "casework_contactperson",
    "casework_household",
    "casework_client",
    "casework_client_legal_frameworks",
    "casework_case",
    "casework_case_legal_frameworks",
    "casework_phasechange",
    "casework_caseassignment",
    "casework_contact",
    "casework_contact_topics",
    "casework_goal",
    "casework_goalstatuschange",
    "casework_consent",
    "casework_consent_actors",
    "casework_consent_data_categories",
    "casework_referral",
    "casework_followup",
    "audit_auditentry",
)
# Emptied by --reset besides the loaded tables (every table starting with structural_ too).
RESET_EXTRA_TABLES = ("casework_document", "casework_submittoken")

DISTRICT_STEMS = (
    "Wester", "Oster", "Norder", "Süder", "Hohen", "Nieder", "Ober", "Alten", "Neuen",
    "Lippe", "Ruhr", "Emscher", "Sieg", "Erft", "Wupper",
)  # fmt: skip
DISTRICT_ENDINGS = ("heide", "feld", "wald", "bruch", "berg", "land", "mark", "au")
TOWN_STEMS = (
    "Bram", "Esch", "Hol", "Lind", "Mar", "Ost", "Rhe", "Sel", "Telg", "Vel", "Wal", "Bor",
    "Dor", "Gel", "Hel", "Ahl", "Ever", "Frecken", "Ibben", "Lem",
)  # fmt: skip
TOWN_ENDINGS = (
    "bach", "beck", "berg", "born", "dorf", "feld", "hagen", "hausen", "heim", "horst",
    "kamp", "lohe", "rode", "stedt", "ingen",
)  # fmt: skip
AUTHORITY_TYPES = demo.AUTHORITY_TYPES  # the first actors of every district, in this order
AUTHORITY_COUNT = len(AUTHORITY_TYPES)


# --- Small helpers ---------------------------------------------------------------------


def rnd(expr: str, salt: int) -> str:
    """SQL for a deterministic uniform number in [0, 1) from a bigint expression."""
    return f"(((hashint8extended(({expr})::bigint, {salt}) >> 11) + 4503599627370496)::float8 / 9007199254740992.0)"


def pick(expr: str, salt: int, n: str | int) -> str:
    """SQL for a deterministic integer in [0, n)."""
    return f"floor({rnd(expr, salt)} * ({n}))::int"


def scaled(value: int, scale: float, minimum: int = 0) -> int:
    return max(minimum, round(value * scale))


def _log(stdout, text: str) -> None:
    stdout.write(text + "\n")
    stdout.flush()


class Timer:
    def __init__(self, stdout):
        self.stdout = stdout
        self.steps: list[tuple[str, float]] = []
        self.lock = threading.Lock()

    @contextmanager
    def step(self, name: str):
        start = time.monotonic()
        yield
        took = time.monotonic() - start
        with self.lock:
            self.steps.append((name, took))
            _log(self.stdout, f"  {name:<44} {took:8.1f} s")


def execute(sql: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fetchall(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def configure_session() -> None:
    execute("SET temp_buffers = '256MB'")
    execute("SET session_replication_role = replica")
    execute("SET synchronous_commit = off")
    execute("SET maintenance_work_mem = '1GB'")
    execute("SET work_mem = '256MB'")
    execute("SET max_parallel_maintenance_workers = 0")
    execute("SET jit = off")


def run_parallel(tasks: list[Callable[[], None]], workers: int = 2) -> None:
    """Run callables in threads, each with its own database connection and session settings."""

    def run(task):
        try:
            configure_session()
            task()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(run, task) for task in tasks]:
            future.result()


# --- Plan ------------------------------------------------------------------------------


class Plan:
    """Every size of the data set, from the scale."""

    def __init__(self, scale: float):
        self.scale = scale
        self.cases = scaled(CASES, scale, 100)
        bench_factor = min(1.0, scale / 0.05)
        self.cm_open = max(5, round(60 * bench_factor))
        self.cm_closed = max(10, round(400 * bench_factor))
        self.coesfeld_cases = max(scaled(COESFELD_CASES, scale), 4 * (self.cm_open + self.cm_closed))
        self.clients = max(scaled(CLIENTS, scale), self.cases)
        self.audit = scaled(AUDIT_ENTRIES, scale, 1000)
        self.actors_per_district = max(AUTHORITY_COUNT + 5, round(ACTORS * scale / (SYNTHETIC_DISTRICTS + 1)))


# --- Geography and staff (ORM; a few thousand rows) --------------------------------------


def build_geography(rng: random.Random) -> list[District]:
    coesfeld = District.objects.get(key=COESFELD_KEY)
    used_keys = set(District.objects.values_list("key", flat=True))
    used_codes = set(District.objects.values_list("code", flat=True))
    used_names = set(District.objects.values_list("name", flat=True))
    names = [f"Kreis {a}{b}" for a in DISTRICT_STEMS for b in DISTRICT_ENDINGS]
    rng.shuffle(names)
    names = [n for n in names if n not in used_names]
    districts = [coesfeld]
    number = 0
    for name in names:
        if len(districts) > SYNTHETIC_DISTRICTS:
            break
        number += 1
        key = f"{SYNTHETIC_KEY_PREFIX}{number:02d}"
        if key in used_keys:
            continue
        stem = name.removeprefix("Kreis ").upper().replace("Ü", "U").replace("Ö", "O").replace("Ä", "A")
        candidates = [
            stem[0] + stem[i] + stem[j] for i in range(1, len(stem)) for j in range(i + 1, len(stem))
        ]
        code = next(c for c in candidates if c.isalpha() and c.isascii() and c not in used_codes)
        used_codes.add(code)
        districts.append(District(name=name, key=key, code=code))
    District.objects.bulk_create(districts[1:])
    for district in districts[1:]:
        regions = Region.objects.bulk_create(
            [Region(district=district, name=n) for n in ("Nord", "Mitte", "Süd")]
        )
        count = rng.randint(6, 12)
        towns = rng.sample([a + b for a in TOWN_STEMS for b in TOWN_ENDINGS], count)
        Municipality.objects.bulk_create(
            [
                Municipality(
                    region=regions[i % 3],
                    name=town,
                    ags=f"{district.key}{4 * (i + 1):03d}",
                    population=rng.randint(8_000, 90_000),
                )
                for i, town in enumerate(towns)
            ]
        )
    return districts


def _staff_name(rng: random.Random) -> tuple[str, str]:
    origin = rng.choice(("de", "de", "de", "de", "tr", "pl", "ar"))
    female, male, last = demo.NAMES[origin]
    return rng.choice(female + male), rng.choice(last)


def build_staff(rng: random.Random, plan: Plan, districts: list[District], case_counts: list[int]) -> dict:
    """Case managers per region, Koordination per district, the fixed benchmark users."""
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in (CASE_MANAGEMENT, COORDINATION)}
    now = timezone.now()
    users: list[tuple[User, str | None, list[int]]] = []

    def add(username, district, role, region_ids, **extra):
        first, last = _staff_name(rng)
        user = User(
            username=username,
            password=make_password(None),
            first_name=first,
            last_name=last,
            email=f"{username}@kim.example",
            district=district,
            date_joined=now - dt.timedelta(days=rng.randint(30, 2000)),
            **extra,
        )
        users.append((user, role, region_ids))
        return user

    cm_by_region: dict[int, list[User]] = {}
    koord_by_district: list[list[User]] = []
    for index, district in enumerate(districts):
        code = district.code.lower()
        regions = list(district.regions.order_by("pk"))
        per_region = max(1, round(case_counts[index] / CASES_PER_CASE_MANAGER / len(regions)))
        n = 0
        for region in regions:
            cm_by_region[region.pk] = []
            for _ in range(per_region):
                n += 1
                user = add(f"{USER_PREFIX}{code}.cm{n:03d}", district, CASE_MANAGEMENT, [region.pk])
                cm_by_region[region.pk].append(user)
        koord_by_district.append(
            [
                add(f"{USER_PREFIX}{code}.koord{k}", district, COORDINATION, [r.pk for r in regions])
                for k in (1, 2)
            ]
        )
    coesfeld = districts[0]
    coesfeld_regions = list(coesfeld.regions.values_list("pk", flat=True))
    bench_cm = add(BENCH_CM, coesfeld, CASE_MANAGEMENT, coesfeld_regions)
    bench_koord = add(BENCH_KOORD, coesfeld, COORDINATION, coesfeld_regions)
    bench_admin = add(BENCH_ADMIN, coesfeld, None, [], is_superuser=True, is_staff=True)
    User.objects.bulk_create([u for u, _r, _g in users], batch_size=2000)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=groups[r].pk) for u, r, _g in users if r],
        batch_size=5000,
    )
    User.regions.through.objects.bulk_create(
        [User.regions.through(user_id=u.pk, region_id=g) for u, _r, gs in users for g in gs], batch_size=5000
    )
    return {
        "cm_by_region": {k: [u.pk for u in v] for k, v in cm_by_region.items()},
        "koord_by_district": [[u.pk for u in pair] for pair in koord_by_district],
        "bench_cm": bench_cm.pk,
        "bench_koord": bench_koord.pk,
        "bench_admin": bench_admin.pk,
        "count": len(users),
    }


def case_distribution(plan: Plan, districts: list[District], rng: random.Random) -> list[int]:
    """Cases per district: Coesfeld's fixed share, the rest by municipality count and chance."""
    weights = [d.municipalities_count * rng.uniform(0.6, 1.6) for d in districts[1:]]
    rest = plan.cases - plan.coesfeld_cases
    counts = [int(rest * w / sum(weights)) for w in weights]
    for i in range(rest - sum(counts)):
        counts[i] += 1
    return [plan.coesfeld_cases, *counts]


# --- Lookup arrays passed to SQL as constants ------------------------------------------------


def _array_by_id(mapping: dict[int, object], default=None) -> list:
    """A list whose position id-1 holds mapping[id], for SQL arrays indexed by id."""
    size = max(mapping) if mapping else 0
    return [mapping.get(i, default) for i in range(1, size + 1)]


def lookups(districts: list[District], staff: dict, case_counts: list[int], plan: Plan) -> dict:
    rng = random.Random(99)
    muni_ids, d_moff, d_mcnt = [], [], []
    muni_region, muni_postal = {}, {}
    for district in districts:
        munis = list(Municipality.objects.filter(region__district=district).order_by("ags"))
        d_moff.append(len(muni_ids))
        d_mcnt.append(len(munis))
        for m in munis:
            muni_ids.append(m.pk)
            muni_region[m.pk] = m.region_id
            muni_postal[m.pk] = demo.POSTAL_CODES.get(m.name) or f"{rng.randint(32000, 59999):05d}"
    cm_ids, r_off, r_cnt = [], {}, {}
    for region_id, ids in staff["cm_by_region"].items():
        r_off[region_id] = len(cm_ids)
        r_cnt[region_id] = len(ids)
        cm_ids.extend(ids)
    bounds, total = [], 1
    for count in case_counts:
        bounds.append(total)
        total += count
    return {
        "bounds": bounds,
        "d_ids": [d.pk for d in districts],
        "d_codes": [d.code for d in districts],
        "muni_ids": muni_ids,
        "d_moff": d_moff,
        "d_mcnt": d_mcnt,
        "m_region": _array_by_id(muni_region, 0),
        "m_postal": _array_by_id(muni_postal, ""),
        "cm_ids": cm_ids,
        "r_cmoff": _array_by_id(r_off, 0),
        "r_cmcnt": _array_by_id(r_cnt, 0),
        "koord": [k for pair in staff["koord_by_district"] for k in pair],
        "a_per_d": plan.actors_per_district,
    }


def _catalogue(table: str, order: str = "id") -> list[int]:
    return [row[0] for row in fetchall(f"SELECT id FROM {table} ORDER BY {order}")]


# --- Index handling ---------------------------------------------------------------------


def index_state(tables=LOADED_TABLES) -> list[tuple[str, str, str]]:
    return fetchall(
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = ANY(%s) ORDER BY tablename, indexname",
        [list(tables)],
    )


def drop_secondary_indexes() -> list[tuple[str, str, str]]:
    """Drop the secondary indexes and the unique constraints no foreign key depends on
    (primary keys stay: appending ascending ids to them is cheap). Returns
    (table, name, statement) triples that recreate them exactly."""
    constraints = fetchall(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype = 'u'
          AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)
        """,
        [list(LOADED_TABLES)],
    )
    indexes = fetchall(
        """
        SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [list(LOADED_TABLES)],
    )
    recreate = []
    for table, name, definition in constraints:
        execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        recreate.append((table, name, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
    for table, name, definition in indexes:
        execute(f"DROP INDEX {name}")
        recreate.append((table, name, definition))
    return recreate


class IndexQueue:
    """Index builds shared by the two loading sessions: a table's indexes become available
    when its load is done; the largest table's come first, constraints before plain indexes
    (ALTER TABLE locks the table against a concurrent CREATE INDEX)."""

    def __init__(self, recreate: list[tuple[str, str, str]], timer: Timer, producers: int):
        self.by_table: dict[str, list[tuple[str, str, str]]] = {}
        for item in recreate:
            self.by_table.setdefault(item[0], []).append(item)
        self.timer = timer
        self.jobs: list[tuple[tuple, tuple[str, str, str]]] = []
        self.done: set[str] = set()
        self.producers = producers
        self.cond = threading.Condition()

    def release(self, tables, *, keep: tuple[str, ...] = ()) -> None:
        """Make the indexes of `tables` available (except those named in `keep`)."""
        sizes = dict(
            fetchall(
                "SELECT relname, pg_relation_size(oid) FROM pg_class WHERE relname = ANY(%s)", [list(tables)]
            )
        )
        with self.cond:
            for table in tables:
                for item in self.by_table.get(table, []):
                    if item[1] not in keep:
                        is_constraint = item[2].startswith("ALTER TABLE")
                        self.jobs.append(((not is_constraint, -sizes.get(table, 0), item[1]), item))
            self.jobs.sort()
            self.cond.notify_all()

    def producer_done(self) -> None:
        with self.cond:
            self.producers -= 1
            self.cond.notify_all()

    def build(self, item: tuple[str, str, str]) -> None:
        with self.timer.step(f"index {item[1][:36]}"):
            execute(item[2])
        with self.cond:
            self.done.add(item[2])

    def consume(self) -> None:
        while True:
            with self.cond:
                while not self.jobs and self.producers > 0:
                    self.cond.wait()
                if not self.jobs:
                    return
                _priority, item = self.jobs.pop(0)
            self.build(item)

    def build_named(self, name: str) -> None:
        for items in self.by_table.values():
            for item in items:
                if item[1] == name:
                    self.build(item)

    def remaining(self) -> list[tuple[str, str, str]]:
        return [item for items in self.by_table.values() for item in items if item[2] not in self.done]


# --- Reset ---------------------------------------------------------------------------------


def data_tables() -> list[str]:
    existing = set(connection.introspection.table_names())
    wanted = list(LOADED_TABLES) + list(RESET_EXTRA_TABLES)
    wanted += sorted(t for t in existing if t.startswith("structural_"))
    return [t for t in wanted if t in existing]


def reset_data() -> None:
    execute(f"TRUNCATE {', '.join(data_tables())} RESTART IDENTITY CASCADE")
    user_fks = fetchall(
        """
        SELECT c.conrelid::regclass::text, a.attname
        FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND c.confrelid = 'accounts_user'::regclass
        """
    )
    bench_users = "SELECT id FROM accounts_user WHERE username LIKE %s"
    for table, column in user_fks:
        execute(f"DELETE FROM {table} WHERE {column} IN ({bench_users})", [USER_PREFIX + "%"])
    execute("DELETE FROM accounts_user WHERE username LIKE %s", [USER_PREFIX + "%"])
    synthetic = "SELECT id FROM regions_district WHERE key LIKE %s"
    pattern = [SYNTHETIC_KEY_PREFIX + "%"]
    execute(
        f"DELETE FROM regions_municipality WHERE region_id IN (SELECT id FROM regions_region "
        f"WHERE district_id IN ({synthetic}))",
        pattern,
    )
    execute(f"DELETE FROM regions_region WHERE district_id IN ({synthetic})", pattern)
    execute("DELETE FROM regions_district WHERE key LIKE %s", pattern)
    execute(f"DROP TABLE IF EXISTS {STAGE_TABLE}, {PROFILE_TABLE}, {NAMES_TABLE}")


def existing_rows() -> dict[str, int]:
    found = {}
    for table in data_tables():
        if fetchall(f"SELECT EXISTS (SELECT 1 FROM {table})")[0][0]:
            found[table] = 1
    if User.objects.filter(username__startswith=USER_PREFIX).exists():
        found["accounts_user (bench.*)"] = 1
    if District.objects.filter(key__startswith=SYNTHETIC_KEY_PREFIX).exists():
        found["regions_district (synthetic)"] = 1
    return found


# --- Profiles: nationality, name origin, status, languages --------------------------------


def build_profiles() -> dict:
    """PROFILE_COUNT weighted profiles drawn from casework/demo's distributions, as a table, plus
    the name lists per origin as flat arrays with offsets."""
    rng = random.Random(4711)
    origins = list(demo.NAMES)
    rows = []
    for p in range(1, PROFILE_COUNT + 1):
        code = demo.NATIONALITY_WEIGHTS.pick(rng)
        _weight, origin = demo.NATIONALITIES[code]
        name_origin = rng.choice(demo.NATURALISED_NAME_ORIGINS) if code == "DE" else origin.names
        status = demo._weighted(rng, origin.statuses)
        languages = rng.choice(origin.languages)
        if code == "DE":
            languages = demo.FAMILY_LANGUAGES[name_origin] if rng.random() < 0.7 else "Deutsch"
        rows.append(
            (
                p,
                demo._known_country(code),
                origins.index(name_origin) + 1,
                str(status),
                languages,
                origin.interpreter_share,
                demo.VALIDITY_DAYS.get(status, 0),
            )
        )
    execute(f"DROP TABLE IF EXISTS {PROFILE_TABLE}")
    execute(
        f"CREATE UNLOGGED TABLE {PROFILE_TABLE} (p int PRIMARY KEY, nationality text, origin int, "
        "status text, languages text, interp float8, valid_days int)"
    )
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {PROFILE_TABLE} VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
    names = {"ff": [], "fm": [], "lm": [], "lf": [], "ff_off": [], "ff_cnt": [], "fm_off": [], "fm_cnt": []}
    names.update({"l_off": [], "l_cnt": []})
    for origin in origins:
        female, male, last = demo.NAMES[origin]
        for key, values in (("ff", female), ("fm", male)):
            names[f"{key}_off"].append(len(names[key]))
            names[f"{key}_cnt"].append(len(values))
            names[key].extend(values)
        names["l_off"].append(len(names["lm"]))
        names["l_cnt"].append(len(last))
        names["lm"].extend(last)
        names["lf"].extend(demo._feminine(n, origin) for n in last)
    every_name = sorted({n for key in ("ff", "fm", "lm", "lf") for n in names[key]})
    execute(f"DROP TABLE IF EXISTS {NAMES_TABLE}")
    execute(f"CREATE UNLOGGED TABLE {NAMES_TABLE} (name text PRIMARY KEY, k text, p text)")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {NAMES_TABLE} VALUES (%s, %s, %s)",
            [
                (n, normalise_name(n), normalise_name(n.lower().translate(UMLAUTS_DROPPED)))
                for n in every_name
            ],
        )
    return names


# --- The generator ------------------------------------------------------------------------


class Generator:
    def __init__(self, plan: Plan, lk: dict, names: dict, staff: dict, today: dt.date, timer: Timer):
        self.plan = plan
        self.lk = lk
        self.names = names
        self.staff = staff
        self.today = today
        self.timer = timer
        self.fw = dict(fetchall("SELECT code, id FROM casework_legalframework"))
        self.fw_ids = _catalogue("casework_legalframework")
        self.topics = dict(fetchall("SELECT name, id FROM casework_topic"))
        self.topic_ids = _catalogue("casework_topic")
        self.cr_ids = _catalogue("casework_closurereason")
        self.dc_ids = _catalogue("casework_datacategory")
        self.actor_types = dict(fetchall("SELECT name, id FROM casework_actortype"))
        self.p = {
            **lk,
            **names,
            "today": today,
            "first_day": FIRST_DAY,
            "fw_ids": self.fw_ids,
            "topic_ids": self.topic_ids,
            "cr_ids": self.cr_ids,
            "dc_ids": self.dc_ids,
            "bench_cm": staff["bench_cm"],
        }

    def sql(self, statement: str, extra: dict | None = None) -> int:
        return execute(statement, {**self.p, **(extra or {})})

    # -- actors -----------------------------------------------------------------------

    def actors(self) -> None:
        n_d = len(self.lk["d_ids"])
        per = self.plan.actors_per_district
        templates = demo.EXTRA_ACTOR_TEMPLATES
        authority_type_ids = [self.actor_types[name] for name in AUTHORITY_TYPES]
        tpl_type = [self.actor_types[t[0]] for t in templates]
        tpl_name = [t[1] for t in templates]
        tpl_topics = [self.topics[t[2][0]] for t in templates]
        tpl_role = [t[3][0] for t in templates]
        streets = list(demo.STREETS)
        params = {
            "auth_types": authority_type_ids,
            "auth_names": list(AUTHORITY_TYPES),
            "tpl_type": tpl_type,
            "tpl_name": tpl_name,
            "tpl_topic": tpl_topics,
            "tpl_role": tpl_role,
            "streets": streets,
            "per": per,
        }
        # Actor id = (district index - 1) * per + position; positions 1..5 are the authorities.
        self.sql(
            f"""
            INSERT INTO casework_actor (id, created_at, updated_at, name, street, postal_code, city, phone,
                email, website, description, external_id, is_active, district_id, actor_type_id, version)
            SELECT id, ts, ts,
                CASE WHEN pos <= {AUTHORITY_COUNT}
                    THEN (%(auth_names)s::text[])[pos] || ' ' || dname
                    ELSE replace((%(tpl_name)s::text[])[tpl], '{{m}}', mname)
                        || CASE WHEN pos > {AUTHORITY_COUNT} + 13 THEN ' ' || ((pos - {AUTHORITY_COUNT} - 1) / 13 + 1)::text ELSE '' END
                END,
                (%(streets)s::text[])[1 + {pick("id", 101, len(streets))}] || ' ' || (1 + {pick("id", 102, 60)})::text,
                (%(m_postal)s::text[])[muni], mname, '', '', '', '', '',
                {rnd("id", 103)} > 0.03, did,
                CASE WHEN pos <= {AUTHORITY_COUNT} THEN (%(auth_types)s::int[])[pos]
                     ELSE (%(tpl_type)s::int[])[tpl] END,
                1
            FROM (
                SELECT b.id, b.d, b.pos, b.did, b.muni, m.name AS mname, dist.name AS dname,
                       1 + mod(pos - {AUTHORITY_COUNT} - 1, 13) AS tpl,
                       (%(today)s::date - 400 - {pick("b.id", 104, 1500)})::timestamptz + interval '9 hours' AS ts
                FROM (
                    SELECT id, d, pos, (%(d_ids)s::bigint[])[d] AS did,
                        (%(muni_ids)s::bigint[])[(%(d_moff)s::int[])[d] + 1 + {pick("id", 105, "(%(d_mcnt)s::int[])[d]")}] AS muni
                    FROM (SELECT g AS id, 1 + (g - 1) / %(per)s AS d, 1 + mod(g - 1, %(per)s) AS pos
                          FROM generate_series(1, {n_d} * %(per)s) g) a
                ) b
                JOIN regions_municipality m ON m.id = b.muni
                JOIN regions_district dist ON dist.id = b.did
            ) c
            """,
            params,
        )
        # Municipalities served: 1-3 of the district, topics: 1-3, contact persons: 1-2.
        self.sql(
            f"""
            INSERT INTO casework_actor_municipalities (actor_id, municipality_id)
            SELECT a, (%(muni_ids)s::bigint[])[(%(d_moff)s::int[])[d] + 1 + mod(start + k, cnt)]
            FROM (SELECT a, d, cnt, {pick("a", 111, "cnt")} AS start, 1 + {pick("a", 112, 3)} AS n
                  FROM (SELECT a, 1 + (a - 1) / %(per)s AS d, (%(d_mcnt)s::int[])[1 + (a - 1) / %(per)s] AS cnt
                        FROM generate_series(1, {n_d} * %(per)s) a) x) y,
                 generate_series(0, 2) k
            WHERE k < least(n, cnt)
            """,
            params,
        )
        self.sql(
            f"""
            INSERT INTO casework_actor_topics (actor_id, topic_id)
            SELECT a, (%(topic_ids)s::bigint[])[1 + mod(start + k, {len(self.topic_ids)})]
            FROM (SELECT a, {pick("a", 121, len(self.topic_ids))} AS start, 1 + {pick("a", 122, 3)} AS n
                  FROM generate_series(1, {n_d} * %(per)s) a) x, generate_series(0, 2) k
            WHERE k < n
            """,
            params,
        )
        ff, fm, lm = len(self.names["ff"]), len(self.names["fm"]), len(self.names["lm"])
        # Contact person id = 2 * actor id - 1 (always) and 2 * actor id (for about half).
        self.sql(
            f"""
            INSERT INTO casework_contactperson (id, created_at, updated_at, name, role, phone, email,
                is_active, actor_id)
            SELECT 2 * a - 2 + k, now(), now(),
                CASE WHEN {rnd("2 * a + k", 131)} < 0.5 THEN (%(ff)s::text[])[1 + {pick("2 * a + k", 132, ff)}]
                     ELSE (%(fm)s::text[])[1 + {pick("2 * a + k", 133, fm)}] END
                    || ' ' || (%(lm)s::text[])[1 + {pick("2 * a + k", 134, lm)}],
                CASE WHEN a <= 0 THEN '' ELSE 'Beratung' END, '', '', true, a
            FROM generate_series(1, {n_d} * %(per)s) a, generate_series(1, 2) k
            WHERE k = 1 OR {rnd("a", 135)} < 0.5
            """,
            params,
        )

    # -- cases --------------------------------------------------------------------------

    def stage_cases(self) -> None:
        plan = self.plan
        cm_total = plan.cm_open + plan.cm_closed
        days = (self.today - FIRST_DAY).days
        execute(f"DROP TABLE IF EXISTS {STAGE_TABLE}")
        self.sql(
            f"""
            CREATE UNLOGGED TABLE {STAGE_TABLE} AS
            SELECT row_number() OVER (ORDER BY opened_on, g) AS id,
                   row_number() OVER (PARTITION BY d, extract(year FROM opened_on) ORDER BY opened_on, g) AS seq,
                   c.*
            FROM (
                SELECT b.*,
                    CASE WHEN is_open THEN NULL
                         ELSE least(%(today)s::date, opened_on + 7 + floor(power({rnd("g", 6)}, 1.5) * 720)::int)
                    END AS closed_on,
                    CASE WHEN g = 1 THEN 'monitoring'
                         WHEN NOT is_open THEN 'closed'
                         WHEN {rnd("g", 7)} < 0.2 THEN 'intake'
                         WHEN {rnd("g", 7)} < 0.4 THEN 'assessment'
                         WHEN {rnd("g", 7)} < 0.6 THEN 'planning'
                         WHEN {rnd("g", 7)} < 0.9 THEN 'monitoring'
                         ELSE 'paused' END AS phase,
                    CASE WHEN is_open THEN NULL
                         ELSE (%(cr_ids)s::bigint[])[1 + {pick("g", 8, len(self.cr_ids))}] END AS closure_reason,
                    CASE WHEN g <= {cm_total} THEN %(bench_cm)s::bigint
                         WHEN is_open AND {rnd("g", 9)} < 0.05 THEN NULL
                         ELSE (%(cm_ids)s::bigint[])[(%(r_cmoff)s::int[])[region] + 1
                              + {pick("g", 10, "(%(r_cmcnt)s::int[])[region]")}] END AS cm,
                    (%(koord)s::bigint[])[2 * d - 1 + {pick("g", 11, 2)}] AS koord
                FROM (
                    SELECT a.*,
                        CASE WHEN g = 1 THEN %(today)s::date - 500
                             WHEN is_open THEN greatest(%(first_day)s::date,
                                 %(today)s::date - floor(power({rnd("g", 5)}, 2) * 900)::int)
                             ELSE %(first_day)s::date + floor({rnd("g", 5)} * {days})::int END AS opened_on
                    FROM (
                        SELECT g, d, (%(d_ids)s::bigint[])[d] AS district_id, muni,
                            (%(m_region)s::int[])[muni] AS region,
                            (g > {cm_total} AND {rnd("g", 3)} < {HOUSEHOLD_SHARE}) AS hh,
                            CASE WHEN g <= {plan.cm_open} THEN true
                                 WHEN g <= {cm_total} THEN false
                                 ELSE {rnd("g", 4)} < {OPEN_SHARE} END AS is_open
                        FROM (
                            SELECT g, d, (%(muni_ids)s::bigint[])[(%(d_moff)s::int[])[d] + 1
                                   + {pick("g", 2, "(%(d_mcnt)s::int[])[d]")}] AS muni
                            FROM (SELECT g, width_bucket(g, %(bounds)s::int[]) AS d
                                  FROM generate_series(1, {plan.cases}) g) s
                            OFFSET 0
                        ) m
                    ) a
                ) b
            ) c
            """
        )
        execute(
            f"ALTER TABLE {STAGE_TABLE} ADD COLUMN subj bigint, ADD COLUMN end_on date, ADD COLUMN reference text"
        )
        # Subject numbers: clients 1..n for client cases, households 1..m for household cases.
        # References as casework.references.format_reference builds them.
        self.sql(
            f"""
            UPDATE {STAGE_TABLE} s SET subj = x.subj, end_on = coalesce(s.closed_on, %(today)s::date),
                reference = {reference_sql("(%(d_codes)s::text[])[s.d]", "extract(year FROM s.opened_on)::int", "s.seq")}
            FROM (SELECT id, row_number() OVER (PARTITION BY hh ORDER BY id) AS subj FROM {STAGE_TABLE}) x
            WHERE x.id = s.id
            """
        )
        execute(f"ALTER TABLE {STAGE_TABLE} ADD PRIMARY KEY (id)")
        execute(f"ANALYZE {STAGE_TABLE}")

    def cases(self) -> None:
        """Cases after their clients and households: `search_name` (if the schema has it) is
        derived from their names like casework.names.search_key does."""
        columns = {
            c.name
            for c in connection.introspection.get_table_description(connection.cursor(), "casework_case")
        }
        has_search_name = "search_name" in columns
        has_bits = "legal_framework_bits" in columns
        key = "CASE WHEN s.hh THEN 'familie ' || nl.{0} ELSE nl.{0} || ' ' || nf.{0} END"
        n_fw = len(self.fw_ids)
        extra_columns, extra_values, search_join = "", "", ""
        if has_bits:
            # The bits of the legal frameworks the links below give each case (Case.legal_framework_bits).
            extra_columns = ", legal_framework_bits"
            framework = "(%(fw_ids)s::bigint[])[1 + mod({pick} + {k}, {n})]"
            position = f"(SELECT f.bit FROM casework_legalframework f WHERE f.id = {framework})"
            bit = f"coalesce(1::bigint << {position}, 0)"
            first, second = pick("x.id", 31, n_fw), rnd("x.id", 32)  # x.id: not the subquery's f.id
            extra_values = (
                f", {bit.format(pick=first, k=0, n=n_fw)}"
                f" | CASE WHEN {second} < 0.2 THEN {bit.format(pick=first, k=1, n=n_fw)} ELSE 0 END"
            )
        if has_search_name:
            extra_columns += ", search_name"
            extra_values += f", left(k || CASE WHEN p <> k THEN ' ' || p ELSE '' END, {SEARCH_KEY_LENGTH})"
            search_join = f"""
                , {key.format("k")} AS k, {key.format("p")} AS p
                FROM {STAGE_TABLE} s
                LEFT JOIN casework_client cl ON NOT s.hh AND cl.id = s.subj
                LEFT JOIN casework_household h ON s.hh AND h.id = s.subj
                LEFT JOIN {NAMES_TABLE} nl ON nl.name = coalesce(cl.last_name, substr(h.name, 9))
                LEFT JOIN {NAMES_TABLE} nf ON nf.name = cl.first_name
            """
        else:
            search_join = f" FROM {STAGE_TABLE} s"
        self.sql(
            f"""
            INSERT INTO casework_case (id, created_at, updated_at, reference, year, sequence, phase, opened_on,
                closed_on, case_manager_id, district_id, municipality_id, client_id, closure_reason_id,
                household_id, version{extra_columns})
            SELECT id, opened_on + time '08:00' + {pick("id", 21, 540)} * interval '1 minute',
                coalesce(closed_on, least(%(today)s::date, opened_on + {pick("id", 22, 200)}))
                    + time '08:00' + {pick("id", 23, 540)} * interval '1 minute',
                reference, extract(year FROM opened_on)::int, seq, phase, opened_on, closed_on, cm, district_id,
                muni, CASE WHEN hh THEN NULL ELSE subj END, closure_reason, CASE WHEN hh THEN subj END, 1
                {extra_values}
            FROM (SELECT s.*{search_join} OFFSET 0) x
            ORDER BY id
            """
        )
        self.sql(
            f"""
            INSERT INTO casework_case_legal_frameworks (case_id, legalframework_id)
            SELECT id, (%(fw_ids)s::bigint[])[1 + mod(first + k, {n_fw})]
            FROM (SELECT id, {pick("id", 31, n_fw)} AS first, {rnd("id", 32)} < 0.2 AS second
                  FROM generate_series(1, {self.plan.cases}) id) x, generate_series(0, 1) k
            WHERE k = 0 OR second
            """
        )
        self.sql(
            f"""
            INSERT INTO casework_phasechange (from_phase, to_phase, changed_at, note, outcome, case_id,
                changed_by_id, closure_reason_id)
            SELECT from_phase, to_phase, at, '', '', id, by, reason FROM (
                SELECT id, k, CASE WHEN k = 0 THEN '' ELSE
                        CASE phase WHEN 'assessment' THEN 'intake' WHEN 'planning' THEN 'assessment'
                            WHEN 'monitoring' THEN 'planning' WHEN 'paused' THEN 'monitoring'
                            ELSE (ARRAY['intake', 'assessment', 'planning', 'monitoring'])[1 + {pick("id", 41, 4)}]
                        END END AS from_phase,
                    CASE WHEN k = 0 THEN 'intake' ELSE phase END AS to_phase,
                    CASE WHEN k = 0 THEN opened_on + time '09:00'
                         WHEN phase = 'closed' THEN closed_on + time '14:00'
                         ELSE opened_on + {pick("id", 42, "end_on - opened_on + 1")} + time '11:00' END AS at,
                    coalesce(cm, koord) AS by,
                    CASE WHEN k = 1 THEN closure_reason END AS reason
                FROM {STAGE_TABLE}, generate_series(0, 1) k
                WHERE k = 0 OR phase <> 'intake'
                ORDER BY id, k
            ) x
            """
        )
        self.sql(
            f"""
            INSERT INTO casework_caseassignment (assigned_at, note, assigned_by_id, case_id, from_manager_id,
                to_manager_id)
            SELECT opened_on + time '10:00', '', koord, id, NULL, cm
            FROM {STAGE_TABLE} WHERE cm IS NOT NULL ORDER BY id
            """
        )

    # -- households and clients ------------------------------------------------------------

    def _person_insert(
        self, source: str, *, key: str, prof_key: str, last_key: str, role: str, age: str
    ) -> None:
        """Insert clients from `source`, a query with columns id, muni, household, day, j (member number)."""
        self.sql(
            f"""
            INSERT INTO casework_client (id, created_at, updated_at, first_name, last_name, date_of_birth, gender,
                nationality, languages, needs_interpreter, residence_status, residence_valid_until, street,
                postal_code, phone, email, household_role, external_id, anonymised_at, municipality_id,
                household_id, version)
            SELECT id, ts, ts,
                CASE WHEN gender = 'f' OR (gender IN ('d', 'x') AND {rnd(key, 51)} < 0.5)
                     THEN (%(ff)s::text[])[(%(ff_off)s::int[])[origin] + 1 + {pick(key, 52, "(%(ff_cnt)s::int[])[origin]")}]
                     ELSE (%(fm)s::text[])[(%(fm_off)s::int[])[origin] + 1 + {pick(key, 53, "(%(fm_cnt)s::int[])[origin]")}]
                END,
                CASE WHEN gender = 'f' THEN (%(lf)s::text[])[(%(l_off)s::int[])[origin] + 1 + lastpick]
                     ELSE (%(lm)s::text[])[(%(l_off)s::int[])[origin] + 1 + lastpick] END,
                CASE WHEN {rnd(key, 54)} < 0.02 THEN NULL
                     ELSE %(today)s::date - (age * 365 + age / 4 + {pick(key, 55, 365)}) END,
                gender, nationality, languages, {rnd(key, 56)} < interp, status,
                CASE WHEN valid_days > 0 THEN %(today)s::date - 30 + {pick(key, 57, "valid_days + 30")} END,
                (%(streets)s::text[])[1 + {pick(key, 58, len(demo.STREETS))}] || ' ' || (1 + {pick(key, 59, 90)})::text,
                (%(m_postal)s::text[])[muni], '', '', {role}, '', NULL, muni, household, 1
            FROM (
                SELECT s.*, pr.origin, pr.nationality, pr.languages, pr.interp, pr.status, pr.valid_days,
                    {pick(last_key, 60, "(%(l_cnt)s::int[])[pr.origin]")} AS lastpick,
                    CASE WHEN {rnd(key, 61)} < 0.48 THEN 'f' WHEN {rnd(key, 61)} < 0.98 THEN 'm'
                         WHEN {rnd(key, 61)} < 0.99 THEN 'd' ELSE 'x' END AS gender,
                    {age} AS age,
                    (day - {pick(key, 62, 10)}) + time '08:00' + {pick(key, 63, 540)} * interval '1 minute' AS ts
                FROM ({source}) s
                JOIN {PROFILE_TABLE} pr ON pr.p = 1 + {pick(prof_key, 64, PROFILE_COUNT)}
                OFFSET 0
            ) x
            ORDER BY id
            """,
            {"streets": list(demo.STREETS)},
        )

    def clients(self) -> dict:
        plan = self.plan
        households, case_clients = fetchall(
            f"SELECT count(*) FILTER (WHERE hh), count(*) FILTER (WHERE NOT hh) FROM {STAGE_TABLE}"
        )[0]
        # Households: one per household case, named after the family.
        self.sql(
            f"""
            INSERT INTO casework_household (id, created_at, updated_at, name, municipality_id)
            SELECT subj, ts, ts, 'Familie ' || (%(lm)s::text[])[(%(l_off)s::int[])[pr.origin] + 1
                    + {pick("1000000000 + subj", 60, "(%(l_cnt)s::int[])[pr.origin]")}], muni
            FROM (SELECT subj, muni, opened_on - 3 + time '10:00' AS ts FROM {STAGE_TABLE} WHERE hh) s
            JOIN {PROFILE_TABLE} pr ON pr.p = 1 + {pick("1000000000 + subj", 64, PROFILE_COUNT)}
            ORDER BY subj
            """
        )
        adult_age = f"18 + floor(power({rnd('id', 65)}, 1.6) * 62)::int"
        self._person_insert(
            f"SELECT subj AS id, muni, NULL::bigint AS household, opened_on AS day, 0 AS j "
            f"FROM {STAGE_TABLE} WHERE NOT hh",
            key="id",
            prof_key="id",
            last_key="id",
            role="''",
            age=adult_age,
        )
        members_source = f"""
            SELECT {case_clients} + row_number() OVER (ORDER BY subj, j) AS id, muni, subj AS household,
                   opened_on - 3 AS day, j, n
            FROM (SELECT subj, muni, opened_on, 2 + floor({rnd("subj", 66)} * 3.2)::int AS n
                  FROM {STAGE_TABLE} WHERE hh) h,
                 LATERAL generate_series(1, n) j
        """
        self._person_insert(
            members_source,
            key="id",
            prof_key="1000000000 + household",
            last_key="1000000000 + household",
            role="CASE WHEN j = 1 THEN 'head' WHEN j = 2 AND (n > 2 OR {r} < 0.6) THEN 'partner' "
            "WHEN {r} < 0.9 THEN 'child' WHEN {r} < 0.95 THEN 'relative' ELSE 'other' END".format(
                r=rnd("id", 67)
            ),
            age=f"CASE WHEN j <= 2 THEN 24 + {pick('id', 68, 36)} ELSE {pick('id', 69, 18)} END",
        )
        members = fetchall("SELECT count(*) FROM casework_client WHERE household_id IS NOT NULL")[0][0]
        base = case_clients + members
        others = max(0, plan.clients - base)
        self._person_insert(
            f"""SELECT {base} + i AS id, (%(muni_ids)s::bigint[])[1 + {pick("i", 70, len(self.lk["muni_ids"]))}] AS muni,
                NULL::bigint AS household, %(today)s::date - {pick("i", 71, (self.today - FIRST_DAY).days)} AS day,
                0 AS j FROM generate_series(1, {others}) i""",
            key="id",
            prof_key="id",
            last_key="id",
            role="''",
            age=adult_age,
        )
        fw = self.fw
        self.sql(
            f"""
            INSERT INTO casework_client_legal_frameworks (client_id, legalframework_id)
            SELECT id, f FROM (
                SELECT id, CASE
                    WHEN age < 18 THEN CASE WHEN r < 0.3 THEN {fw["sgb-viii"]} ELSE {fw["none"]} END
                    WHEN residence_status IN ('gestattung', 'duldung') THEN {fw["asylblg"]}
                    WHEN age >= 67 THEN {fw["sgb-xii"]}
                    WHEN r < 0.62 THEN {fw["sgb-ii"]} WHEN r < 0.8 THEN {fw["sgb-iii"]}
                    ELSE {fw["none"]} END AS f1,
                    CASE WHEN age >= 16 AND residence_valid_until IS NOT NULL AND {rnd("id", 81)} < 0.5
                         THEN {fw["aufenthg"]} END AS f2
                FROM (SELECT id, residence_status, residence_valid_until, {rnd("id", 80)} AS r,
                             coalesce(extract(year FROM age(%(today)s::date, date_of_birth))::int, 40) AS age
                      FROM casework_client) c
            ) x, LATERAL (VALUES (f1), (f2)) v(f)
            WHERE f IS NOT NULL
            """
        )
        return {"households": households, "members": members}

    # -- contacts ----------------------------------------------------------------------

    def contacts(self) -> None:
        channels = [str(c) for c in demo.CHANNEL_WEIGHTS]
        weights = list(demo.CHANNEL_WEIGHTS.values())
        cumulative, total = [], 0
        for w in weights:
            total += w
            cumulative.append(total / sum(weights))
        channel_case = (
            "CASE "
            + " ".join(
                f"WHEN cr < {c:.4f} THEN '{ch}'" for ch, c in zip(channels[:-1], cumulative[:-1], strict=True)
            )
            + f" ELSE '{channels[-1]}' END"
        )
        durations = {
            Channel.IN_PERSON: (30, 61),
            Channel.PHONE: (5, 26),
            Channel.VIDEO: (20, 41),
            Channel.EMAIL: (5, 16),
            Channel.MESSENGER: (2, 9),
            Channel.OUTREACH: (45, 76),
            Channel.ACCOMPANIMENT: (60, 121),
        }
        duration_case = (
            "CASE channel "
            + " ".join(
                f"WHEN '{ch}' THEN {lo} + {pick('key', 94, span)}" for ch, (lo, span) in durations.items()
            )
            + " ELSE 30 END"
        )
        notes = [note for values in demo.CONTACT_NOTES.values() for note in values]
        self.sql(
            f"""
            INSERT INTO casework_contact (created_at, updated_at, contacted_on, channel, duration_minutes,
                with_interpreter, note, case_id, created_by_id)
            SELECT ts, ts, contacted_on, channel, {duration_case}, {rnd("key", 95)} < 0.15,
                CASE WHEN j = 1 THEN %(first_note)s ELSE (%(notes)s::text[])[1 + {pick("key", 96, len(notes))}] END,
                id, author
            FROM (
                SELECT *, {channel_case} AS channel,
                    contacted_on + time '08:00' + {pick("key", 97, 540)} * interval '1 minute' AS ts
                FROM (
                    SELECT s.id, j, s.id * 256 + j AS key, {rnd("s.id * 256 + j", 98)} AS cr,
                        coalesce(s.cm, s.koord) AS author,
                        s.opened_on + floor((j - 1 + {rnd("s.id * 256 + j", 99)}) / k
                            * (s.end_on - s.opened_on + 1))::int AS contacted_on
                    FROM (SELECT *, CASE WHEN g = 1 THEN {DESIGNATED_CONTACTS}
                                         ELSE floor(31 * power({rnd("id", 90)}, 2))::int END AS k
                          FROM {STAGE_TABLE}) s,
                         LATERAL generate_series(1, s.k) j
                    OFFSET 0
                ) a
            ) b
            """,
            {"notes": notes, "first_note": demo.FIRST_CONTACT_NOTE},
        )
        low, high = fetchall("SELECT min(id), max(id) FROM casework_contact")[0]
        if low is not None:
            self.sql(
                f"""
                INSERT INTO casework_contact_topics (contact_id, topic_id)
                SELECT i, (%(topic_ids)s::bigint[])[1 + {pick("i", 92, len(self.topic_ids))}]
                FROM generate_series({low}, {high}) i WHERE {rnd("i", 91)} < 0.2
                """
            )

    # -- goals, consents, referrals, follow-ups ----------------------------------------------

    def goals(self) -> None:
        goals = [(topic, title, desc) for topic, items in demo.GOALS.items() for title, desc in items]
        params = {
            "g_title": [g[1] for g in goals],
            "g_desc": [g[2] for g in goals],
            "g_topic": [self.topics[g[0]] for g in goals],
        }
        OP, IP, A, P, N, D = (str(s) for s in (GoalStatus.OPEN, GoalStatus.IN_PROGRESS, GoalStatus.ACHIEVED,
                                              GoalStatus.PARTLY_ACHIEVED, GoalStatus.NOT_ACHIEVED, GoalStatus.DROPPED))  # fmt: skip
        self.sql(
            f"""
            INSERT INTO casework_goal (created_at, updated_at, title, description, status, target_date, case_id,
                created_by_id, topic_id, version)
            SELECT created, CASE WHEN status = '{OP}' THEN created ELSE end_on + time '15:00' END,
                (%(g_title)s::text[])[gi], (%(g_desc)s::text[])[gi], status,
                opened_on + 90 + {pick("key", 113, 275)}, id, author, (%(g_topic)s::bigint[])[gi], 1
            FROM (
                SELECT s.id, s.opened_on, s.end_on, s.id * 8 + j AS key, coalesce(s.cm, s.koord) AS author,
                    1 + {pick("s.id * 8 + j", 114, len(goals))} AS gi,
                    s.opened_on + least(s.end_on - s.opened_on, {pick("s.id * 8 + j", 115, 30)})
                        + time '10:00' AS created,
                    CASE WHEN s.phase = 'closed' THEN
                            CASE WHEN {rnd("s.id * 8 + j", 116)} < 0.45 THEN '{A}'
                                 WHEN {rnd("s.id * 8 + j", 116)} < 0.7 THEN '{P}'
                                 WHEN {rnd("s.id * 8 + j", 116)} < 0.9 THEN '{N}' ELSE '{D}' END
                         ELSE CASE WHEN {rnd("s.id * 8 + j", 116)} < 0.5 THEN '{OP}'
                                   WHEN {rnd("s.id * 8 + j", 116)} < 0.85 THEN '{IP}' ELSE '{A}' END
                    END AS status
                FROM {STAGE_TABLE} s, LATERAL generate_series(1, floor({rnd("s.id", 117)} * 3.99)::int) j
                OFFSET 0
            ) x
            """,
            params,
        )
        self.sql(
            f"""
            INSERT INTO casework_goalstatuschange (from_status, to_status, changed_at, changed_by_id, goal_id)
            SELECT CASE WHEN status = '{OP}' THEN '' ELSE '{OP}' END, status, updated_at, created_by_id, id
            FROM casework_goal ORDER BY id
            """
        )

    def consents(self) -> None:
        per = self.plan.actors_per_district
        self.sql(
            f"""
            INSERT INTO casework_consent (id, created_at, updated_at, purpose, given_on, valid_until, withdrawn_on,
                case_id, created_by_id)
            SELECT row_number() OVER (ORDER BY id), given_on + time '10:30', given_on + time '10:30', %(purpose)s,
                given_on,
                CASE WHEN {rnd("id", 141)} < 0.8 THEN given_on + 730 END,
                CASE WHEN {rnd("id", 142)} < 0.02 THEN given_on + {pick("id", 143, "end_on - given_on + 1")} END,
                id, coalesce(cm, koord)
            FROM (SELECT *, opened_on + least(end_on - opened_on, {pick("id", 144, 14)}) AS given_on
                  FROM {STAGE_TABLE} WHERE {rnd("id", 140)} < {CONSENT_SHARE}) s
            """,
            {"purpose": demo.CONSENT_PURPOSE},
        )
        # Consent actors: 1-3 non-authority actors of the case's district (referrals use them).
        self.sql(
            f"""
            INSERT INTO casework_consent_actors (consent_id, actor_id)
            SELECT c.id, (s.d - 1) * {per} + {AUTHORITY_COUNT} + 1
                   + mod({pick("s.id", 145, per - AUTHORITY_COUNT)} + k, {per - AUTHORITY_COUNT})
            FROM casework_consent c JOIN {STAGE_TABLE} s ON s.id = c.case_id, generate_series(0, 2) k
            WHERE k <= {pick("s.id", 146, 3)}
            ORDER BY c.id, k
            """
        )
        n_dc = len(self.dc_ids)
        self.sql(
            f"""
            INSERT INTO casework_consent_data_categories (consent_id, datacategory_id)
            SELECT id, (%(dc_ids)s::bigint[])[1 + mod({pick("id", 147, n_dc)} + k, {n_dc})]
            FROM casework_consent, generate_series(0, 3) k
            WHERE k <= 1 + {pick("id", 148, 3)}
            ORDER BY id, k
            """
        )

    def referrals(self) -> None:
        per = self.plan.actors_per_district
        outcomes = {str(k): list(v) for k, v in demo.REFERRAL_OUTCOMES.items()}
        flat, off, cnt = [], {}, {}
        for status, texts in outcomes.items():
            off[status], cnt[status] = len(flat), len(texts)
            flat.extend(texts)
        outcome_case = (
            "CASE status "
            + " ".join(
                f"WHEN '{s}' THEN (%(outcomes)s::text[])[{off[s] + 1} + {pick('key', 151, cnt[s])}]"
                for s in outcomes
            )
            + " ELSE '' END"
        )
        TU, DE, CA, PL, RE = (str(s) for s in (ReferralStatus.TAKEN_UP, ReferralStatus.DECLINED,
                                               ReferralStatus.CANCELLED, ReferralStatus.PLANNED,
                                               ReferralStatus.REFERRED))  # fmt: skip
        self.sql(
            f"""
            INSERT INTO casework_referral (created_at, updated_at, referred_on, status, outcome, legal_basis,
                actor_id, case_id, consent_id, contact_person_id, created_by_id, topic_id, version)
            SELECT referred_on + time '11:00', referred_on + time '11:00', referred_on, status, {outcome_case},
                CASE WHEN consent_id IS NULL THEN %(basis)s ELSE '' END,
                actor, id, consent_id, CASE WHEN {rnd("key", 152)} < 0.5 THEN 2 * actor - 1 END, author,
                (%(topic_ids)s::bigint[])[1 + {pick("key", 153, len(self.topic_ids))}], 1
            FROM (
                SELECT s.id, s.id * 8 + j AS key, coalesce(s.cm, s.koord) AS author, c.id AS consent_id,
                    CASE WHEN c.id IS NOT NULL
                         THEN (s.d - 1) * {per} + {AUTHORITY_COUNT} + 1
                              + mod({pick("s.id", 145, per - AUTHORITY_COUNT)}
                                    + mod(j - 1, 1 + {pick("s.id", 146, 3)}), {per - AUTHORITY_COUNT})
                         ELSE (s.d - 1) * {per} + 1 + {pick("s.id * 8 + j", 154, AUTHORITY_COUNT)} END AS actor,
                    CASE WHEN c.id IS NULL THEN
                            s.opened_on + {pick("s.id * 8 + j", 155, "s.end_on - s.opened_on + 1")}
                         ELSE least(coalesce(c.withdrawn_on - 1, c.valid_until, s.end_on), s.end_on,
                              c.given_on + {pick("s.id * 8 + j", 155, "s.end_on - c.given_on + 1")}) END AS referred_on,
                    CASE WHEN s.phase = 'closed' THEN
                            CASE WHEN {rnd("s.id * 8 + j", 156)} < 0.6 THEN '{TU}'
                                 WHEN {rnd("s.id * 8 + j", 156)} < 0.8 THEN '{DE}' ELSE '{CA}' END
                         ELSE CASE WHEN {rnd("s.id * 8 + j", 156)} < 0.15 THEN '{PL}'
                                   WHEN {rnd("s.id * 8 + j", 156)} < 0.6 THEN '{RE}' ELSE '{TU}' END
                    END AS status,
                    s.opened_on
                FROM {STAGE_TABLE} s
                LEFT JOIN casework_consent c ON c.case_id = s.id,
                LATERAL generate_series(1, floor({rnd("s.id", 157)} * 3)::int) j
                OFFSET 0
            ) x
            -- A referral is dated while its case is open (Case.check_entry_date): none where the
            -- consent was withdrawn on the day the case was opened.
            WHERE referred_on >= opened_on
            """,
            {"outcomes": flat, "basis": demo.STATUTORY_BASIS},
        )

    def followups(self) -> None:
        titles = list(demo.FOLLOW_UP_TITLES)
        self.sql(
            f"""
            INSERT INTO casework_followup (created_at, updated_at, title, due_on, done_at, assigned_to_id, case_id,
                created_by_id, done_by_id, district_id, continues_after_closing, dropped)
            SELECT created, coalesce(done_at, created), (%(titles)s::text[])[1 + {pick("key", 161, len(titles))}],
                due_on, done_at, author, id, author, CASE WHEN done_at IS NOT NULL THEN author END, district_id,
                false, false
            FROM (
                SELECT *, least(due_on, opened_on + 3) + time '09:30' AS created,
                    CASE WHEN done THEN least(due_on + {pick("key", 162, 5)}, end_on) + time '16:00' END AS done_at
                FROM (
                    SELECT s.id, s.id * 8 + j AS key, s.opened_on, s.end_on, coalesce(s.cm, s.koord) AS author,
                        s.district_id,
                        CASE WHEN s.phase <> 'closed' AND (j = 1 AND (s.cm = %(bench_cm)s OR {rnd("s.id", 163)} < 0.3))
                             THEN greatest(s.opened_on, %(today)s::date - 20 + {pick("s.id", 164, 40)})
                             ELSE s.opened_on + {pick("s.id * 8 + j", 165, "s.end_on - s.opened_on + 1")} END AS due_on,
                        NOT (s.phase <> 'closed' AND (j = 1 AND (s.cm = %(bench_cm)s OR {rnd("s.id", 163)} < 0.3)))
                            AS done
                    FROM {STAGE_TABLE} s,
                         LATERAL generate_series(1, CASE WHEN s.cm = %(bench_cm)s AND s.phase <> 'closed' THEN 2
                                                         ELSE floor({rnd("s.id", 166)} * 3)::int END) j
                    OFFSET 0
                ) a
            ) b
            """,
            {"titles": titles},
        )

    # -- audit ---------------------------------------------------------------------------

    def audit(self) -> None:
        n = self.plan.audit
        cases = self.plan.cases
        clients = self.plan.clients
        start = timezone.now() - dt.timedelta(days=3 * 365)
        self.sql(
            f"""
            INSERT INTO audit_auditentry (at, username, action, object_type, object_id, case_reference, fields,
                detail, user_id)
            SELECT at, coalesce(u.username, ''), action, object_type,
                CASE WHEN object_type = 'casework.client' THEN client::text
                     WHEN action IN ('search', 'export') THEN '' ELSE c.id::text END,
                CASE WHEN object_type = 'casework.case' AND action NOT IN ('search', 'export')
                     THEN c.reference ELSE '' END,
                '[]'::jsonb, '', u.id
            FROM (
                SELECT g, %(start)s::timestamptz + (g - 1) * (interval '1 second' * {3 * 365 * 86400 / n})
                        + {pick("g", 171, 60)} * interval '1 second' AS at,
                    1 + {pick("g", 172, cases)} AS case_id, 1 + {pick("g", 173, clients)} AS client,
                    CASE WHEN {rnd("g", 174)} < 0.88 THEN 'view' WHEN {rnd("g", 174)} < 0.92 THEN 'change'
                         WHEN {rnd("g", 174)} < 0.94 THEN 'create' WHEN {rnd("g", 174)} < 0.995 THEN 'search'
                         ELSE 'export' END AS action,
                    CASE WHEN {rnd("g", 175)} < 0.04 THEN 'casework.client' ELSE 'casework.case' END AS object_type
                FROM generate_series(1, {n}) g
                OFFSET 0
            ) a
            JOIN {STAGE_TABLE} c ON c.id = a.case_id
            LEFT JOIN accounts_user u ON u.id = coalesce(c.cm, c.koord)
            """,
            {"start": start},
        )


# --- Main --------------------------------------------------------------------------------------


def build(
    scale: float, *, reset: bool = False, stdout=sys.stdout, info_path: Path | None = INFO_PATH
) -> dict:
    if connection.vendor != "postgresql":
        raise RuntimeError(
            f"bench/build_dataset.py needs PostgreSQL (this database is {connection.vendor}); "
            "set DATABASE_URL=postgres://..."
        )
    if scale <= 0:
        raise ValueError("scale must be positive")
    timer = Timer(stdout)
    total_start = time.monotonic()
    plan = Plan(scale)
    today = timezone.localdate()
    configure_session()
    _log(stdout, f"Building the benchmark data set at scale {scale} in {connection.settings_dict['NAME']}")
    found = existing_rows()
    if found and not reset:
        raise RuntimeError(
            "The database already holds data ("
            + ", ".join(sorted(found))
            + "); run with --reset to empty it first."
        )
    if reset:
        with timer.step("reset"):
            reset_data()
    rng = random.Random(20260101)
    with timer.step("districts, regions, municipalities"):
        districts = build_geography(rng)
        by_pk = {
            d.pk: d
            for d in District.objects.filter(pk__in=[d.pk for d in districts]).annotate(
                municipalities_count=Count("regions__municipalities")
            )
        }
        coesfeld = next(d for d in by_pk.values() if d.key == COESFELD_KEY)
        districts = [coesfeld] + sorted(
            (d for d in by_pk.values() if d.key != COESFELD_KEY), key=lambda d: d.key
        )
        case_counts = case_distribution(plan, districts, rng)
    with timer.step("staff"):
        staff = build_staff(rng, plan, districts, case_counts)
    before = index_state()
    with timer.step("drop secondary indexes"):
        recreate = drop_secondary_indexes()
    try:
        lk = lookups(districts, staff, case_counts, plan)
        names = build_profiles()
        gen = Generator(plan, lk, names, staff, today, timer)
        with timer.step("actors, contact persons"):
            gen.actors()
        with timer.step("stage cases"):
            gen.stage_cases()

        queue = IndexQueue(recreate, timer, producers=2)
        audit_tables = ("audit_auditentry",)
        biggest_audit_index = "audit_object_idx"

        def rest():
            try:
                with timer.step("households, clients, client frameworks"):
                    gen.clients()
                with timer.step("cases, frameworks, phase changes, assignments"):
                    gen.cases()
                with timer.step("contacts, contact topics"):
                    gen.contacts()
                with timer.step("goals, goal status changes"):
                    gen.goals()
                with timer.step("consents"):
                    gen.consents()
                with timer.step("referrals"):
                    gen.referrals()
                with timer.step("follow-ups"):
                    gen.followups()
                queue.release([t for t in LOADED_TABLES if t not in audit_tables])
            finally:
                queue.producer_done()
            queue.consume()

        def audit():
            try:
                with timer.step("audit entries"):
                    gen.audit()
                queue.release(audit_tables, keep=(biggest_audit_index,))
            finally:
                queue.producer_done()
            queue.build_named(biggest_audit_index)
            queue.consume()

        with timer.step("load and index (two sessions)"):
            run_parallel([audit, rest])
    finally:
        remaining = queue.remaining() if "queue" in locals() else recreate
        if remaining:
            with timer.step("recreate remaining indexes"):
                for _table, _name, statement in remaining:
                    execute(statement)
    after = index_state()
    if before != after:
        raise RuntimeError("The index set differs after the build; compare pg_indexes.")
    designated = fetchall(
        f"SELECT c.id, c.reference FROM {STAGE_TABLE} s JOIN casework_case c ON c.id = s.id WHERE s.g = 1"
    )[0]
    with timer.step("sequences"):
        for table in (*LOADED_TABLES, "accounts_user", "accounts_user_groups", "accounts_user_regions",
                      "regions_district", "regions_region", "regions_municipality"):  # fmt: skip
            execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 1), max(id) IS NOT NULL) "
                f"FROM {table}"
            )
    execute(f"DROP TABLE IF EXISTS {STAGE_TABLE}, {PROFILE_TABLE}, {NAMES_TABLE}")
    with timer.step("vacuum analyze (two sessions)"):
        sizes = dict(fetchall("SELECT relname, pg_relation_size(oid) FROM pg_class WHERE relname = ANY(%s)",
                              [list(LOADED_TABLES)]))  # fmt: skip
        tables = sorted(
            [*LOADED_TABLES, "accounts_user", "accounts_user_groups", "accounts_user_regions"],
            key=lambda t: -sizes.get(t, 0),
        )
        run_parallel([(lambda t=t: execute(f"VACUUM (ANALYZE) {t}")) for t in tables])
    with timer.step("count rows"):
        counts = {
            table: fetchall(f"SELECT count(*) FROM {table}")[0][0]
            for table in (*LOADED_TABLES, "accounts_user", "regions_district", "regions_municipality")
        }
    total = time.monotonic() - total_start
    info = {
        "scale": scale,
        "database": connection.settings_dict["NAME"],
        "built_at": timezone.now().isoformat(timespec="seconds"),
        "seconds": round(total, 1),
        "counts": counts,
        "designated_case": {"pk": designated[0], "reference": designated[1], "contacts": DESIGNATED_CONTACTS},
        "users": {"case_manager": BENCH_CM, "coordinator": BENCH_KOORD, "admin": BENCH_ADMIN},
        "bench_cm_open_cases": plan.cm_open,
        "bench_cm_closed_cases": plan.cm_closed,
        "coesfeld_cases": plan.coesfeld_cases,
        "steps": [[name, round(sec, 1)] for name, sec in timer.steps],
    }
    if info_path is not None:
        info_path.write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _log(stdout, "Row counts:")
    for table, count in counts.items():
        _log(stdout, f"  {table:<44} {count:>12,}")
    _log(
        stdout,
        f"Designated case (bench.cm, {DESIGNATED_CONTACTS} contacts): pk {designated[0]}, {designated[1]}",
    )
    _log(stdout, f"Total: {total:.1f} s")
    return info


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000,000 cases (default)")
    parser.add_argument(
        "--reset", action="store_true", help="empty the data tables of a previous build first"
    )
    args = parser.parse_args(argv)
    try:
        build(args.scale, reset=args.reset)
    except RuntimeError as error:
        sys.stderr.write(f"{error}\n")
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
