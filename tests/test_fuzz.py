"""Fuzz test (issue 7): hostile input to every form and endpoint never gives a server error.

Every URL pattern of the project is found through the URL resolver, so an endpoint added later
is fuzzed without touching this file (an unknown URL argument fails loudly below). For each
endpoint the forms that post to it are read from the HTML of the pages that show them; hypothesis
then sends what a browser would send with some fields replaced by hostile values (very long
strings, NUL bytes, HTML/script, SQL fragments, out-of-range numbers, invalid dates, lists,
omitted fields) and GET requests with hostile query strings. What PostgreSQL refuses and SQLite
stores (NUL bytes, overlong text) is in addition sent to every field on its own, not left to chance.
Wrong or missing CSRF tokens and the two login forms have tests of their own.

For every request:
- no exception and no status 500;
- a rejected write (anything but a redirect without an error message) and every GET leave all
  rows unchanged (the audit trail, sessions and login attempts are written by design);
- an HTML answer never contains a raw ``<script>alert(`` (all output is escaped).

Each example runs inside a transaction that is rolled back, so one valid post does not change
what the next example sees. Set ``KIM_FUZZ_EXAMPLES`` for a longer run.
"""

import datetime as dt
import os
import re
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts.roles import CASE_MANAGEMENT, COORDINATION
from casework import services
from casework.models import Client, Contact, ContactPerson, DataCategory, Goal
from casework.views.cases import PANELS_BY_SLUG
from tests.conftest import login_with_otp, make_staff
from tests.factories import ActorFactory, CaseFactory, ClientFactory, coesfeld, municipality, topic

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("KIM_FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis directory
    # The same examples on every run, so the suite is not flaky; raise KIM_FUZZ_EXAMPLES to explore.
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    # Shrinking a failure takes minutes with these request sizes; KIM_FUZZ_SHRINK=1 turns it on.
    phases=[p for p in Phase if p is not Phase.shrink or os.environ.get("KIM_FUZZ_SHRINK")],
    print_blob=False,
)

SCRIPT = "<script>alert(1)</script>"
RAW_SCRIPT = "<script>alert("
CSRF_PAGE_TEXT = "Das Formular ist abgelaufen"

# Admin pages fuzzed besides the workplace: the add forms and lists of clients and cases.
ADMIN_ENDPOINTS = {
    "admin:casework_client_add",
    "admin:casework_case_add",
    "admin:casework_client_changelist",
    "admin:casework_case_changelist",
}
# Login and logout have tests of their own below.
SEPARATE = {"login", "logout"}

# Written by design on reads and rejected posts: the audit trail (views, searches), sessions,
# login attempts (django-axes); opening a handed-over case marks its handover as seen (issue 17).
UNCHECKED_TABLES = {"audit.auditentry", "sessions.session", "casework.caseassignment"}
UNCHECKED_APPS = {"axes"}


# --- the endpoints --------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str  # "namespace:name"
    arguments: tuple[str, ...]

    @property
    def namespace(self) -> str:
        return self.name.rpartition(":")[0]

    @property
    def is_admin(self) -> bool:
        return self.namespace == "admin"


def _walk(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from ((f"{pattern.pattern}{route}", name) for route, name in _walk(pattern, inner))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield str(pattern.pattern), f"{namespace}:{pattern.name}" if namespace else pattern.name


def all_endpoints() -> list[Endpoint]:
    """Every named URL of the project, from the resolver (the admin only as far as ADMIN_ENDPOINTS)."""
    found = {}
    for route, name in _walk(get_resolver()):
        if name in SEPARATE or name.startswith("static") or name.startswith("djdt:"):
            continue
        if name.startswith("admin:") and name not in ADMIN_ENDPOINTS:
            continue
        arguments = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))
        found.setdefault(name, Endpoint(name, arguments))
    return sorted(found.values(), key=lambda e: e.name)


ENDPOINTS = all_endpoints()
MISSING_PK = 987_654_321


