"""The permission matrix: every URL of the project, every role, objects of the own and of another region.

The URL patterns are taken from the resolver, so a new URL without an expectation here
fails `test_every_url_has_an_expectation`. Each cell (url, method, role, region) is its
own test and asserts the status the access rules of `accounts.roles` demand:

- anonymous: a redirect to the login page (the admin: to its own login page);
- an object of another region (or, for the network, another district): 404, never 403 or 200;
- a forbidden action inside the user's scope: 403;
- an allowed action: 200 (GET, or a POST with an empty body and form errors) or 302.

POSTs carry an empty body; a 403 or 404 must not have written anything. The last tests
check that nothing of region Süd is shown, listed, counted, searched or exported to the
staff of region Nord.
"""

import datetime as dt
import io
import uuid
import zipfile
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import CASE_MANAGEMENT, COORDINATION, STATISTICS
from casework import services
from casework.models import (
    Actor,
    Appointment,
    Case,
    Client,
    Consent,
    Contact,
    DataCategory,
    Document,
    FollowUp,
    Goal,
    Referral,
)
from regions.models import Region
from structural import services as structural_services
from structural.models import Barrier, CaseConference, Theme
from tests.conftest import login_with_otp, make_staff
from tests.factories import (
    ActorFactory,
    CaseFactory,
    ClientFactory,
    DistrictFactory,
    UserFactory,
    coesfeld,
    municipality,
)

LOGIN = "/anmelden/"
ADMIN_LOGIN = "/admin/login/"
SENTINEL_SUED = "Sentinelsued"
SENTINEL_FOREIGN_ACTOR = "Sentinelfremdkreis"

ROLES = ("anonymous", "cm_assigned", "cm_colleague", "coordination", "statistics", "admin")
STAFF_ROLES = ROLES[1:]
# Superusers signed in with the password alone (accounts.roles.needs_second_factor): with a
# TOTP device they are sent to the code page, without one refused with the setup page, on
# every URL. Verified ("admin"), a superuser sees every district's casework: the operator
# answers Art. 15/17 requests and supports all districts; every read is in the audit trail.
UNVERIFIED_ROLES = ("admin_unverified", "admin_without_device")
SECOND_FACTOR = "/anmelden/code/"

