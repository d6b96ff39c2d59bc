"""The case list's queries: count and page in one read, follow-ups by district, one scope list."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import CASE_MANAGEMENT
from casework import selectors, services
from casework.filters.cases import CaseFilter
from casework.models import Case, FollowUp
from kim.pagination import CappedPaginator
from regions.models import District, Municipality, Region
from tests.conftest import login_with_otp, make_staff
from tests.factories import CaseFactory, ClientFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _case(municipality: str = "Coesfeld", days_ago: int = 30, **kwargs) -> Case:
    place = Municipality.objects.get(name=municipality)
    return CaseFactory(
        client=ClientFactory(municipality=place), opened_on=TODAY - dt.timedelta(days=days_ago), **kwargs
    )


@pytest.fixture
def cm(client):
    user = make_staff(CASE_MANAGEMENT, ("Nord", "Mitte", "Süd"))
    client.force_login(user)
    client.user = user
    return client


def _shown(response) -> list[str]:
    assert response.status_code == 200
    return [case.reference for case in response.context["cases"]]


# --- count and page in one read ------------------------------------------------------------


@pytest.fixture
def nine():
    """Nine cases, newest first in list order."""
    cases = [_case(days_ago=n) for n in range(1, 10)]
    return [c.pk for c in cases]


def _paginator(per_page: int, cap: int) -> CappedPaginator:
    return CappedPaginator(
        Case.objects.order_by("-opened_on", "-id"),
        per_page,
        fetch_rows=lambda ids: Case.objects.filter(pk__in=ids),
        count_cap=cap,
    )


def _page(paginator, number):
    with CaptureQueriesContext(connection) as queries:
        page = paginator.get_page(number)
    return page, [q["sql"] for q in queries.captured_queries]


def test_a_page_within_the_cap_reads_count_and_ids_in_one_query(nine):
    page, queries = _page(_paginator(per_page=2, cap=5), 2)
    assert [c.pk for c in page] == nine[2:4]
    assert (page.count, page.count_is_capped, page.num_pages, page.has_next()) == (5, True, None, True)
    assert len(queries) == 2  # the ids (with the count), the rows
    assert not any("COUNT(" in sql for sql in queries)


def test_the_last_page_within_the_cap_knows_there_is_no_next(nine):
    page, queries = _page(_paginator(per_page=4, cap=20), 3)
    assert [c.pk for c in page] == nine[8:]
    assert (page.count, page.count_is_capped, page.num_pages, page.has_next()) == (9, False, 3, False)
    assert len(queries) == 2


def test_a_page_reaching_past_the_cap_reads_as_far_as_it_reaches(nine):
    # per_page 4, cap 5: page 2 holds rows 5 to 8, beyond the cap's six ids.
    page, queries = _page(_paginator(per_page=4, cap=5), 2)
    assert [c.pk for c in page] == nine[4:8]
    assert (page.count, page.count_is_capped, page.has_next()) == (5, True, True)
    assert len(queries) == 2


def test_a_page_beyond_the_cap_needs_no_count(nine):
    page, queries = _page(_paginator(per_page=2, cap=3), 3)
    assert [c.pk for c in page] == nine[4:6]
    assert (page.count, page.count_is_capped, page.has_next(), page.has_previous()) == (3, True, True, True)
    assert len(queries) == 2
    assert "OFFSET" in queries[0]


def test_past_the_end_of_a_list_shows_its_last_page(nine):
    # Beyond the cap: the list is counted once to find its last page.
    page, _ = _page(_paginator(per_page=4, cap=3), 7)
    assert page.number == 3 and [c.pk for c in page] == nine[8:] and page.count_is_capped
    assert not page.has_next() and page.has_previous()
    page, _ = _page(_paginator(per_page=4, cap=50), 7)
    assert page.number == 3 and [c.pk for c in page] == nine[8:]
    assert (page.count, page.count_is_capped) == (9, False)


def test_an_empty_list_is_one_empty_page():
    page, queries = _page(_paginator(per_page=4, cap=3), 1)
    assert (page.number, page.count, page.count_is_capped, list(page)) == (1, 0, False, [])
    assert len(queries) == 1


def test_a_filtered_list_with_more_pages_runs_eight_queries(cm, monkeypatch):
    from casework.views import cases as case_views

    monkeypatch.setattr(case_views, "CASES_PER_PAGE", 2)
    monkeypatch.setattr(case_views, "CASES_COUNT_CAP", 3)
    for n in range(6):
        _case(days_ago=n + 1)
    cm.get(reverse("cases:list"))  # the session settles after the login
    for query in ({"phase": "open"}, {"phase": "open", "page": 2}, {"phase": "open", "page": 3}):
        with CaptureQueriesContext(connection) as queries:
            response = cm.get(reverse("cases:list"), query)
        assert len(_shown(response)) == 2
        # session, user, roles with scope, legal frameworks, staff choices, audit of the search,
        # the ids with the count, the rows with their legal frameworks
        statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
        assert len(statements) == 8, statements


# --- "Wiedervorlage überfällig" by district ------------------------------------------------


@pytest.fixture
def borken():
    district = District.objects.create(name="Kreis Borken", key="05554", code="BOR")
    region = Region.objects.create(district=district, name="West")
    return Municipality.objects.create(region=region, name="Bocholt", ags="05554008")


def test_a_follow_up_takes_its_cases_district(borken):
    coesfeld_case = _case()
    borken_case = CaseFactory(client=ClientFactory(municipality=borken), municipality=borken)
    created = services.follow_up_create(
        case=coesfeld_case, by=None, title="Rückruf", due_on=TODAY - dt.timedelta(days=1)
    )
    direct = FollowUp.objects.create(case=borken_case, title="Termin", due_on=TODAY)
    assert created.district_id == coesfeld_case.district_id
    assert direct.district_id == borken.region.district_id != coesfeld_case.district_id
    services.follow_up_complete(follow_up=created, by=None)
    created.refresh_from_db()
    assert created.done_at is not None and created.district_id == coesfeld_case.district_id


def test_overdue_finds_the_cases_with_an_open_follow_up_past_due(cm, borken):
    late, on_time, done, none = _case(), _case(), _case(), _case()
    FollowUp.objects.create(case=late, title="a", due_on=TODAY - dt.timedelta(days=3))
    FollowUp.objects.create(case=late, title="b", due_on=TODAY - dt.timedelta(days=1))
    FollowUp.objects.create(case=on_time, title="c", due_on=TODAY)
    FollowUp.objects.create(case=done, title="d", due_on=TODAY - dt.timedelta(days=2), done_at=timezone.now())
    elsewhere = CaseFactory(client=ClientFactory(municipality=borken), municipality=borken)
    FollowUp.objects.create(case=elsewhere, title="e", due_on=TODAY - dt.timedelta(days=5))

    assert _shown(cm.get(reverse("cases:list"), {"overdue": "true"})) == [late.reference]
    assert set(_shown(cm.get(reverse("cases:list"), {"overdue": "false"}))) == {
        on_time.reference,
        done.reference,
        none.reference,
    }


def test_overdue_for_a_superuser_spans_every_district(client, superuser, borken):
    login_with_otp(client, superuser)
    here = _case()
    elsewhere = CaseFactory(client=ClientFactory(municipality=borken), municipality=borken)
    for case in (here, elsewhere):
        FollowUp.objects.create(case=case, title="x", due_on=TODAY - dt.timedelta(days=1))
    assert set(_shown(client.get(reverse("cases:list"), {"overdue": "true"}))) == {
        here.reference,
        elsewhere.reference,
    }


# --- region and municipality narrow the scope's list ---------------------------------------


def _municipality_lists(sql: str) -> int:
    return sql.count('"municipality_id" IN (')


def test_region_and_municipality_narrow_the_scope_instead_of_adding_a_list():
    user = make_staff(CASE_MANAGEMENT, ("Nord", "Süd"))  # not the whole district
    nord = Region.objects.get(name="Nord")
    in_nord = _case("Billerbeck")
    in_coesfeld = _case("Coesfeld")
    _case("Dülmen")  # Mitte
    scope = selectors.case_list(user=user)
    assert _municipality_lists(str(scope.query)) == 1

    by_region = CaseFilter({"region": str(nord.pk)}, queryset=scope, user=user).qs
    assert _municipality_lists(str(by_region.query)) == 1
    assert set(by_region) == {c for c in Case.objects.all() if c.municipality.region_id == nord.pk}
    assert in_nord in by_region

    coesfeld = Municipality.objects.get(name="Coesfeld")
    by_municipality = CaseFilter({"municipality": str(coesfeld.pk)}, queryset=scope, user=user).qs
    assert _municipality_lists(str(by_municipality.query)) == 1
    assert list(by_municipality) == [in_coesfeld]
    # The scope the filter started from is left as it was.
    assert _municipality_lists(str(scope.query)) == 1 and scope.count() == 2


def test_a_region_of_a_whole_district_scope_adds_its_list(cm):
    """Whoever works in every region of the district is scoped by the district alone
    (accounts.roles.restrict_cases); a region filter then adds the one list of its own."""
    nord = Region.objects.get(name="Nord")
    in_nord, _in_mitte = _case("Billerbeck"), _case("Dülmen")
    scope = selectors.case_list(user=cm.user)
    assert _municipality_lists(str(scope.query)) == 0
    by_region = CaseFilter({"region": str(nord.pk)}, queryset=scope, user=cm.user).qs
    assert _municipality_lists(str(by_region.query)) == 1
    assert list(by_region) == [in_nord]


def test_a_region_outside_a_narrow_scope_finds_nothing(client):
    nord_cm = make_staff(CASE_MANAGEMENT, ("Nord",))
    client.force_login(nord_cm)
    _case("Billerbeck")
    mitte = Region.objects.get(name="Mitte")
    _case("Dülmen")
    # Mitte is no choice for a Nord case manager: the filter refuses the value, the list stays in Nord.
    response = client.get(reverse("cases:list"), {"region": str(mitte.pk)})
    assert all(case.region == "Nord" for case in response.context["cases"])
    scope = selectors.case_list(user=nord_cm)
    from casework.filters.cases import narrow_in

    assert list(narrow_in(scope, "municipality_id", [Municipality.objects.get(name="Dülmen").pk])) == []


# --- rows -------------------------------------------------------------------------------------


def test_rows_with_the_callers_municipalities_read_the_same_names(cm):
    cases = [_case("Billerbeck"), _case("Dülmen"), _case("Nottuln")]
    ids = [c.pk for c in cases]
    joined = selectors.case_list_rows(ids)
    given = selectors.case_list_rows(
        ids, municipalities=[m for m in selectors.case_filter_municipalities(cm.user) if m.name != "Nottuln"]
    )
    assert sorted(joined, key=lambda r: r.pk) == sorted(given, key=lambda r: r.pk)
    expected = {(c.municipality.name, c.municipality.region.name) for c in cases}
    assert {(r.municipality, r.region) for r in given} == expected


# --- legal framework --------------------------------------------------------------------------


def test_the_legal_framework_filter_finds_each_case_once(cm):
    from casework.models import LegalFramework

    first, second = LegalFramework.objects.order_by("pk")[:2]
    both, one, other, none = _case(), _case(), _case(), _case()
    both.set_legal_frameworks([first, second])
    one.set_legal_frameworks([first])
    other.set_legal_frameworks([second])
    shown = _shown(cm.get(reverse("cases:list"), {"legal_framework": str(first.pk)}))
    assert sorted(shown) == sorted([both.reference, one.reference])
    assert none.reference not in shown
    # The rows name every framework of a case, in the catalogue's order.
    rows = {row.reference: row.legal_frameworks for row in selectors.case_list_rows([both.pk, none.pk])}
    catalogue = [
        item.name for item in selectors.legal_framework_catalogue() if item.pk in (first.pk, second.pk)
    ]
    assert rows == {both.reference: ", ".join(catalogue), none.reference: ""}


def test_opening_a_case_writes_its_frameworks_as_links_and_as_bits():
    from casework.models import LegalFramework, legal_framework_bits

    first, second = LegalFramework.objects.order_by("pk")[:2]
    case = services.case_open(
        by=None,
        municipality=Municipality.objects.get(name="Coesfeld"),
        client=ClientFactory(),
        legal_frameworks=[first, second],
    )
    case.refresh_from_db()
    assert case.legal_framework_bits == (1 << first.bit) | (1 << second.bit)
    assert case.legal_framework_bits == legal_framework_bits(
        case.legal_frameworks.values_list("bit", flat=True)
    )


def test_bits_written_in_bulk_are_refreshed_from_the_links():
    from casework.models import LegalFramework

    first, second = LegalFramework.objects.order_by("pk")[:2]
    both, none = _case(), _case()
    Case.legal_frameworks.through.objects.bulk_create(
        [Case.legal_frameworks.through(case=both, legalframework=framework) for framework in (first, second)]
    )
    Case.objects.filter(pk=none.pk).update(legal_framework_bits=1 << first.bit)  # stale
    assert Case.objects.filter(pk__in=[both.pk, none.pk]).refresh_legal_framework_bits() == 2
    bits = dict(Case.objects.filter(pk__in=[both.pk, none.pk]).values_list("pk", "legal_framework_bits"))
    assert bits == {both.pk: (1 << first.bit) | (1 << second.bit), none.pk: 0}


def test_a_new_framework_takes_the_lowest_free_bit():
    from casework.models import LegalFramework

    taken = set(LegalFramework.objects.values_list("bit", flat=True))
    assert None not in taken  # every framework of the catalogue has one
    free = min(set(range(63)) - taken)
    assert LegalFramework.objects.create(code="neu", name="Neues Gesetz").bit == free


def test_a_framework_without_a_bit_is_found_through_the_links(cm):
    """More than 63 frameworks would leave the later ones without a bit."""
    from casework.models import LegalFramework

    late = LegalFramework.objects.create(code="neu", name="Neues Gesetz")
    LegalFramework.objects.filter(pk=late.pk).update(bit=None)
    late.refresh_from_db()
    with_it, without = _case(), _case()
    with_it.set_legal_frameworks([late])
    assert Case.objects.get(pk=with_it.pk).legal_framework_bits == 0
    shown = _shown(cm.get(reverse("cases:list"), {"legal_framework": str(late.pk)}))
    assert shown == [with_it.reference]
    assert without.reference not in shown


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index is PostgreSQL's")
def test_the_name_search_narrows_to_the_district_inside_the_trigram_index(cm):
    """btree_gin compares the trigram index's bigint district column only with a bigint: with a
    plain integer the index cannot narrow to the district, and at state scale reads every
    district's matches of a name."""
    found = _case()
    Case.objects.filter(pk=found.pk).update(search_name="sheikho amira")
    scope = selectors.case_list(user=cm.user)
    searched = CaseFilter({"q": "Sheikho"}, queryset=scope, user=cm.user).qs
    assert list(searched) == [Case.objects.get(pk=found.pk)]
    sql, params = searched.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        # Only the trigram index is left to find the district's cases with (rolled back with the test).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks on the table to alter
        cursor.execute("ALTER TABLE casework_case DROP CONSTRAINT case_unique_sequence_per_district_year")
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'casework_case' "
            "AND indexdef LIKE '%%btree (district_id%%'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    index_condition = plan.split("case_search_name_trgm_idx", 1)[1].split("\n")[1]
    assert "district_id" in index_condition and "search_name" in index_condition, plan