@dataclass
class World:
    """A case with everything in it, in Teilregion Nord, and a user who may do everything there."""

    user: object
    colleague: object
    client: Client
    case: object
    actor: object
    contact_person: object
    goal: object
    follow_up: object
    document: object
    consent: object
    http: HttpClient
    admin_http: HttpClient
    # (endpoint name prefix, URL argument) -> value
    arguments: dict = field(default_factory=dict)

    def object_ids(self, endpoint: Endpoint) -> dict:
        """The URL arguments: the most specific entry of `arguments` (by name prefix) wins."""
        kwargs = {}
        for argument in endpoint.arguments:
            matches = [
                (len(prefix), value)
                for (prefix, name), value in self.arguments.items()
                if name == argument and endpoint.name.startswith(prefix)
            ]
            if not matches:
                pytest.fail(
                    f"{endpoint.name}: no object for the URL argument {argument!r}; "
                    "add one to World.arguments in tests/test_fuzz.py"
                )
            kwargs[argument] = max(matches, key=lambda match: match[0])[1]
        return kwargs

    def url(self, endpoint: Endpoint, ids: str = "world") -> str:
        kwargs = self.object_ids(endpoint)
        numbers = {"missing": MISSING_PK, "huge": 2**63}
        if ids in numbers:
            kwargs = {k: _unknown(v, numbers[ids]) for k, v in kwargs.items()}
        return reverse(endpoint.name, kwargs=kwargs)

    def http_for(self, endpoint: Endpoint) -> HttpClient:
        return self.admin_http if endpoint.is_admin else self.http


def _unknown(value, number: int):
    """An argument of the URL's kind that names nothing: a number, a random UUID, a slug."""
    if isinstance(value, int):
        return number
    if isinstance(value, uuid.UUID):
        return uuid.uuid4()
    return f"{value}x"


@pytest.fixture
def world(db, superuser):
    today = timezone.localdate()
    all_regions = ("Nord", "Mitte", "Süd")
    user = make_staff(COORDINATION, region_names=all_regions, first_name="Fritz", last_name="Fuzz")
    user.groups.add(*make_staff(CASE_MANAGEMENT).groups.all())
    colleague = make_staff(CASE_MANAGEMENT, region_names=all_regions, first_name="Kim", last_name="Kollegin")
    client = ClientFactory(municipality=municipality("Coesfeld"))
    case = CaseFactory(client=client, case_manager=user, by=user)
    actor = ActorFactory()
    actor.municipalities.add(municipality("Coesfeld"))
    contact_person = ContactPerson.objects.create(actor=actor, name="Paula Partner")
    services.contact_create(case=case, by=user, channel="phone", duration_minutes=15, note="Erstgespräch")
    goal = services.goal_create(case=case, by=user, title="Deutschkurs B1", topic=topic())
    follow_up = services.follow_up_create(
        case=case, by=user, title="Rückruf Jobcenter", due_on=today + dt.timedelta(days=7)
    )
    document = services.document_upload(
        case=case, by=user, title="Bescheid", file=SimpleUploadedFile("bescheid.pdf", b"%PDF-1.4 test")
    )
    consent = services.consent_create(
        case=case,
        by=user,
        purpose="Vermittlung in einen Sprachkurs",
        given_on=today,
        actors=[actor],
        data_categories=DataCategory.objects.filter(is_active=True)[:2],
    )
    services.referral_create(
        case=case, by=user, actor=actor, consent=consent, topic=topic(), status="planned"
    )
    # Ahead: "took place" is refused, so no hostile input can record it as a contact.
    appointment = services.appointment_create(
        case=case, by=user, starts_at=timezone.now() + dt.timedelta(days=2), mode="video"
    )
    feed_token = services.calendar_feed_renew(user=user)
    from jobs import services as jobs
    from jobs.models import JobKind

    job = jobs.job_create(kind=JobKind.IMPORT_DRY_RUN, owner=user, params={"kind": "klientinnen"})
    jobs.job_finish(job, result={"kind": "klientinnen", "rows": []})
    http = HttpClient(raise_request_exception=True)
    http.force_login(user)
    admin_http = login_with_otp(HttpClient(raise_request_exception=True), superuser)
    arguments = {
        ("cases:", "pk"): case.pk,
        ("clients:", "pk"): client.pk,
        ("network:", "pk"): actor.pk,
        ("", "case_pk"): case.pk,
        ("", "goal_pk"): goal.pk,
        ("", "follow_up_pk"): follow_up.pk,
        ("", "document_pk"): document.pk,
        ("", "consent_pk"): consent.pk,
        ("exchange:case_export", "fmt"): "csv",
        ("cases:panel", "slug"): "kontakt",
        # A real reset link of the user (a hostile one is just an invalid link).
        ("password_reset_confirm", "uidb64"): urlsafe_base64_encode(force_bytes(user.pk)),
        ("password_reset_confirm", "token"): default_token_generator.make_token(user),
        ("", "appointment_pk"): appointment.pk,
        ("calendar_feed", "user_pk"): user.pk,
        ("calendar_feed", "token"): feed_token,
        ("exchange:import_job", "pk"): job.pk,
        ("jobs:", "pk"): job.pk,
    }
    if apps.is_installed("structural"):
        from structural import services as structural_services

        themes = [
            structural_services.theme_create(district=coesfeld(), by=user, title=title)
            for title in ("Wartezeiten Sprachkurse", "Anerkennung von Abschlüssen")
        ]
        conference = structural_services.conference_create(
            case=case, by=user, participants="Jobcenter, Schule", decisions="Sprachkurs anmelden"
        )
        arguments[("structural:theme", "pk")] = themes[0].pk
        arguments[("structural:conference", "pk")] = conference.pk
    return World(
        user=user,
        colleague=colleague,
        client=client,
        case=case,
        actor=actor,
        contact_person=contact_person,
        goal=goal,
        follow_up=follow_up,
        document=document,
        consent=consent,
        http=http,
        admin_http=admin_http,
        arguments=arguments,
    )