# URL names that are not part of the matrix: signing in and out is open to everyone.
NOT_IN_MATRIX = {"login", "logout", "second_factor"}
# Resetting a forgotten password is for the signed-out (tests/accounts/test_passwords.py).
NOT_IN_MATRIX |= {
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
# The load balancer's health check is open by design and shows nothing (tests/kim/test_health.py).
NOT_IN_MATRIX |= {"healthz"}
# The calendar feed has no login: its secret token is the authentication; a wrong token is a 404
# for everyone (tests/casework/test_appointments.py).
NOT_IN_MATRIX |= {"calendar_feed"}

# The admin is for Administration only; a few representative pages stand for all of it.
ADMIN_URLS = {
    "admin:index",
    "admin:casework_case_changelist",
    "admin:casework_case_change",
    "admin:casework_client_changelist",
}


# --- expectations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """What one URL answers: `args` names the objects of its URL; `own` (and `other`, for
    URLs with objects of a region or district) map each staff role to a status."""

    args: tuple[str, ...]
    methods: tuple[str, ...]
    own: dict
    other: dict | None = None


def statuses(cm_assigned, cm_colleague, coordination, statistics, admin) -> dict:
    return {
        "cm_assigned": cm_assigned,
        "cm_colleague": cm_colleague,
        "coordination": coordination,
        "statistics": statistics,
        "admin": admin,
    }


OUT_OF_SCOPE = statuses(404, 404, 404, 404, 200)  # superusers see every region

# Reading a case (or a client) of the own regions: every case worker; Statistik never.
READ = statuses(200, 200, 200, 404, 200)


def write_case(ok: int) -> dict:
    """Case managers write the cases assigned to them, Koordination all of its regions."""
    return statuses(ok, 403, ok, 404, ok)


def read_case(*args) -> Expect:
    return Expect(("case", *args), ("GET",), READ, OUT_OF_SCOPE)


def post_case(*args, ok: int = 200, other_ok: int | None = None) -> Expect:
    other = statuses(404, 404, 404, 404, other_ok or ok)
    return Expect(("case", *args), ("POST",), write_case(ok), other)


EVERYONE = statuses(200, 200, 200, 200, 200)
CASE_WORKERS = statuses(200, 200, 200, 403, 200)
COORDINATORS = statuses(403, 403, 200, 403, 200)
STATISTICS_VIEWERS = statuses(403, 403, 200, 200, 200)
ADMIN_ONLY = statuses(302, 302, 302, 302, 200)  # non-staff are sent to the admin's login
OWNER_ONLY = statuses(404, 404, 200, 404, 404)  # the coordinator started the jobs of the world
THEME_OUT_OF_SCOPE = statuses(404, 404, 404, 403, 404)  # superusers work with their own district

EXPECTATIONS: dict[str, Expect] = {
    "dashboard": Expect((), ("GET",), EVERYONE),
    # Every signed-in user changes their own password (an empty POST: the form with errors).
    "password_change": Expect((), ("GET", "POST"), EVERYONE),
    "password_change_done": Expect((), ("GET",), EVERYONE),
    "quick_contact": Expect((), ("POST",), EVERYONE),  # empty form: 200 with errors
    "quick_contact_form": Expect((), ("GET",), EVERYONE),  # lists only the user's own open cases
    # cases
    "cases:list": Expect((), ("GET",), EVERYONE),
    "cases:bulk_reassign": Expect((), ("GET", "POST"), COORDINATORS),
    # Without a handover of this session there is no result to show: back to the form.
    "cases:bulk_reassign_result": Expect((), ("GET",), statuses(403, 403, 302, 403, 302)),
    "cases:detail": read_case(),
    "cases:add_contact": post_case(),
    "cases:add_goal": post_case(),
    "cases:goal_status": post_case("goal", ok=302),  # invalid status: back to the case
    "cases:add_referral": post_case(),
    "cases:referral_outcome": post_case(),
    "cases:add_follow_up": post_case(),
    "cases:follow_up_done": post_case("follow_up", ok=302),
    "cases:follow_up_reopen": post_case("follow_up", ok=302),
    "cases:add_document": post_case(),
    "cases:document": read_case("document"),
    "cases:add_consent": post_case(),
    "cases:blank_consent_form": read_case(),
    "cases:consent_form": read_case("consent"),
    "cases:withdraw_consent": post_case("consent", ok=302),  # no date: back to the case
    "cases:change_phase": post_case(),
    "cases:add_appointment": post_case(),
    # The world's appointments lie ahead: "took place" is refused, back to the case.
    "cases:appointment_took_place": post_case("appointment", ok=302),
    "cases:reassign": Expect(("case",), ("POST",), statuses(403, 403, 200, 404, 200), OUT_OF_SCOPE),
    # The case page's forms, fetched when a panel opens: who may post them may open them.
    "cases:panel": Expect(
        ("case", "contact_panel"), ("GET",), write_case(200), statuses(404, 404, 404, 404, 200)
    ),
    "cases:panel#uebergabe": Expect(
        ("case", "reassign_panel"), ("GET",), statuses(403, 403, 200, 404, 200), OUT_OF_SCOPE
    ),
    # The own calendar address: every signed-in user has one to make.
    "calendar_settings": Expect((), ("GET",), EVERYONE),
    # An empty POST names no action: back to the page, nothing made.
    "calendar_settings#post": Expect((), ("POST",), statuses(302, 302, 302, 302, 302)),
    # clients
    "clients:list": Expect((), ("GET",), EVERYONE),
    "clients:create": Expect((), ("GET", "POST"), CASE_WORKERS),
    "clients:detail": Expect(("client",), ("GET",), READ, OUT_OF_SCOPE),
    "clients:edit": Expect(("client",), ("GET", "POST"), READ, OUT_OF_SCOPE),
    "clients:open_case": Expect(("client",), ("POST",), READ, OUT_OF_SCOPE),
    "clients:export_html": Expect(("client",), ("GET",), READ, OUT_OF_SCOPE),
    "clients:export_json": Expect(("client",), ("GET",), READ, OUT_OF_SCOPE),
    # network: shared by the district, so "other" is an actor of another district
    "network:list": Expect((), ("GET",), EVERYONE),
    "network:create": Expect((), ("GET", "POST"), CASE_WORKERS),
    "network:detail": Expect(("actor",), ("GET",), EVERYONE, OUT_OF_SCOPE),
    "network:edit": Expect(("actor",), ("GET", "POST"), CASE_WORKERS, OUT_OF_SCOPE),
    # statistics: "other" asks for the figures of region Süd (?scope=region-<Süd>)
    "reporting:statistics": Expect((), ("GET",), STATISTICS_VIEWERS, STATISTICS_VIEWERS),
    "reporting:export_csv": Expect((), ("GET",), STATISTICS_VIEWERS, statuses(403, 403, 400, 400, 200)),
    "reporting:export_xlsx": Expect((), ("GET",), STATISTICS_VIEWERS, statuses(403, 403, 400, 400, 200)),
    "reporting:report": Expect((), ("GET",), STATISTICS_VIEWERS, statuses(403, 403, 400, 400, 200)),
    # the admin (representative pages)
    # exports of the case list and the network, the import (Koordination)
    "exchange:case_export_csv": Expect((), ("GET",), CASE_WORKERS),
    "exchange:case_export_xlsx": Expect((), ("GET",), CASE_WORKERS),
    "exchange:network_export": Expect((), ("GET",), EVERYONE),
    "exchange:import": Expect((), ("GET", "POST"), COORDINATORS),
    # jobs belong to the user who started them (here: Koordination); nobody else finds them
    "exchange:import_job": Expect(("import_job",), ("GET",), statuses(403, 403, 200, 403, 404)),
    # an empty POST (no step) leads back to the job's page
    "exchange:import_job#post": Expect(("import_job",), ("POST",), statuses(403, 403, 302, 403, 404)),
    "jobs:detail": Expect(("export_job",), ("GET",), OWNER_ONLY),
    "jobs:status": Expect(("import_job",), ("GET",), OWNER_ONLY),
    "jobs:download": Expect(("export_job",), ("GET",), OWNER_ONLY),
    # every signed-in user's own reminder settings
    "reminders:settings": Expect((), ("GET", "POST"), EVERYONE),
    # structural work: barriers of cases, themes of the district, case conferences
    "structural:barrier_list": Expect((), ("GET",), CASE_WORKERS),
    "structural:barrier_create": Expect(("case",), ("GET", "POST"), write_case(200), OUT_OF_SCOPE),
    "structural:theme_list": Expect((), ("GET",), CASE_WORKERS),
    # Themes belong to a district ("other": a theme of another district). Statistik may not
    # see themes at all: 403 before the lookup, whether the theme exists or not.
    "structural:theme_detail": Expect(("theme",), ("GET",), CASE_WORKERS, THEME_OUT_OF_SCOPE),
    "structural:theme_edit": Expect(("theme",), ("POST",), COORDINATORS, THEME_OUT_OF_SCOPE),
    "structural:theme_status": Expect(("theme",), ("POST",), COORDINATORS, THEME_OUT_OF_SCOPE),
    "structural:theme_merge": Expect(("theme",), ("POST",), COORDINATORS, THEME_OUT_OF_SCOPE),
    "structural:steering": Expect((), ("GET",), EVERYONE),
    "structural:conference_list": Expect(("case",), ("GET",), READ, OUT_OF_SCOPE),
    "structural:conference_list#post": Expect(("case",), ("POST",), write_case(200), OUT_OF_SCOPE),
    "structural:conference_presentation": Expect(("case",), ("GET",), READ, OUT_OF_SCOPE),
    "structural:conference_detail": Expect(("conference",), ("GET",), READ, OUT_OF_SCOPE),
    "structural:conference_to_plan": Expect(("conference",), ("POST",), write_case(200), OUT_OF_SCOPE),
    "structural:capacity": Expect((), ("GET",), COORDINATORS),
    # the admin (representative pages)
    "admin:index": Expect((), ("GET",), ADMIN_ONLY),
    "admin:casework_case_changelist": Expect((), ("GET",), ADMIN_ONLY),
    "admin:casework_case_change": Expect(("case",), ("GET",), ADMIN_ONLY, ADMIN_ONLY),
    "admin:casework_client_changelist": Expect((), ("GET",), ADMIN_ONLY),
}


def _cells():
    for name, expect in EXPECTATIONS.items():
        regions = ("own", "other") if expect.other is not None else ("own",)
        for method in expect.methods:
            for role in ROLES + UNVERIFIED_ROLES:
                for region in regions:
                    yield pytest.param(name, method, role, region, id=f"{name}-{method}-{role}-{region}")


# --- the URL resolver ----------------------------------------------------------------------


def _resolver_names(resolver=None, namespace: str = "") -> set[str]:
    """Every named URL pattern of the project, with its namespace, through all includes."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _resolver_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name is None:
                if namespace.startswith("admin:"):
                    continue  # the admin's catch-all redirects; the admin is covered as a whole
                pytest.fail(f"URL pattern {pattern.pattern} has no name, so the matrix cannot cover it")
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_has_an_expectation():
    names = {name for name in _resolver_names() if name not in NOT_IN_MATRIX}
    admin_names = {name for name in names if name.startswith("admin:")}
    assert admin_names >= ADMIN_URLS, "a representative admin page no longer exists"
    names = (names - admin_names) | ADMIN_URLS
    keys = {key.split("#")[0] for key in EXPECTATIONS}
    assert names == keys, (
        f"missing expectations: {sorted(names - keys)}; expectations without URL: {sorted(keys - names)}"
    )