def test_a_row_shows_subject_manager_date_and_the_overdue_mark(cm):
    from tests.factories import HouseholdFactory

    manager = make_staff(CASE_MANAGEMENT, ("Nord",), username="mara", first_name="Mara", last_name="Meier")
    late = _case(days_ago=40, case_manager=manager)
    FollowUp.objects.create(case=late, title="Rückruf", due_on=TODAY - dt.timedelta(days=1))
    FollowUp.objects.create(
        case=late, title="erledigt", due_on=TODAY - dt.timedelta(days=9), done_at=timezone.now()
    )
    on_time = _case(days_ago=3)
    FollowUp.objects.create(case=on_time, title="Termin", due_on=TODAY)
    olfen = Municipality.objects.get(name="Olfen")
    family = CaseFactory(
        client=None, household=HouseholdFactory(name="Familie Haddad", municipality=olfen), municipality=olfen
    )
    rows = {row.pk: row for row in selectors.case_list_rows([late.pk, on_time.pk, family.pk])}
    assert rows[late.pk].has_overdue_follow_up is True
    assert rows[on_time.pk].has_overdue_follow_up is False
    assert rows[late.pk].case_manager == "Mara Meier"
    assert rows[late.pk].subject == late.client.full_name
    assert rows[late.pk].opened_on == (TODAY - dt.timedelta(days=40)).strftime("%d.%m.%Y")
    assert rows[late.pk].url == reverse("cases:detail", args=[late.pk])
    assert (rows[family.pk].subject, rows[family.pk].case_manager) == ("Familie Haddad", "")
    assert (rows[family.pk].municipality, rows[family.pk].region) == ("Olfen", "Süd")
    assert rows[on_time.pk].phase_label == late.get_phase_display()
