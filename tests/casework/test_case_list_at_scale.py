"""The case list's machinery for large lists: search key, capped count, ids-first pages."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import CASE_MANAGEMENT
from casework import services
from casework.models import Case
from casework.names import search_key
from kim.pagination import CappedPaginator, page_number
from regions.models import District, Municipality, Region
from tests.conftest import make_staff
from tests.factories import CaseFactory, ClientFactory, HouseholdFactory

pytestmark = pytest.mark.django_db


def _case(last_name: str, first_name: str = "Ayşe", municipality: str = "Coesfeld", **kwargs) -> Case:
    client = ClientFactory(
        last_name=last_name, first_name=first_name, municipality=Municipality.objects.get(name=municipality)
    )
    return CaseFactory(client=client, **kwargs)


@pytest.fixture
def cm(client):
    user = make_staff(CASE_MANAGEMENT, ("Nord", "Mitte", "Süd"))
    client.force_login(user)
    return client


def _found(client, **query) -> set[str]:
    response = client.get(reverse("cases:list"), query)
    assert response.status_code == 200
    return {case.reference for case in response.context["cases"]}


# --- the search key -----------------------------------------------------------------------


def test_search_key_holds_both_spellings_of_umlauts():
    assert search_key("Müller", "Jürgen") == "mueller juergen muller jurgen"
    assert search_key("Yılmaz", "Ayşe") == "yilmaz ayse"
    assert search_key("Weber") == "weber"
    assert len(search_key("x" * 400)) == 255


def test_name_search_finds_every_spelling_and_words_in_any_order(cm):
    mueller = _case("Müller", "Jürgen")
    yilmaz = _case("Yılmaz", "Ayşe")
    for typed in ("müller", "Mueller", "MULLER", "jürgen müller", "juergen", "ller"):
        assert _found(cm, q=typed) == {mueller.reference}, typed
    for typed in ("yilmaz", "Yılmaz ayse", "ayşe"):
        assert _found(cm, q=typed) == {yilmaz.reference}, typed
    assert _found(cm, q="müller ayse") == set()


def test_household_cases_are_found_by_the_household_name(cm):
    household = HouseholdFactory(
        name="Familie Özdemir", municipality=Municipality.objects.get(name="Nottuln")
    )
    case = CaseFactory(client=None, household=household, municipality=household.municipality)
    assert _found(cm, q="oezdemir") == _found(cm, q="Özdemir") == {case.reference}


def test_renaming_a_client_or_household_updates_the_search(cm):
    case = _case("Haddad")
    services.client_update(client=case.client, by=None, last_name="Nasser")
    assert _found(cm, q="nasser") == {case.reference}
    assert _found(cm, q="haddad") == set()

    household = HouseholdFactory(name="Familie Kaya", municipality=Municipality.objects.get(name="Coesfeld"))
    family_case = CaseFactory(client=None, household=household, municipality=household.municipality)
    household.name = "Familie Demir"
    household.save()
    assert _found(cm, q="demir") == {family_case.reference}


def test_search_by_reference_whole_or_its_beginning(cm):
    first, second = _case("Aydin"), _case("Berisha")
    assert _found(cm, q=first.reference.lower()) == {first.reference}
    prefix = first.reference.rsplit("-", 1)[0]  # "COE-2026"
    assert _found(cm, q=prefix) == {first.reference, second.reference}


def test_search_stays_inside_the_users_regions(client):
    nord_cm = make_staff(CASE_MANAGEMENT, ("Nord",))
    client.force_login(nord_cm)
    inside = _case("Krasniqi", municipality="Billerbeck")  # Nord
    _case("Krasniqi", municipality="Dülmen")  # Mitte
    assert _found(client, q="krasniqi") == {inside.reference}


# --- a case belongs to the district of its reference ---------------------------------------


def test_a_case_cannot_move_to_another_districts_municipality():
    from django.core.exceptions import ValidationError

    case = _case("Ramadani")
    borken = District.objects.create(name="Kreis Borken", key="05554", code="BOR")
    region = Region.objects.create(district=borken, name="West")
    outside = Municipality.objects.create(region=region, name="Bocholt", ags="05554008")
    case.municipality = outside
    with pytest.raises(ValidationError) as error:
        case.full_clean()
    assert "municipality" in error.value.message_dict


# --- pages -------------------------------------------------------------------------------


def test_capped_count_and_pages_read_ids_first(cm, django_assert_max_num_queries):
    cases = [_case(f"Name{n:02d}", opened_on=dt.date(2024, 1, 1) + dt.timedelta(days=n)) for n in range(7)]
    newest_first = [c.reference for c in sorted(cases, key=lambda c: c.opened_on, reverse=True)]
    queryset = Case.objects.order_by("-opened_on", "-id")
    paginator = CappedPaginator(
        queryset, 3, fetch_rows=lambda ids: Case.objects.filter(pk__in=ids), count_cap=5
    )

    page = paginator.get_page("1")
    assert [c.reference for c in page] == newest_first[:3]
    assert (page.count, page.count_is_capped, page.num_pages, page.has_next()) == (5, True, None, True)
    third = paginator.get_page(3)
    assert [c.reference for c in third] == newest_first[6:]
    assert not third.has_next() and third.has_previous()

    exact = CappedPaginator(queryset, 3, fetch_rows=lambda ids: Case.objects.filter(pk__in=ids))
    assert (exact.get_page(1).count, exact.get_page(1).num_pages) == (7, 3)
    # A page past the end shows the last one.
    assert exact.get_page(99).number == 3
    # One short page: no count query at all.
    short = CappedPaginator(queryset, 50, fetch_rows=lambda ids: Case.objects.filter(pk__in=ids))
    with CaptureQueriesContext(connection) as queries:
        page = short.get_page(1)
    assert page.count == 7 and len(queries) == 2


@pytest.mark.parametrize("value,expected", [("3", 3), (None, 1), ("", 1), ("x", 1), ("-2", 1), ("0", 1)])
def test_page_numbers_that_are_none_mean_the_first_page(value, expected):
    assert page_number(value) == expected


def test_the_list_says_more_than_when_the_count_is_capped(cm, monkeypatch):
    from casework.views import cases as case_views

    monkeypatch.setattr(case_views, "CASES_COUNT_CAP", 2)
    monkeypatch.setattr(case_views, "CASES_PER_PAGE", 1)
    for n in range(4):
        _case(f"Kapp{n}")
    response = cm.get(reverse("cases:list"), {"o": "name"})
    body = response.content.decode()
    assert "mehr als 2 Fälle" in body


def test_sorting_by_name_breaks_ties_by_id(cm):
    twins = [_case("Gashi", "Arben") for _ in range(3)]
    response = cm.get(reverse("cases:list"), {"o": "name"})
    shown = [c.pk for c in response.context["cases"]]
    assert shown == sorted(c.pk for c in twins)


def test_the_list_query_count_stays_the_same_on_deep_pages(cm, django_assert_max_num_queries):
    for n in range(55):
        _case(f"Tief{n:02d}")
    with CaptureQueriesContext(connection) as first:
        cm.get(reverse("cases:list"), {"phase": "open"})
    with CaptureQueriesContext(connection) as second:
        response = cm.get(reverse("cases:list"), {"phase": "open", "page": 2})
    assert len(response.context["cases"]) == 5
    session = [q for q in second.captured_queries if "django_session" in q["sql"] or "SAVEPOINT" in q["sql"]]
    assert len(second.captured_queries) - len(session) <= len(first.captured_queries)