# --- the world -----------------------------------------------------------------------------


def _region_objects(*, place: str, last_name: str, case_manager, actor, by, shared_actor) -> SimpleNamespace:
    """One client with a case and an entry of every kind; the case refers the client to
    `shared_actor`, an actor of the district both regions work with."""
    today = timezone.localdate()
    client = ClientFactory(municipality=municipality(place), first_name="Mara", last_name=last_name)
    case = CaseFactory(client=client, case_manager=case_manager)
    goal = services.goal_create(case=case, by=by, title="Sprachkurs B1")
    follow_up = services.follow_up_create(case=case, by=by, title="Bescheid prüfen", due_on=today)
    document = services.document_upload(
        case=case,
        by=by,
        title="Bescheid",
        file=SimpleUploadedFile("bescheid.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    consent = services.consent_create(
        case=case,
        by=by,
        actors=[actor, shared_actor],
        data_categories=list(DataCategory.objects.all()[:1]),
        purpose="Vermittlung in einen Sprachkurs",
        given_on=today - dt.timedelta(days=1),
    )
    services.referral_create(
        case=case, by=by, actor=shared_actor, consent=consent, referred_on=today, status="referred"
    )
    conference = structural_services.conference_create(
        case=case, by=by, participants="Team, Jobcenter", held_on=today
    )
    structural_services.barrier_create(case=case, by=by, description="Kein Kitaplatz")
    appointment = services.appointment_create(
        case=case, by=by, starts_at=timezone.now() + dt.timedelta(days=1), mode="in_person"
    )
    return SimpleNamespace(
        appointment=appointment,
        client=client,
        case=case,
        goal=goal,
        follow_up=follow_up,
        document=document,
        consent=consent,
        actor=actor,
        conference=conference,
        contact_panel="kontakt",
        reassign_panel="uebergabe",
    )


def _jobs(owner):
    """A finished dry run and a finished export of the case list, both started by `owner`."""
    from jobs import services as jobs
    from jobs.models import JobKind, JobStatus

    dry_run = jobs.job_create(kind=JobKind.IMPORT_DRY_RUN, owner=owner, params={"kind": "klientinnen"})
    jobs.job_finish(dry_run, result={"kind": "klientinnen", "rows": []})
    export = jobs.job_create(kind=JobKind.CASE_EXPORT, owner=owner, params={"fmt": "csv"})
    jobs.job_finish(
        export,
        result={"count": 0},
        output_file=jobs.store_file(prefix="exports", data=b"Aktenzeichen\r\n"),
        output_name="faelle.csv",
        output_type="text/csv",
    )
    assert dry_run.status == export.status == JobStatus.DONE
    return dry_run, export


def _build_world() -> SimpleNamespace:
    nord, sued = Region.objects.get(name="Nord"), Region.objects.get(name="Süd")
    users = {
        "cm_assigned": make_staff(CASE_MANAGEMENT, ("Nord",)),
        "cm_colleague": make_staff(CASE_MANAGEMENT, ("Nord",)),
        "coordination": make_staff(COORDINATION, ("Nord",)),
        "statistics": make_staff(STATISTICS, ("Nord",)),
        "admin": UserFactory(is_staff=True, is_superuser=True),
        "admin_unverified": UserFactory(is_staff=True, is_superuser=True),
        "admin_without_device": UserFactory(is_staff=True, is_superuser=True),
    }
    TOTPDevice.objects.create(user=users["admin_unverified"], name="App", confirmed=True)
    cm_sued = make_staff(CASE_MANAGEMENT, ("Süd",))
    actor_nord = ActorFactory(name="Sprachschule Coesfeld")
    actor_sued = ActorFactory(name="Sprachschule Senden")
    actor_foreign = ActorFactory(district=DistrictFactory(), name=f"{SENTINEL_FOREIGN_ACTOR} Beratung")
    own = _region_objects(
        place="Coesfeld",
        last_name="Sentinelnord",
        case_manager=users["cm_assigned"],
        actor=actor_nord,
        by=None,
        shared_actor=actor_nord,
    )
    other = _region_objects(
        place="Senden",
        last_name=SENTINEL_SUED,
        case_manager=cm_sued,
        actor=actor_sued,
        by=None,
        shared_actor=actor_nord,
    )
    own.actor, other.actor = actor_nord, actor_foreign
    own.theme = structural_services.theme_create(district=coesfeld(), by=None, title="Kitaplätze fehlen")
    own.import_job, own.export_job = _jobs(users["coordination"])
    other.theme = structural_services.theme_create(
        district=actor_foreign.district, by=None, title="Sprachkurse fehlen"
    )
    return SimpleNamespace(users=users, own=own, other=other, nord=nord, sued=sued)


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    """The world is built once for the module, in a transaction rolled back at its end; each
    test runs in a savepoint inside it (pytest-django's `db`), so what a test writes is gone
    before the next one. Building it for each of several hundred cells would take minutes."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = _build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield world
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def world(_module_world, db):
    return _module_world


def _signed_in(client, world, role: str):
    if role == "anonymous":
        return client
    user = world.users[role]
    if role == "admin":
        return login_with_otp(client, user)
    client.force_login(user)
    return client


def _url(name: str, expect: Expect, objects) -> str:
    args = [getattr(objects, kind) for kind in expect.args]
    return reverse(name.split("#")[0], args=[getattr(arg, "pk", arg) for arg in args])


def _query(name: str, region: str, world) -> dict:
    if name.startswith("reporting:") and region == "other":
        return {"scope": f"region-{world.sued.pk}"}
    return {}


def _snapshot(world) -> tuple:
    """Everything a POST of the matrix could write."""
    counts = tuple(
        model.objects.count()
        for model in (
            Case,
            Client,
            Contact,
            Goal,
            Referral,
            FollowUp,
            Document,
            Consent,
            Actor,
            Barrier,
            CaseConference,
            Theme,
            Appointment,
        )
    )
    states = []
    for objects in (world.own, world.other):
        objects_case = Case.objects.get(pk=objects.case.pk)
        states += [
            objects_case.phase,
            objects_case.case_manager_id,
            FollowUp.objects.get(pk=objects.follow_up.pk).done_at,
            Goal.objects.get(pk=objects.goal.pk).status,
            Consent.objects.get(pk=objects.consent.pk).withdrawn_on,
            Theme.objects.filter(pk=objects.theme.pk).values_list("title", "status").first(),
        ]
    return counts, tuple(states)


# --- the matrix ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "method", "role", "region"), list(_cells()))
def test_matrix(client, world, name, method, role, region):
    expect = EXPECTATIONS[name]
    objects = world.own if region == "own" else world.other
    url = _url(name, expect, objects)
    client = _signed_in(client, world, role)
    before = _snapshot(world)

    response = client.get(url, _query(name, region, world)) if method == "GET" else client.post(url, {})

    if role in UNVERIFIED_ROLES:
        if role == "admin_unverified":
            assert response.status_code == 302, f"{method} {url}: {response.status_code}"
            assert response["Location"].startswith(f"{SECOND_FACTOR}?next=")
        else:
            assert response.status_code == 403, f"{method} {url}: {response.status_code}"
            assert "manage.py add_totp_device" in response.content.decode()
        assert _snapshot(world) == before
        text = _text(response)
        assert SENTINEL_SUED not in text and "Sentinelnord" not in text
        assert world.other.case.reference not in text and world.own.case.reference not in text
        return

    if role == "anonymous":
        assert response.status_code == 302
        login = ADMIN_LOGIN if name.startswith("admin:") else LOGIN
        assert response["Location"].startswith(login)
        assert _snapshot(world) == before
        return

    expected = (expect.own if region == "own" else expect.other)[role]
    assert response.status_code == expected, f"{method} {url} as {role}: {response.status_code}"
    if expected == 302 and name.startswith("admin:"):
        assert response["Location"].startswith(ADMIN_LOGIN)
    if expected in (400, 403, 404) or (expected == 302 and name.startswith("admin:")):
        assert _snapshot(world) == before, "a refused request wrote something"
    if expected == 200 and method == "POST" and name != "cases:follow_up_done":
        # An empty body is invalid everywhere; nothing is saved.
        assert _snapshot(world) == before
    if name == "reporting:statistics" and region == "other" and role != "admin" and expected == 200:
        # The page answers, but with a form error and no figures of region Süd.
        assert response.context["stats"] is None
        assert response.context["form"].errors
    if expected == 403:
        assert "Keine Berechtigung" in response.content.decode()  # the German 403 page
    if expected == 404:
        assert "Seite nicht gefunden" in response.content.decode()
    if role != "admin":
        # Whatever the answer, it never names the client or case of the other region.
        text = _text(response)
        assert SENTINEL_SUED not in text
        assert world.other.case.reference not in text


# --- nothing of region Süd ------------------------------------------------------------------

LIST_PAGES = (
    "dashboard",
    "cases:list",
    "clients:list",
    "network:list",
    "reporting:statistics",
    "reporting:export_csv",
    "reporting:export_xlsx",
    "reporting:report",
    "exchange:network_export",
    "exchange:case_export_csv",
    "exchange:case_export_xlsx",
    "structural:barrier_list",
    "structural:theme_list",
    "structural:steering",
    "structural:capacity",
)
SEARCHES = ({}, {"q": SENTINEL_SUED}, {"q": "Sentinel"}, {"q": "Senden"})


def _text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":  # an Excel workbook: all of its XML parts
        with zipfile.ZipFile(io.BytesIO(content)) as workbook:
            return "".join(workbook.read(part).decode() for part in workbook.namelist())
    return content.decode()


@pytest.mark.parametrize("role", ["cm_assigned", "cm_colleague", "coordination", "statistics"])
@pytest.mark.parametrize("name", LIST_PAGES)
def test_nothing_of_another_region_is_listed_or_searched(client, world, name, role):
    client = _signed_in(client, world, role)
    forbidden = (SENTINEL_SUED, world.other.case.reference, SENTINEL_FOREIGN_ACTOR)
    url = reverse(name)
    for params in SEARCHES:
        response = client.get(url, params)
        if response.status_code == 403:
            continue
        assert response.status_code == 200, f"{name} {params} as {role}: {response.status_code}"
        text = _text(response)
        if "q" in params:  # the search box shows the term searched for; that is not a leak
            text = text.replace(f'value="{params["q"]}"', "").replace(f"q={params['q']}", "")
        for word in forbidden:
            assert word not in text, f"{word} shown on {name} {params} to {role}"


@pytest.mark.parametrize("role", ["cm_assigned", "coordination"])
def test_own_region_is_listed_and_searched(client, world, role):
    """The sentinel checks above would pass on empty pages; the own region's data is there."""
    client = _signed_in(client, world, role)
    assert world.own.case.reference in client.get(reverse("cases:list")).content.decode()
    assert "Sentinelnord" in client.get(reverse("clients:list"), {"q": "Sentinelnord"}).content.decode()
    assert "Sentinelnord" in client.get(reverse("cases:list"), {"q": "Sentinelnord"}).content.decode()
    assert world.own.case.reference in _text(client.get(reverse("exchange:case_export_csv")))
    # The shared actor's page lists the own region's referral, and only that one.
    actor_page = client.get(reverse("network:detail", args=[world.own.actor.pk])).content.decode()
    assert world.own.case.reference in actor_page
    assert world.other.case.reference not in actor_page


@pytest.mark.parametrize("role", ["coordination", "statistics"])
def test_statistics_count_only_the_own_regions(client, world, role):
    """The figures a Nord user gets count the one Nord case, never the Süd case, in every scope."""
    client = _signed_in(client, world, role)
    response = client.get(reverse("reporting:statistics"))
    scopes = response.context["form"].fields["scope"].choices
    values = [value for _group, choices in scopes for value, _label in choices]
    assert values and f"region-{world.sued.pk}" not in values
    for value in values:
        assert (
            not value.startswith("kommune-") or value[len("kommune-") :] != world.other.case.municipality.ags
        )
    stats = response.context["stats"]
    nord_municipalities = set(world.nord.municipalities.values_list("pk", flat=True))
    assert set(stats.scope.municipality_ids) == nord_municipalities


# --- objects of the other region smuggled into URLs and forms ---------------------------------

CROSS_OBJECT_URLS = [
    (name, method)
    for name, expect in EXPECTATIONS.items()
    if expect.args[:1] == ("case",) and len(expect.args) == 2 and not expect.args[1].endswith("_panel")
    for method in expect.methods
]


@pytest.mark.parametrize("role", ["coordination", "admin"])
@pytest.mark.parametrize(("name", "method"), CROSS_OBJECT_URLS)
def test_sub_object_of_another_case_is_404(client, world, name, method, role):
    """/faelle/<own case>/…/<goal, document, consent, follow-up of the Süd case>/ is a 404,
    even for someone who may write the own case (and for superusers)."""
    expect = EXPECTATIONS[name]
    url = reverse(name, args=[world.own.case.pk, getattr(world.other, expect.args[1]).pk])
    client = _signed_in(client, world, role)
    before = _snapshot(world)
    response = client.get(url) if method == "GET" else client.post(url, {"status": "done"})
    assert response.status_code == 404
    assert _snapshot(world) == before


def _quick_contact(case) -> dict:
    return {
        "quick-case": case.pk,
        "quick-contacted_on": timezone.localdate().isoformat(),
        "quick-channel": "phone",
        "quick-duration_minutes": 10,
        "quick-submit_token": str(uuid.uuid4()),
    }


def test_quick_contact_cannot_reach_a_case_of_another_region(client, world):
    client = _signed_in(client, world, "cm_assigned")
    before = Contact.objects.count()
    response = client.post(reverse("quick_contact"), _quick_contact(world.other.case))
    assert response.status_code == 200 and Contact.objects.count() == before
    assert SENTINEL_SUED not in response.content.decode()
    # The same body with the own case is saved: the refusal above is about the region.
    assert client.post(reverse("quick_contact"), _quick_contact(world.own.case)).status_code == 302
    assert Contact.objects.count() == before + 1


def test_a_case_cannot_be_opened_in_another_region(client, world):
    client = _signed_in(client, world, "coordination")
    body = {
        "case-municipality": municipality("Senden").pk,
        "case-case_manager": world.users["cm_assigned"].pk,
        "case-opened_on": timezone.localdate().isoformat(),
        "case-submit_token": str(uuid.uuid4()),
    }
    url = reverse("clients:open_case", args=[world.own.client.pk])
    before = Case.objects.count()
    assert client.post(url, body).status_code == 200
    assert Case.objects.count() == before
    body.update({"case-municipality": municipality("Coesfeld").pk, "case-submit_token": str(uuid.uuid4())})
    assert client.post(url, body).status_code == 302
    assert Case.objects.count() == before + 1


@pytest.mark.parametrize("role", ["cm_assigned", "coordination", "statistics"])
def test_staff_in_the_admin_see_nothing_of_another_region(client, world, role):
    """Should a member of a region be made staff, the admin still narrows to their regions."""
    user = world.users[role]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="casework", codename__in=["view_case", "view_client"]
        )
    )
    client = login_with_otp(client, user)
    for name in ("admin:casework_case_changelist", "admin:casework_client_changelist"):
        own = client.get(reverse(name)).content.decode()
        assert ("Sentinelnord" in own) == (role != "statistics"), "Statistik sees no personal data"
        response = client.get(reverse(name), {"q": SENTINEL_SUED})
        assert response.status_code == 200
        text = response.content.decode().replace(f'value="{SENTINEL_SUED}"', "")
        text = text.replace(f"q={SENTINEL_SUED}", "")
        assert SENTINEL_SUED not in text and world.other.case.reference not in text
    for name, obj in (("admin:casework_case_change", world.other.case),):
        response = client.get(reverse(name, args=[obj.pk]), follow=True)
        assert response.redirect_chain or response.status_code in (403, 404)
        text = response.content.decode()
        assert SENTINEL_SUED not in text and world.other.case.reference not in text


