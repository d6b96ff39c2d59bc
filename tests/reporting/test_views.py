"""The statistics page, its exports and the printable report: who may see what, and how fast."""

import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import CASE_MANAGEMENT, COORDINATION, STATISTICS
from regions.models import Municipality, Region
from reporting.scopes import scope_choices
from tests.conftest import make_staff
from tests.factories import CaseFactory, ClientFactory, municipality

pytestmark = pytest.mark.django_db

PAGE = reverse("reporting:statistics")
CSV = reverse("reporting:export_csv")
XLSX = reverse("reporting:export_xlsx")
REPORT = reverse("reporting:report")
ALL_URLS = [PAGE, CSV, XLSX, REPORT]


def region_value(name: str) -> str:
    return f"region-{Region.objects.get(name=name).pk}"


def q1(scope: str) -> dict[str, str]:
    return {"scope": scope, "period": "quarter", "year": "2025", "quarter": "1"}


def logged_in(client, role, regions=("Süd",)):
    user = make_staff(role, region_names=regions)
    client.force_login(user)
    return user


# --- Access --------------------------------------------------------------------------


@pytest.mark.parametrize("url", ALL_URLS)
def test_anonymous_users_are_sent_to_the_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", ALL_URLS)
def test_case_managers_may_not_see_statistics(client, url):
    logged_in(client, CASE_MANAGEMENT)
    assert client.get(url).status_code == 403


def test_the_navigation_shows_statistik_only_to_those_who_may_see_it(client):
    logged_in(client, CASE_MANAGEMENT)
    assert "Statistik" not in client.get(reverse("dashboard")).content.decode()
    client.logout()
    logged_in(client, COORDINATION)
    page = client.get(reverse("dashboard")).content.decode()
    assert f'href="{PAGE}"' in page


def test_coordination_sees_its_regions_and_their_municipalities(client, dataset):
    logged_in(client, COORDINATION, regions=("Süd", "Mitte"))
    response = client.get(PAGE)
    assert response.status_code == 200
    choices = [value for _, group in response.context["form"].fields["scope"].choices for value, _ in group]
    assert choices[:3] == ["kreis-05558", region_value("Mitte"), region_value("Süd")]
    assert "kommune-05558024" in choices  # Lüdinghausen (Süd)
    assert "kommune-05558016" in choices  # Dülmen (Mitte)
    assert "kommune-05558012" not in choices  # Coesfeld (Nord)
    assert region_value("Nord") not in choices
    # "Kreis" means their two regions, and says so.
    assert "Kreis Coesfeld: Teilregionen Mitte, Süd" in response.content.decode()
    # Figures for the default choice, the current quarter: the open cases of Mitte and Süd.
    assert response.context["stats"].key_figure("active_at_end").value == 6  # S1, S4, S5, S6, S9, M1


def test_a_scope_is_the_list_of_its_municipalities(client, dataset):
    user = make_staff(COORDINATION, region_names=("Süd", "Mitte"))
    scopes = scope_choices(user).scopes

    def ids(*regions):
        return tuple(
            Municipality.objects.filter(region__name__in=regions).order_by("pk").values_list("pk", flat=True)
        )

    assert scopes[region_value("Süd")].municipality_ids == ids("Süd")
    assert scopes[region_value("Süd")].district_id == Region.objects.get(name="Süd").district_id
    assert scopes["kreis-05558"].municipality_ids == ids("Süd", "Mitte")
    assert scopes["kommune-05558024"].municipality_ids == (municipality("Lüdinghausen").pk,)


def test_statistik_of_nord_cannot_request_sued(client, dataset):
    logged_in(client, STATISTICS, regions=("Nord",))
    for url in ALL_URLS:
        response = client.get(url, q1(region_value("Süd")))
        assert response.status_code in (200, 400)
        assert response.context["stats"] is None
        assert "scope" in response.context["form"].errors
        assert "attachment" not in response.get("Content-Disposition", "")
    response = client.get(PAGE, q1("kommune-05558024"))  # Lüdinghausen
    assert response.context["stats"] is None


def test_statistik_of_nord_sees_nord(client, dataset):
    logged_in(client, STATISTICS, regions=("Nord",))
    response = client.get(PAGE, q1(region_value("Nord")))
    stats = response.context["stats"]
    assert stats.key_figure("opened").value == 2
    assert stats.key_figure("closed").value == 1


def test_koordination_sued_gets_the_figures_of_sued(client, dataset):
    logged_in(client, COORDINATION)
    response = client.get(PAGE, q1(region_value("Süd")))
    assert response.status_code == 200
    stats = response.context["stats"]
    assert stats.key_figure("opened").value == 5
    assert stats.key_figure("active_at_end").value == 5
    page = response.content.decode()
    assert page.count('role="img"') == 10  # the trend and nine breakdowns
    assert "Teilregion Süd" in page


def test_a_superuser_sees_the_whole_district(admin_client, dataset):
    response = admin_client.get(PAGE, q1("kreis-05558"))
    assert response.context["stats"].key_figure("opened").value == 8
    assert "Kreis Coesfeld (gesamt)" in response.content.decode()


def test_a_coordinator_with_all_regions_sees_the_whole_district(client, dataset):
    logged_in(client, COORDINATION, regions=("Nord", "Mitte", "Süd"))
    response = client.get(PAGE, q1("kreis-05558"))
    assert response.context["stats"].key_figure("opened").value == 8


