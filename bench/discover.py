"""The pages the benchmark measures, found the way a user would find them.

`discover()` walks the URL resolver (as tests/test_permission_matrix.py does) and the admin
site's registry, fills each URL's ids with real objects of the data set, opens every page as
each role and follows what the page itself offers: the links back to the same page with a
query (sorting, filter chips, the admin's `list_filter` values, pagination), the fields of its
GET forms (each option of a select, each checkbox), the search box (with 1, 2, 3 and many
characters, a common and a rare name, a full name, a reference, a date of birth, an unknown
username and a bare object id), deep pages (1,000 and the last one linked), and for the
statistics each kind of scope (a municipality, a region, the district) with one month, one
year and five years. So a new page, filter, sort column or admin gets measured without
anyone adding it here.

Each discovered page carries its bar (the issue's bars, see `bars_for`). A page that does not
answer 200 when first opened is not measured for that role but listed (403 for a role that
may not see it is expected; a 5xx is a failure).
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

# URL names that are not pages of the application.
NOT_PAGES = {"login", "logout", "healthz"}
# Values of one query parameter measured at most (first, second, middle, last): an admin
# filter over 1,767 staff or 400 municipalities needs a few of them, not all.
VALUES_PER_PARAMETER = 4
# Parameters whose every value is its own page: each sortable column.
EVERY_VALUE = {"o", "sort"}
PAGE_PARAMETERS = {"page", "p"}
MAX_VARIANTS_PER_PAGE = 80

NO_OBJECT = "the data set has no such object"
UNKNOWN_ID = "an id bench/discover.py does not know: add it to url_arguments"

UI_BAR_MS, UI_MAX_QUERIES = 50, 20
ADMIN_BAR_MS, ADMIN_MAX_QUERIES = 150, 20
STATISTICS_BAR_MS, STATISTICS_DISTRICT_BAR_MS = 300, 1000


@dataclass
class Found:
    """A page to measure: who, where, and what kind of page (for its bar)."""

    name: str
    user: str
    url: str
    kind: str  # "ui", "admin", "statistics", "export"
    district_scope: bool = False


@dataclass
class Refused:
    user: str
    url: str
    status: int


@dataclass
class Discovery:
    pages: list[Found] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    # URLs whose ids the discovery cannot fill: a new URL kind; named so it is added.
    unfilled: list[str] = field(default_factory=list)


class _PageParser(HTMLParser):
    """Links and GET-form fields of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.selects: dict[str, list[str]] = {}
        self.checkboxes: dict[str, list[str]] = {}
        self.radios: dict[str, list[str]] = {}
        self.text_inputs: set[str] = set()
        self._in_get_form = 0
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            method = (attrs.get("method") or "get").lower()
            self._in_get_form = 1 if method == "get" else 0
        elif not self._in_get_form:
            return
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self.selects.setdefault(self._select, [])
        elif tag == "option" and self._select and attrs.get("value"):
            self.selects[self._select].append(attrs["value"])
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind == "checkbox":
                self.checkboxes.setdefault(attrs["name"], []).append(attrs.get("value") or "on")
            elif kind == "radio":
                self.radios.setdefault(attrs["name"], []).append(attrs.get("value") or "")
            elif kind in ("text", "search"):
                self.text_inputs.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_get_form = 0
        elif tag == "select":
            self._select = None