# --- the admin, with two districts ---------------------------------------------------------
#
# Every model registered in the admin is found in admin.site._registry. A model with a
# district's data (accounts.roles.ADMIN_DISTRICT_SCOPES) gets one object of the own district
# (Kreis Coesfeld) and one of another; the other's must not appear to the own district's
# administrator (staff, Administration role, every admin permission) in the list, on its
# change page, in a search, in an autocomplete or in a list filter. Superusers see both.
# Case data stays narrowed by the case rules (restrict_cases): an administrator without a
# case role sees none of it in either district.


def _district_pair_world():
    from axes.models import AccessAttempt, AccessLog
    from django.contrib.auth.models import Group

    from accounts.roles import ADMINISTRATION
    from audit.models import AuditEntry
    from casework.models import ContactPerson
    from jobs import services as jobs_services
    from privacy.models import DeletionLog
    from regions.models import District, Municipality
    from reminders.models import DigestSent
    from tests.factories import MunicipalityFactory, RegionFactory

    own_district = coesfeld()
    other_district = DistrictFactory(name="Fremdkreis Sentinel")
    other_region = RegionFactory(district=other_district, name="Fremdregion")
    other_municipality = MunicipalityFactory(region=other_region, name="Fremdstadt")
    administrator = make_staff(ADMINISTRATION, ("Nord",), is_staff=True, username="verwaltung-coesfeld")
    administrator.user_permissions.add(*Permission.objects.all())
    own_user = make_staff(CASE_MANAGEMENT, ("Nord",), username="cm-eigen")
    other_user = UserFactory(district=other_district, username="cm-fremd")
    own_actor = ActorFactory(name="Eigener Akteur")
    other_actor = ActorFactory(district=other_district, name="Fremder Akteur")
    own_client = ClientFactory(municipality=municipality("Coesfeld"))
    other_client = ClientFactory(municipality=other_municipality)

    def pair(factory):
        return factory(own_user, own_actor, own_district, own_client), factory(
            other_user, other_actor, other_district, other_client
        )

    def audit(user, actor, district, client):
        return AuditEntry.objects.create(
            user=user,
            username=user.username,
            action="view",
            object_type="casework.case",
            object_id="1",
            case_reference=f"{district.code}-2026-00001",
        )

    def attempt(user, actor, district, client):
        return AccessAttempt.objects.create(
            username=user.username,
            ip_address="192.0.2.1",
            user_agent="x",
            get_data="",
            post_data="",
            http_accept="",
            path_info="/anmelden/",
            failures_since_start=1,
        )

    def access_log(user, actor, district, client):
        return AccessLog.objects.create(
            username=user.username, ip_address="192.0.2.1", user_agent="x", http_accept="", path_info="/"
        )

    objects = {
        "accounts.user": (own_user, other_user),
        "regions.district": (own_district, other_district),
        "regions.region": (Region.objects.get(name="Nord"), other_region),
        "regions.municipality": (Municipality.objects.get(name="Coesfeld"), other_municipality),
        "casework.actor": (own_actor, other_actor),
        "casework.contactperson": pair(
            lambda u, a, d, c: ContactPerson.objects.create(actor=a, name=f"Person {u}")
        ),
        "otp_totp.totpdevice": pair(
            lambda u, a, d, c: TOTPDevice.objects.create(user=u, name="App", confirmed=True)
        ),
        "audit.auditentry": pair(audit),
        "axes.accessattempt": pair(attempt),
        "axes.accesslog": pair(access_log),
        "privacy.deletionlog": pair(
            lambda u, a, d, c: DeletionLog.objects.create(client_id=c.pk, deleted={}, rules={})
        ),
        "jobs.job": pair(lambda u, a, d, c: jobs_services.job_create(kind="case_export", owner=u)),
        "reminders.digestsent": pair(
            lambda u, a, d, c: DigestSent.objects.create(user=u, day=timezone.localdate(), items=1)
        ),
    }
    assert District.objects.filter(pk=other_district.pk).exists()
    Group.objects.get_or_create(name=ADMINISTRATION)
    return SimpleNamespace(administrator=administrator, objects=objects, other_district=other_district)