# --- reading the forms from the pages ---------------------------------------------------------


@dataclass
class FormField:
    name: str
    kind: str  # text, hidden, checkbox, radio, select, textarea, file, date, number, ...
    options: list = field(default_factory=list)  # values a select/checkbox/radio offers
    default: list = field(default_factory=list)  # what a browser sends untouched


@dataclass
class Form:
    action: str
    method: str
    fields: dict = field(default_factory=dict)

    def add(self, name, kind, value=None, selected=False, option=False):
        entry = self.fields.setdefault(name, FormField(name, kind))
        if option:
            entry.options.append(value)
        if selected and value is not None:
            entry.default.append(value)


class FormParser(HTMLParser):
    def __init__(self, page_url):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: tuple[str, bool] | None = None
        self.select_first = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = urljoin(self.page_url, a.get("action") or self.page_url)
            self.form = Form(action=action, method=(a.get("method") or "get").lower())
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            if kind in ("checkbox", "radio", "submit"):
                self.form.add(name, kind, value, selected="checked" in a and kind != "submit", option=True)
                if kind == "submit":
                    self.form.fields[name].default = []
            else:
                self.form.add(name, kind, value, selected=kind != "file")
        elif tag == "select" and name:
            self.select = (name, "multiple" in a)
            self.select_first = None
            self.form.add(name, "select")
        elif tag == "option" and self.select:
            value = a.get("value", "")
            if self.select_first is None:
                self.select_first = value
            self.form.add(self.select[0], "select", value, selected="selected" in a, option=True)
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""
        elif tag == "button" and name:
            self.form.add(name, "submit", a.get("value", ""), option=True)

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select and self.form is not None:
            name, multiple = self.select
            entry = self.form.fields[name]
            if not entry.default and not multiple and self.select_first is not None:
                entry.default.append(self.select_first)
            self.select = None
        elif tag == "textarea" and self.textarea and self.form is not None:
            self.form.add(self.textarea, "textarea", self.text.lstrip("\n"), selected=True)
            self.textarea = None