def test_statistics_never_show_names(client, dataset):
    logged_in(client, COORDINATION)
    page_response = client.get(PAGE, q1(region_value("Süd")))
    report_response = client.get(REPORT, q1(region_value("Süd")))
    # Both show the figures of these very cases, so a missing name is not a missing page.
    for response in (page_response, report_response):
        assert response.status_code == 200
        assert response.context["stats"].key_figure("opened").value == 5
        assert "Teilregion Süd" in response.content.decode()
    page, report = page_response.content.decode(), report_response.content.decode()
    for case in (dataset.s1, dataset.s2, dataset.s3):
        for text in (case.client.last_name, case.reference):
            assert text not in page
            assert text not in report


# --- Input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"period": "range", "start": "2025-03-01", "end": "2025-01-01"},
        {"period": "month", "month": "13"},
        {"year": "abc"},
        {"period": "range", "start": "31.02.2025", "end": "2025-03-01"},
        {"scope": "kommune-../../etc"},
    ],
)
def test_bad_input_is_a_form_error_not_a_server_error(client, params):
    logged_in(client, COORDINATION)
    response = client.get(PAGE, params)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["stats"] is None
    assert client.get(XLSX, params).status_code == 400


def test_the_page_defaults_to_the_current_quarter(client, dataset):
    logged_in(client, COORDINATION)
    form = client.get(PAGE).context["form"]
    assert form.cleaned_data["period"] == "quarter"


def test_export_links_carry_the_choice(client, dataset):
    logged_in(client, COORDINATION)
    page = client.get(PAGE, {**q1(region_value("Süd")), "month": "7"}).content.decode()
    query = f"scope={region_value('Süd')}&amp;period=quarter&amp;year=2025&amp;quarter=1"
    assert f'href="{XLSX}?{query}"' in page
    assert f'href="{REPORT}?{query}"' in page


# --- Exports and report --------------------------------------------------------------


def test_csv_download(client, dataset):
    logged_in(client, COORDINATION)
    response = client.get(CSV, q1(region_value("Süd")))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.match(r'attachment; filename="kim-statistik_region-\d+_2025-01-01_2025-03-31.csv"',
                    response["Content-Disposition"])  # fmt: skip
    text = response.content.decode("utf-8-sig")
    assert "abgeschlossene Fälle;<3" in text
    assert "neu eröffnete Fälle;5" in text


def test_csv_of_an_unknown_table_is_not_found(client, dataset):
    logged_in(client, COORDINATION)
    assert client.get(CSV, {**q1(region_value("Süd")), "table": "names"}).status_code == 404


def test_xlsx_download(client, dataset):
    logged_in(client, COORDINATION)
    response = client.get(XLSX, q1(region_value("Süd")))
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook["Kennzahlen"]["B8"].value == 5
    assert workbook["Kennzahlen"]["B10"].value == "<3"


def test_the_report_compares_with_the_previous_quarter_and_suppresses(client, dataset):
    logged_in(client, COORDINATION)
    response = client.get(REPORT, {**q1(region_value("Süd")), "quarter": "2"})
    assert response.status_code == 200
    rows = {
        figure.key: (now, before, change) for figure, now, before, change in response.context["comparisons"]
    }
    # Q2 against Q1 in Süd.
    assert rows["active_at_end"][:2] == ("5", "5")
    assert (rows["active_at_end"][2].change, rows["active_at_end"][2].change_percent) == ("0", "0,0 %")
    assert rows["active_in_period"][2].change == "−1"  # 6 against 7
    assert rows["active_in_period"][2].change_percent == "−14,3 %"
    assert rows["opened"][:2] == ("<3", "5")
    assert rows["opened"][2].change == "–"  # would give the small value away
    assert rows["average_duration"][:2] == ("–", "–")
    page = response.content.decode()
    assert "Bericht 2. Quartal 2025" in page
    assert "1. Quartal 2025 (01.01.2025 – 31.03.2025)" in page  # the comparison period
    assert page.count('role="img"') == 10
    assert '<td class="num">1</td>' not in page  # no exact small counts in the report


def test_no_inline_styles_or_scripts(client, dataset):
    logged_in(client, COORDINATION)
    for url in (PAGE, REPORT):
        response = client.get(url, q1(region_value("Süd")))
        assert response.status_code == 200
        page = response.content.decode()
        assert 'role="img"' in page  # the charts are there, drawn without inline styles
        assert "style=" not in page
        assert "<style" not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)", page)
        assert not re.search(r"\son[a-z]+=", page)


# --- Performance ---------------------------------------------------------------------


def add_cases(count: int) -> None:
    for _ in range(count):
        CaseFactory(client=ClientFactory(municipality=municipality("Senden"), nationality="SY"))


# The statistics set and reset their own statement timeout (kim.sql.statement_timeout).
TIMEOUT_QUERIES = 2 if connection.vendor == "postgresql" else 0


def test_the_page_runs_a_fixed_number_of_queries(client, dataset, django_assert_max_num_queries):
    logged_in(client, COORDINATION)
    params = q1(region_value("Süd"))
    client.get(PAGE, params)  # warm up: session and the like
    with CaptureQueriesContext(connection) as before:
        client.get(PAGE, params)
    add_cases(15)
    # Session, user and roles (3), the scopes the user may choose (4), the figures (9: cases,
    # nationality and age, contacts, referrals with their response times, evaluations, legal
    # frameworks, three catalogues' names), and on PostgreSQL the statistics' own statement
    # timeout, set and reset (2).
    with django_assert_max_num_queries(16 + TIMEOUT_QUERIES), CaptureQueriesContext(connection) as after:
        response = client.get(PAGE, params)
    assert response.status_code == 200
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_report_runs_a_fixed_number_of_queries(client, dataset, django_assert_max_num_queries):
    logged_in(client, COORDINATION)
    params = q1(region_value("Süd"))
    add_cases(5)
    # Like the page, plus a second set of figures (9 queries) for the previous period.
    with django_assert_max_num_queries(28 + TIMEOUT_QUERIES):
        assert client.get(REPORT, params).status_code == 200