@pytest.fixture
def admin_world(db):
    return _district_pair_world()


def _registry():
    from django.contrib import admin

    return admin.site._registry


def _label(model) -> str:
    return model._meta.label_lower


def _change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_every_admin_model_is_district_scoped_case_scoped_or_shared():
    from accounts.roles import ADMIN_DISTRICT_SCOPES, ADMIN_SHARED_MODELS
    from casework.admin.mixins import CaseScopeMixin
    from casework.admin.people import ClientAdmin, HouseholdAdmin

    unclassified = [
        _label(model)
        for model, model_admin in _registry().items()
        if _label(model) not in ADMIN_DISTRICT_SCOPES
        and _label(model) not in ADMIN_SHARED_MODELS
        and not isinstance(model_admin, (CaseScopeMixin, ClientAdmin, HouseholdAdmin))
    ]
    assert unclassified == [], "say in accounts.roles whose data these models hold"
    assert set(ADMIN_DISTRICT_SCOPES) <= {_label(model) for model in _registry()}


def test_the_admin_world_has_both_districts_of_every_scoped_model(admin_world):
    from accounts.roles import ADMIN_DISTRICT_SCOPES

    assert set(admin_world.objects) == set(ADMIN_DISTRICT_SCOPES)


def _scoped_labels():
    from accounts.roles import ADMIN_DISTRICT_SCOPES

    return sorted(ADMIN_DISTRICT_SCOPES)