def endpoint_name(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.view_name


def finish(response) -> None:
    """Read a streamed answer (a download) to its end, so the test client closes it.

    Never call `response.close()` here: it sends `request_finished` again, and Django then
    closes the database connection it finds inside a transaction (PostgreSQL)."""
    if getattr(response, "streaming", False):
        for _chunk in response.streaming_content:
            pass


def page_forms(http, url) -> list[Form]:
    response = http.get(url)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        finish(response)
        return []
    parser = FormParser("http://testserver" + url)
    parser.feed(response.content.decode())
    return parser.forms


# endpoint name -> names of the pages whose forms send to it; found once, on the first world.
_FORM_SOURCES: dict[str, set[str]] = {}


def page_urls(world: World, page: Endpoint) -> list[str]:
    """Where a page's forms are: the case page opens each of its panels on request."""
    url = world.url(page)
    if page.name == "cases:detail":
        return [f"{url}?eingabe={slug}" for slug in PANELS_BY_SLUG]
    return [url]


def form_sources(world: World) -> dict[str, set[str]]:
    if not _FORM_SOURCES:
        for page in ENDPOINTS:
            for form in (f for url in page_urls(world, page) for f in page_forms(world.http_for(page), url)):
                target = endpoint_name(form.action)
                if target:
                    _FORM_SOURCES.setdefault(target, set()).add(page.name)
        _FORM_SOURCES.setdefault("", set())
    return _FORM_SOURCES


def forms_for(world: World, endpoint: Endpoint) -> tuple[dict, dict]:
    """The POST and the GET fields of the forms that send to `endpoint`, read from this world's pages."""
    post, get = {}, {}
    sources = form_sources(world).get(endpoint.name, set())
    by_name = {e.name: e for e in ENDPOINTS}
    for source in sorted(sources):
        page = by_name[source]
        for form in (f for url in page_urls(world, page) for f in page_forms(world.http_for(page), url)):
            if endpoint_name(form.action) == endpoint.name:
                (post if form.method == "post" else get).update(form.fields)
    post.pop("csrfmiddlewaretoken", None)
    return post, get


# --- hostile values -------------------------------------------------------------------------

HOSTILE = [
    "x" * 10_000,
    "\x00",
    "Müller\x00",
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1; DROP TABLE casework_case; --",
    "1; SELECT pg_sleep(10)",
    "😀👨‍👩‍👧‍👦",
    "\u202eRTL-Text\u202c",
    "مرحبا بالعالم",
    "-1",
    "0",
    str(2**31),
    str(2**63),
    str(10**30),
    "1e308",
    "-0.0",
    "3.14159",
    "NaN",
    "inf",
    "2024-02-30",
    "31.12.99999",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "",
    " ",
    "true",
    "null",
    "../../../etc/passwd",
    "%00",
    "\r\n\t",
    "{}",
    "[1,2]",
]

safe_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
scalar = st.one_of(
    st.sampled_from(HOSTILE),
    safe_text,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats().map(str),
    st.dates(min_value=dt.date(1, 1, 1)).map(lambda d: d.strftime("%d.%m.%Y")),
)
hostile_value = st.one_of(scalar, st.lists(scalar, min_size=2, max_size=3))


@st.composite
def hostile_file(draw):
    name = draw(
        st.sampled_from(
            [
                "bescheid.pdf",
                "script.exe",
                "../../../etc/passwd.pdf",
                "a" * 400 + ".pdf",
                SCRIPT + ".pdf",
                "ohne-endung",
                ".pdf",
                "x.PDF.jpg",
                "😀.txt",
            ]
        )
    )
    content = draw(st.sampled_from([b"", b"%PDF-1.4 hallo", b"\x00" * 64, SCRIPT.encode()]))
    return SimpleUploadedFile(
        name, content, content_type=draw(st.sampled_from(["application/pdf", "", SCRIPT]))
    )


@st.composite
def field_value(draw, form_field: FormField):
    """What the field sends: the browser's value, another offered option, a hostile value, or nothing."""
    if form_field.kind == "file":
        return draw(st.one_of(st.none(), hostile_file(), hostile_value))
    choices = [st.just(form_field.default or None), st.none(), hostile_value]
    if form_field.options:
        choices.append(st.lists(st.sampled_from(form_field.options), min_size=1, max_size=3))
    value = draw(st.one_of(*choices))
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


@st.composite
def form_data(draw, fields: dict, extra_keys=()):
    """A browser's submission with a random part of the fields changed or left out."""
    data = {}
    for form_field in fields.values():
        if draw(st.booleans()):  # left as the browser sends it
            value = form_field.default or None
            if isinstance(value, list) and len(value) == 1:
                value = value[0]
        else:
            value = draw(field_value(form_field))
        if value not in (None, []):
            data[form_field.name] = value
    for key in extra_keys:
        if draw(st.booleans()):
            data[key] = draw(hostile_value)
    if draw(st.booleans()):
        data[draw(safe_text.filter(bool))] = draw(hostile_value)
    return data


# Sent (or not) to every GET besides the fields of its filter forms: paging, sorting, the
# parameters of the statistics and exports (which are reached by links, not forms) and others.
GENERIC_QUERY_KEYS = (
    "page",
    "o",
    "q",
    "region",
    "next",
    "sprache",
    "table",
    "scope",
    "period",
    "year",
    "start",
    "end",
    "opened_after",
    "opened_before",
)


# --- checking the database ------------------------------------------------------------------


def checked_models():
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy:
            continue
        if meta.label_lower in UNCHECKED_TABLES or meta.app_label in UNCHECKED_APPS:
            continue
        yield model


WRITE_STATEMENT = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def written_tables(queries) -> set[str]:
    """The checked tables a request sent INSERT, UPDATE or DELETE statements to."""
    checked = {model._meta.db_table for model in checked_models()}
    found = {match.group(1) for query in queries if (match := WRITE_STATEMENT.match(query["sql"]))}
    return found & checked


def snapshot() -> dict[str, list]:
    """Every row of every checked table, so a change of a single value shows."""
    return {
        model._meta.label_lower: sorted(map(repr, model._default_manager.order_by().values_list()))
        for model in checked_models()
    }


def assert_unchanged(before: dict, context: str) -> None:
    after = snapshot()
    changed = [table for table in before if before[table] != after[table]]
    assert not changed, f"{context}: rows changed in {changed}"


def is_rejected(response) -> bool:
    if response.status_code not in (301, 302, 303):
        return True
    return any(m.level >= message_levels.ERROR for m in get_messages(response.wsgi_request))


def check_response(response, context: str) -> None:
    assert response.status_code != 500, context
    if "text/html" in response.get("Content-Type", "") and not getattr(response, "streaming", False):
        assert RAW_SCRIPT not in response.content.decode(errors="replace"), f"{context}: unescaped script"
    finish(response)


def send(http, method, url, data):
    """GET with a query string, or POST as multipart form data (files included)."""
    return http.get(url, data) if method == "get" else http.post(url, data)


# --- the fuzz tests -------------------------------------------------------------------------


def test_every_endpoint_is_fuzzed():
    """The list comes from the resolver: the workplace, statistics, privacy views and the admin
    add forms are all in it, so a forgotten endpoint cannot slip through."""
    names = {endpoint.name for endpoint in ENDPOINTS}
    assert {"dashboard", "cases:add_contact", "clients:create", "network:edit"} <= names
    assert {"reporting:statistics", "clients:export_json"} <= names
    assert names >= ADMIN_ENDPOINTS
    assert len(names) >= 35


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_hostile_input_never_crashes_nor_writes_when_rejected(world, endpoint):
    http = world.http_for(endpoint)
    post_fields, get_fields = forms_for(world, endpoint)
    cookies = SimpleCookie(http.cookies)

    # Every example is rolled back, so every example starts from this state.
    baseline = snapshot()

    @FUZZ
    @given(
        method=st.sampled_from(["get", "post"] if post_fields else ["get", "post", "get"]),
        ids=st.sampled_from(["world"] * 6 + ["missing", "huge"]),
        post=form_data(post_fields),
        get=form_data(get_fields, extra_keys=GENERIC_QUERY_KEYS),
    )
    def run(method, ids, post, get):
        http.cookies = SimpleCookie(cookies)
        url = world.url(endpoint, ids)
        data = post if method == "post" else get
        context = f"{method.upper()} {url} {data!r:.300}"
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                response = send(http, method, url, data)
            check_response(response, context)
            # Comparing every row is slow; it is done when the request wrote to a checked table.
            if (method == "get" or is_rejected(response)) and written_tables(queries):
                assert_unchanged(baseline, context)
            transaction.set_rollback(True)

    run()


# What PostgreSQL refuses and SQLite stores: a NUL byte, a string longer than its column.
DATABASE_HOSTILE = ["Ali\x00ce", "x" * 10_000]
# Rows of a formset beyond the first and the formsets' own fields are the same code again.
REPEATED_FIELD = re.compile(r"-([1-9]\d*)-|^initial-|-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_each_field_alone_with_nul_bytes_and_overlong_text(world, endpoint):
    """Not left to chance: every field of every form, one at a time, with the values a database
    refuses, all other fields as the browser sends them (so the rest of the form is valid).
    SQLite stores both without complaint, so this runs on PostgreSQL only (as in production)."""
    if connection.vendor != "postgresql":
        pytest.skip("NUL bytes and column lengths are enforced by PostgreSQL only")
    http = world.http_for(endpoint)
    post_fields, get_fields = forms_for(world, endpoint)
    cookies = SimpleCookie(http.cookies)
    baseline = snapshot()
    for method, fields in (("post", post_fields), ("get", get_fields)):
        defaults = {name: f.default for name, f in fields.items() if f.default and f.kind != "file"}
        for name, form_field in fields.items():
            if form_field.kind in ("submit", "file", "checkbox", "radio") or REPEATED_FIELD.search(name):
                continue
            for value in DATABASE_HOSTILE:
                http.cookies = SimpleCookie(cookies)
                data = {**defaults, name: value}
                context = f"{method.upper()} {endpoint.name} {name}={value!r:.20}"
                with transaction.atomic():
                    with CaptureQueriesContext(connection) as queries:
                        response = send(http, method, world.url(endpoint), data)
                    check_response(response, context)
                    if (method == "get" or is_rejected(response)) and written_tables(queries):
                        assert_unchanged(baseline, context)
                    transaction.set_rollback(True)


POST_ENDPOINTS = [e for e in ENDPOINTS if not e.is_admin]


def test_wrong_or_missing_csrf_token_is_refused_with_the_german_page(world):
    csrf_http = HttpClient(enforce_csrf_checks=True, raise_request_exception=True)
    csrf_http.force_login(world.user)
    csrf_http.get(reverse("dashboard"))  # sets the CSRF cookie
    cookies = SimpleCookie(csrf_http.cookies)

    @FUZZ
    @given(
        endpoint=st.sampled_from(POST_ENDPOINTS),
        token=st.one_of(st.none(), st.sampled_from(["", "x", "a" * 64, "\x00" * 32, SCRIPT]), safe_text),
        drop_cookie=st.booleans(),
        body=form_data({}),
    )
    def run(endpoint, token, drop_cookie, body):
        csrf_http.cookies = SimpleCookie(cookies)
        if drop_cookie:
            csrf_http.cookies.pop("csrftoken", None)
        if token is not None:
            body["csrfmiddlewaretoken"] = token
        url = world.url(endpoint)
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                response = csrf_http.post(url, body)
            assert response.status_code == 403, f"{url} {body!r:.200}"
            assert CSRF_PAGE_TEXT in response.content.decode()
            check_response(response, url)
            assert not written_tables(queries), url
            transaction.set_rollback(True)

    run()


@pytest.mark.parametrize("login", ["login", "admin:login"])
def test_login_forms_survive_hostile_input(db, login):
    http = HttpClient(raise_request_exception=True)
    url = reverse(login)

    @FUZZ
    @given(
        username=hostile_value,
        password=hostile_value,
        otp_token=st.one_of(st.none(), hostile_value),
        next_url=st.one_of(st.none(), scalar),
    )
    def run(username, password, otp_token, next_url):
        data = {"username": username, "password": password}
        if otp_token is not None:
            data["otp_token"] = otp_token
        query = {"next": next_url} if next_url else {}
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                response = http.post(url, data, query_params=query)
            assert response.status_code in (200, 403, 429), response.status_code
            check_response(response, f"{login} {username!r:.80}")
            assert not written_tables(queries), login
            check_response(http.get(url, query), f"{login} page")
            transaction.set_rollback(True)

    run()


@pytest.mark.parametrize("login", ["login", "admin:login"])
def test_a_username_longer_than_the_field_is_a_failed_login_not_a_500(db, login):
    """Regression: django-axes stored the 10,000 characters in a 255-character column."""
    response = HttpClient().post(reverse(login), {"username": "x" * 10_000, "password": "geheim"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_logout_by_get_is_refused(world):
    response = world.http.get(reverse("logout"))
    assert response.status_code == 405


# --- stored HTML is shown escaped -------------------------------------------------------------


def test_stored_script_is_shown_escaped(world):
    http, case = world.http, world.case
    add_contact = next(e for e in ENDPOINTS if e.name == "cases:add_contact")
    fields, _ = forms_for(world, add_contact)
    data = {
        name: f.default[0] if len(f.default) == 1 else f.default for name, f in fields.items() if f.default
    }
    data.update({"contact-channel": "phone", "contact-duration_minutes": "20", "contact-note": SCRIPT})
    response = http.post(world.url(add_contact), data)
    assert response.status_code == 302, response.context["contact_form"].errors
    assert Contact.objects.filter(note=SCRIPT).exists()
    services.goal_create(case=case, by=world.user, title=SCRIPT, topic=topic())
    assert Goal.objects.filter(title=SCRIPT).exists()
    services.client_update(client=world.client, by=world.user, first_name=SCRIPT)
    world.actor.name = SCRIPT
    world.actor.save()

    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for url in (
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:list"),
        reverse("clients:detail", args=[world.client.pk]),
        reverse("clients:list"),
        reverse("clients:export_html", args=[world.client.pk]),
        reverse("network:detail", args=[world.actor.pk]),
        reverse("network:list"),
        reverse("dashboard"),
    ):
        body = http.get(url).content.decode()
        assert RAW_SCRIPT not in body, url
        assert escaped in body, url