def _spread(values: list[str]) -> list[str]:
    unique = list(dict.fromkeys(values))
    if len(unique) <= VALUES_PER_PARAMETER:
        return unique
    picks = [unique[0], unique[1], unique[len(unique) // 2], unique[-1]]
    return list(dict.fromkeys(picks))


def _page_html(client, url: str) -> tuple[int, str]:
    response = client.get(url)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
        return response.status_code, ""
    content_type = response.get("Content-Type", "")
    text = response.content.decode("utf-8", "replace") if "html" in content_type else ""
    return response.status_code, text


def variants(path: str, html: str, *, searches: list[str]) -> list[str]:
    """Query strings of the same page the page itself leads to, each parameter with a few
    values; the search box with each of `searches`."""
    parser = _PageParser()
    parser.feed(html)
    by_parameter: dict[str, list[str]] = {}
    sorts: list[str] = []
    page_numbers: set[int] = set()
    for href in parser.links:
        parts = urlsplit(href)
        if (parts.path and parts.path != path) or not parts.query:
            continue
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        for name in PAGE_PARAMETERS & params.keys():
            if params[name].isdigit():
                page_numbers.add(int(params[name]))
        params = {k: v for k, v in params.items() if k not in PAGE_PARAMETERS}
        if not params:
            continue
        query = urlencode(sorted(params.items()))
        if EVERY_VALUE & params.keys():
            sorts.append(query)
        else:
            by_parameter.setdefault(",".join(sorted(params)), []).append(query)
    for name, values in {**parser.selects, **parser.checkboxes, **parser.radios}.items():
        if name in PAGE_PARAMETERS:
            continue
        for value in values:
            by_parameter.setdefault(name, []).append(urlencode({name: value}))
    groups = [list(dict.fromkeys(sorts))]
    groups += [_spread(queries) for queries in by_parameter.values()]
    if "q" in parser.text_inputs:
        groups.append([urlencode({"q": term}) for term in searches])
    page_parameter = "p" if "/admin/" in path else "page"
    deep = [urlencode({page_parameter: 1000})]
    if page_numbers and max(page_numbers) not in (1, 1000):
        deep.append(urlencode({page_parameter: max(page_numbers)}))
    groups.insert(1, deep)
    # Round robin over the groups, so that a run capped at a few variants per page still
    # measures a sort, a deep page, a filter and a search of each.
    found = []
    while any(groups):
        for group in groups:
            if group:
                found.append(group.pop(0))
    return list(dict.fromkeys(found))[:MAX_VARIANTS_PER_PAGE]


# --- the objects the URLs' ids name ----------------------------------------------------------


def _one(sql: str, params=()) -> object:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def large_objects(info: dict, users: dict) -> dict[str, object]:
    """The objects a user opens that have most attached: the case with 200 contacts, the client
    with most cases, the actor with most referrals, the household with most members."""
    from casework.models import Case

    cm = users["cm"]
    case_pk = info.get("designated_case", {}).get("pk") or (
        Case.objects.filter(case_manager=cm).order_by("-pk").values_list("pk", flat=True).first()
    )
    case = Case.objects.select_related("client").get(pk=case_pk)
    district = case.municipality.region.district_id
    region_ids = list(cm.regions.values_list("pk", flat=True))
    client = _one(
        "SELECT c.client_id FROM casework_case c JOIN regions_municipality m ON m.id = c.municipality_id "
        "WHERE m.region_id = ANY(%s) GROUP BY c.client_id ORDER BY count(*) DESC, c.client_id LIMIT 1",
        [region_ids],
    )
    actor = _one(
        "SELECT r.actor_id FROM casework_referral r JOIN casework_actor a ON a.id = r.actor_id "
        "WHERE a.district_id = %s GROUP BY r.actor_id ORDER BY count(*) DESC, r.actor_id LIMIT 1",
        [district],
    )
    household = _one(
        "SELECT h.id FROM casework_household h JOIN regions_municipality m ON m.id = h.municipality_id "
        "WHERE m.region_id = ANY(%s) ORDER BY h.id LIMIT 1",
        [region_ids],
    )
    return {"case": case.pk, "client": client or case.client_id, "actor": actor, "household": household}


def _first_pk(model, **filters):
    return model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True).first()


def url_arguments(info: dict, users: dict) -> dict[str, int | str | None]:
    """Per URL name prefix or keyword: the id to put into it."""
    from casework.models import Consent, Document, FollowUp, Goal
    from structural.models import CaseConference, Theme

    big = large_objects(info, users)
    case = big["case"]
    return {
        "case": case,
        "client": big["client"],
        "actor": big["actor"],
        "household": big["household"],
        **{
            f"any_{kwarg}": model.objects.filter(case__case_manager=users["cm"])
            .order_by("pk")
            .values_list("case_id", "pk")
            .first()
            for kwarg, model in (
                ("goal_pk", Goal),
                ("follow_up_pk", FollowUp),
                ("document_pk", Document),
                ("consent_pk", Consent),
            )
        },
        "goal_pk": _first_pk(Goal, case_id=case),
        "follow_up_pk": _first_pk(FollowUp, case_id=case),
        "document_pk": _first_pk(Document, case_id=case),
        "consent_pk": _first_pk(Consent, case_id=case),
        "theme": _first_pk(Theme),
        "conference": _first_pk(CaseConference, case__case_manager=users["cm"]) or _first_pk(CaseConference),
    }


def _id_for(name: str, kwarg: str, ids: dict):
    """The id a URL keyword names: `case_pk` a case, `<x>_pk` the case's first <x>, `pk` the
    object of the URL's namespace (cases, clients, network, themes, conferences)."""
    if kwarg == "case_pk":
        return ids["case"]
    if kwarg in ids:
        return ids[kwarg]
    if kwarg == "pk":
        namespace, _, short = name.partition(":")
        by_namespace = {"cases": "case", "clients": "client", "network": "actor"}
        if namespace in by_namespace:
            return ids[by_namespace[namespace]]
        if short.startswith("theme"):
            return ids["theme"]
        if short.startswith("conference"):
            return ids["conference"]
    return None


def _panel_slugs() -> list[str]:
    from casework.views.cases import PANELS

    return [panel.slug for panel in PANELS]


def ui_urls(ids: dict) -> tuple[list[tuple[str, str]], list[str]]:
    """(name, path) of every URL of the caseworker UI with its ids filled; the names whose ids
    the discovery cannot fill."""
    from django.urls import URLPattern, URLResolver, get_resolver, reverse

    found, unfilled = [], []

    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin" or str(pattern.pattern).startswith(("admin", "stock-admin")):
                    continue
                walk(pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}{pattern.name}"
                if name in NOT_PAGES:
                    continue
                kwargs_names = list(pattern.pattern.regex.groupindex)
                if "slug" in kwargs_names:
                    others = {k: _id_for(name, k, ids) for k in kwargs_names if k != "slug"}
                    for slug in _panel_slugs():
                        found.append((f"{name} {slug}", reverse(name, kwargs={**others, "slug": slug})))
                    continue
                kwargs = {k: _id_for(name, k, ids) for k in kwargs_names}
                subs = [k for k in kwargs_names if k.endswith("_pk") and k != "case_pk"]
                if subs and kwargs[subs[0]] is None:
                    # The designated case has none of these: any of the user's cases with one.
                    kwargs["pk"], kwargs[subs[0]] = ids.get(f"any_{subs[0]}") or (None, None)
                if any(value is None for value in kwargs.values()):
                    known = all(_id_for(name, k, dict.fromkeys(ids, 0)) is not None for k in kwargs_names)
                    unfilled.append(f"{name} ({NO_OBJECT if known else UNKNOWN_ID})")
                    continue
                found.append((name, reverse(name, kwargs=kwargs)))

    walk(get_resolver())
    return found, unfilled


def admin_urls(ids: dict, users: dict) -> list[tuple[str, str, str]]:
    """(name, path, "changelist"/"change") of every registered model admin: its changelist and
    the change page of its largest object (or its first)."""
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse

    from accounts.models import User
    from casework.models import Actor, Case, Client, Household

    chosen = {Case: ids["case"], Client: ids["client"], Actor: ids["actor"], Household: ids["household"]}
    chosen[User] = users["cm"].pk
    result = []
    for model in sorted(admin.site._registry, key=lambda m: (m._meta.app_label, m._meta.model_name)):
        opts = model._meta
        try:
            result.append(
                (
                    f"admin {opts.app_label}.{opts.model_name}",
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
                    "changelist",
                )
            )
        except NoReverseMatch:
            continue
        pk = chosen.get(model) or model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        if pk is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
            result.append((f"admin {opts.app_label}.{opts.model_name} change", change, "change"))
    return result


def search_terms(users: dict, ids: dict) -> list[str]:
    """1, 2, 3 and many characters, a common and a rare last name of the user's regions, a full
    name, a reference, a date of birth, a username nobody has and a bare object id."""
    from casework.models import Case, Client

    region_ids = list(users["cm"].regions.values_list("pk", flat=True))
    common = _one(
        "SELECT last_name FROM (SELECT last_name FROM casework_client cl JOIN regions_municipality m "
        "ON m.id = cl.municipality_id WHERE m.region_id = ANY(%s) LIMIT 20000) s "
        "GROUP BY last_name ORDER BY count(*) DESC LIMIT 1",
        [region_ids],
    )
    rare = _one(
        "SELECT last_name FROM (SELECT last_name FROM casework_client cl JOIN regions_municipality m "
        "ON m.id = cl.municipality_id WHERE m.region_id = ANY(%s) LIMIT 20000) s "
        "GROUP BY last_name ORDER BY count(*), last_name LIMIT 1",
        [region_ids],
    )
    client = (
        Client.objects.filter(pk=ids["client"]).values("first_name", "last_name", "date_of_birth").first()
    )
    reference = Case.objects.filter(pk=ids["case"]).values_list("reference", flat=True).first()
    terms = ["a", "er", "mül", common or "Müller", rare or "Zyx"]
    if client:
        terms.append(f"{client['first_name']} {client['last_name']}")
        if client.get("date_of_birth"):
            terms.append(client["date_of_birth"].strftime("%d.%m.%Y"))
    terms += [reference or "", "niemand.unbekannt", str(ids["case"])]
    return [term for term in dict.fromkeys(terms) if term]


def statistics_queries(html: str, year: int) -> list[tuple[str, bool]]:
    """(query, whether the scope is the whole district) for a municipality, a region and the
    district, each for one month, one year and five years."""
    parser = _PageParser()
    parser.feed(html)
    scopes = parser.selects.get("scope") or []
    by_kind: dict[str, str] = {}
    for value in scopes:
        kind = re.sub(r"[-:].*", "", value)
        by_kind.setdefault(kind, value)
    periods = [
        {"period": "month", "year": year, "month": 6},
        {"period": "year", "year": year},
        {"period": "range", "start": f"{year - 4}-01-01", "end": f"{year}-12-31"},
    ]
    result = []
    for kind, scope in by_kind.items():
        for period in periods:
            district = kind not in ("kommune", "region")
            result.append((urlencode({"scope": scope, **period}), district))
    return result


def kind_of(name: str) -> str:
    if name.startswith("admin"):
        return "admin"
    if name.startswith("reporting:"):
        return "export" if "export" in name else "statistics"
    if "export" in name or name.endswith("_json") or name == "cases:document":
        return "export"
    return "ui"


def discover(
    info: dict,
    users: dict,
    clients: dict,
    *,
    year: int,
    roles=("cm", "koord"),
    max_variants: int | None = None,
) -> Discovery:
    """Every page as each of `roles` (and the admin as its superuser); `max_variants` caps the
    variants followed per page (the test suite's small run)."""
    from kim.sql import statement_timeout

    # The look-ups of the largest objects read whole tables once: a job, not a page.
    with statement_timeout(15 * 60 * 1000):
        ids = url_arguments(info, users)
        searches = search_terms(users, ids)
    result = Discovery()
    ui, result.unfilled = ui_urls(ids)

    def add(name: str, user: str, url: str, kind: str, district: bool = False):
        result.pages.append(Found(name, user, url, kind, district))

    def explore(name: str, user: str, path: str, kind: str):
        if kind == "export":
            # A file of a whole scope (60,000 cases as XLSX takes minutes): measured once, not
            # opened here; a role that may not have it shows its 403 in the table.
            add(name, user, path, kind)
            return
        status, html = _page_html(clients[user], path)
        if status == 405:  # a POST-only address: not a page
            return
        if status >= 500:  # measured, so that it fails its bar in the table
            add(name, user, path, kind)
            return
        if status != 200:
            result.refused.append(Refused(user, path, status))
            return
        if kind == "statistics" and html:
            for query, district in statistics_queries(html, year):
                add(f"{name} {query}", user, f"{path}?{query}", kind, district)
            return
        add(name, user, path, kind)
        if html and kind in ("ui", "admin"):
            for query in variants(path, html, searches=searches)[:max_variants]:
                add(f"{name} ?{query}", user, f"{path}?{query}", kind)

    for role in roles:
        for name, path in ui:
            explore(name, role, path, kind_of(name))
    for name, path, what in admin_urls(ids, users):
        if what == "changelist":
            explore(name, "admin", path, "admin")
        else:
            status, _html = _page_html(clients["admin"], path)
            if status == 200:
                add(name, "admin", path, "admin")
            else:
                result.refused.append(Refused("admin", path, status))
    return result


def bars_for(found: Found) -> tuple[float | None, int | None, float | None]:
    """(p95 bar in ms, query bar, SQL bar in ms) of a discovered page (issue 20)."""
    if found.kind == "admin":
        return ADMIN_BAR_MS, ADMIN_MAX_QUERIES, 10.0
    if found.kind == "statistics":
        return (STATISTICS_DISTRICT_BAR_MS if found.district_scope else STATISTICS_BAR_MS), None, None
    if found.kind == "export":
        return None, None, None
    return UI_BAR_MS, UI_MAX_QUERIES, 10.0