def _search_term(model_admin, obj) -> str | None:
    for name in model_admin.search_fields:
        value = obj
        for part in name.lstrip("^=@").split("__"):
            value = getattr(value, part, None)
        if value not in (None, ""):
            return str(value)
    return None


@pytest.mark.parametrize("who", ["administrator", "superuser"])
@pytest.mark.parametrize("label", _scoped_labels())
def test_the_admin_shows_a_district_its_own_rows_only(client, admin_world, label, who):
    from django.apps import apps

    model = apps.get_model(label)
    model_admin = _registry()[model]
    own, other = admin_world.objects[label]
    user = (
        admin_world.administrator if who == "administrator" else UserFactory(is_staff=True, is_superuser=True)
    )
    login_with_otp(client, user)
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    page = client.get(changelist)
    assert page.status_code == 200
    text = page.content.decode()
    assert _change_url(own) in text
    assert (_change_url(other) in text) == (who == "superuser"), f"{label} list as {who}"

    response = client.get(_change_url(other))
    if who == "administrator":
        assert response.status_code == 302  # Django's "does not exist", back to the index
        assert (
            str(other) not in client.get(response["Location"]).content.decode() or label == "regions.district"
        )
    else:
        assert response.status_code == 200
    assert client.get(_change_url(own)).status_code == 200

    term = _search_term(model_admin, other)
    if term is not None:
        found = client.get(changelist, {"q": term}).content.decode()
        assert (_change_url(other) in found) == (who == "superuser"), f"{label} search {term!r} as {who}"


def _autocomplete_sources():
    """(source model, field name, target label) of every autocomplete field of the admin whose
    target holds a district's data."""
    from accounts.roles import ADMIN_DISTRICT_SCOPES

    for model, model_admin in _registry().items():
        for name in model_admin.autocomplete_fields:
            target = model._meta.get_field(name).related_model
            if _label(target) in ADMIN_DISTRICT_SCOPES:
                yield pytest.param(model, name, _label(target), id=f"{_label(model)}.{name}")


@pytest.mark.parametrize(("model", "field_name", "target"), list(_autocomplete_sources()))
def test_autocomplete_offers_only_the_own_district(client, admin_world, model, field_name, target):
    login_with_otp(client, admin_world.administrator)
    own, other = admin_world.objects[target]

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": field_name},
    )

    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["results"]}
    assert str(own.pk) in ids and str(other.pk) not in ids


def test_list_filters_and_form_choices_name_no_other_district(client, admin_world):
    """The related filters of every changelist and the choices of every add form."""
    login_with_otp(client, admin_world.administrator)
    foreign = (str(admin_world.other_district), "Fremdregion", "Fremdstadt", "Fremder Akteur", "cm-fremd")
    for model, model_admin in _registry().items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages = [reverse(f"{prefix}_changelist")]
        if model_admin.has_add_permission(_request_for(admin_world.administrator)):
            pages.append(reverse(f"{prefix}_add"))
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            text = response.content.decode()
            for word in foreign:
                assert word not in text, f"{word} on {url}"


def _request_for(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_a_district_administrator_cannot_make_anyone_a_superuser(client, admin_world):
    login_with_otp(client, admin_world.administrator)
    own_user = admin_world.objects["accounts.user"][0]
    page = client.get(_change_url(own_user)).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
