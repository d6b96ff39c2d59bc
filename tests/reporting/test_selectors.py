"""Every figure on the hand-built data set (tests/reporting/conftest.py), for Q1 and Q2 2025.

The expected values are worked out by hand from the table in conftest.py.
"""

from decimal import Decimal

import pytest

from reporting import selectors
from reporting.periods import Period

from .conftest import Q1, Q2, scope_of_municipality, scope_of_regions

pytestmark = pytest.mark.django_db


def counts(rows) -> dict[str, int]:
    return {row.label: row.count for row in rows}


# --- Key figures at the quarter boundary ---------------------------------------------


def test_cases_opened(dataset, sued):
    # S1, S2 (opened on the last day of Q1), S4, S8 (first day of Q1), S9.
    assert selectors.case_figures(sued, Q1).opened == 5
    assert selectors.case_figures(sued, Q2).opened == 1  # S6


def test_cases_closed(dataset, sued):
    assert selectors.case_figures(sued, Q1).closed == 2  # S3, S8 (closed on the last day of Q1)
    assert selectors.case_figures(sued, Q2).closed == 1  # S2, closed on the first day of Q2


def test_cases_active_at_period_end(dataset, sued):
    # S2 is still open at the end of 31.03. (closed 01.04.); S8, closed on 31.03., is not.
    assert selectors.case_figures(sued, Q1).active_at_end == 5  # S1, S2, S4, S5, S9
    assert selectors.case_figures(sued, Q2).active_at_end == 5  # S1, S4, S5, S6, S9


def test_cases_active_in_period(dataset, sued):
    assert selectors.case_figures(sued, Q1).active_in_period == 7  # S1, S2, S3, S4, S5, S8, S9
    assert selectors.case_figures(sued, Q2).active_in_period == 6  # S1, S2 (one day), S4, S5, S6, S9


def test_a_case_opened_on_the_last_day_and_closed_the_next_day_counts_once_in_each_quarter(dataset):
    lüdinghausen = scope_of_municipality("Lüdinghausen")
    one_day_before = Period.between(Q1.end, Q1.end)
    assert selectors.case_figures(lüdinghausen, one_day_before).opened == 1  # S2
    assert selectors.case_figures(lüdinghausen, one_day_before).active_at_end == 2  # S1, S2
    assert selectors.case_figures(lüdinghausen, Q1).closed == 0
    assert selectors.case_figures(lüdinghausen, Q2).closed == 1
    assert selectors.case_figures(lüdinghausen, Q2).average_duration == Decimal("1.0")


def test_average_case_duration(dataset, sued):
    # S3: 15.11.2024 to 14.02.2025 = 91 days; S8: 01.01. to 31.03.2025 = 89 days.
    assert selectors.case_figures(sued, Q1).average_duration == Decimal("90.0")
    assert selectors.case_figures(sued, Period.year(2023)).average_duration is None


def test_other_regions_and_the_whole_district(dataset):
    nord = scope_of_regions("Nord")
    assert selectors.case_figures(nord, Q1).opened == 2
    assert selectors.case_figures(nord, Q1).closed == 1
    assert selectors.case_figures(nord, Q1).active_at_end == 1
    district = scope_of_regions("Nord", "Mitte", "Süd")
    assert selectors.case_figures(district, Q1).opened == 8
    assert selectors.case_figures(district, Q1).closed == 3
    assert selectors.case_figures(district, Q1).active_at_end == 7


# --- Breakdowns ----------------------------------------------------------------------


def test_cases_by_phase_at_period_end(dataset, sued):
    assert counts(selectors.cases_by_phase(sued, Q1)) == {
        "Erstkontakt / Zugang": 1,  # S9
        "Clearing / Situationsanalyse": 1,  # S1
        "Hilfeplanung / Zielvereinbarung": 0,
        "Umsetzung / Monitoring": 1,  # S5
        "Evaluation / Zielüberprüfung": 0,
        "Pausiert": 1,  # S4
        "inzwischen abgeschlossen": 1,  # S2, open on 31.03., closed since
    }
    assert counts(selectors.cases_by_phase(sued, Q2)) == {
        "Erstkontakt / Zugang": 2,  # S6, S9
        "Clearing / Situationsanalyse": 1,
        "Hilfeplanung / Zielvereinbarung": 0,
        "Umsetzung / Monitoring": 1,
        "Evaluation / Zielüberprüfung": 0,
        "Pausiert": 1,
        "inzwischen abgeschlossen": 0,
    }


def test_cases_by_legal_framework(dataset, sued):
    assert counts(selectors.cases_by_legal_framework(sued, Q1)) == {
        "SGB II": 3,  # S1, S5, S8
        "SGB III": 0,
        "SGB VIII": 1,  # S2
        "SGB IX": 0,
        "SGB XII": 1,  # S4
        "AsylbLG": 0,  # S6 is opened in Q2
        "AufenthG": 1,  # S1
        "kein Rechtskreis": 0,
        "ohne Angabe": 2,  # S3, S9
    }
    assert counts(selectors.cases_by_legal_framework(sued, Q2))["AsylbLG"] == 1


def test_cases_by_legal_framework_reads_the_links_when_a_framework_has_no_bit(dataset, sued):
    from casework.models import LegalFramework

    from_bits = counts(selectors.cases_by_legal_framework(sued, Q1))
    LegalFramework.objects.filter(name="SGB XII").update(bit=None)
    assert counts(selectors.cases_by_legal_framework(sued, Q1)) == from_bits


def test_cases_by_closure_reason(dataset, sued):
    q1 = counts(selectors.case_figures(sued, Q1).by_closure_reason)
    assert q1["Ziele erreicht"] == 1  # S8
    assert q1["Wegzug aus dem Kreis"] == 1  # S3
    assert q1["Sonstiger Grund"] == 0  # S7 was closed in 2024
    assert sum(q1.values()) == 2
    q2 = counts(selectors.case_figures(sued, Q2).by_closure_reason)
    assert q2["Ziele erreicht"] == 1  # S2
    assert sum(q2.values()) == 1


def test_cases_by_nationality_group(dataset, sued):
    assert counts(selectors.cases_by_nationality_and_age_group(sued, Q1)[0]) == {
        "Deutschland": 1,  # S2
        "EU-Staaten (ohne Deutschland)": 1,  # S8 (PL)
        "Syrien": 1,  # S1
        "Afghanistan": 0,
        "Irak": 0,  # S7 was closed before Q1
        "Türkei": 0,  # N1 is in Nord
        "Ukraine": 1,  # S3
        "sonstige Drittstaaten": 1,  # S9 (US)
        "unbekannt": 1,  # S4
        "Haushalt / Familie": 1,  # S5
    }


def test_cases_by_age_group_at_period_end(dataset, sued):
    assert counts(selectors.cases_by_nationality_and_age_group(sued, Q1)[1]) == {
        "unter 18 Jahre": 1,  # S8, 14
        "18 bis 26 Jahre": 1,  # S2, 18 on 31.03.2025 itself
        "27 bis 44 Jahre": 1,  # S1, 34
        "45 bis 64 Jahre": 1,  # S9, 64 (65 on 01.04.)
        "65 Jahre und älter": 1,  # S3, 65
        "Geburtsdatum unbekannt": 1,  # S4
        "Haushalt / Familie": 1,  # S5
    }
    assert counts(selectors.cases_by_nationality_and_age_group(sued, Q2)[1]) == {
        "unter 18 Jahre": 0,
        "18 bis 26 Jahre": 2,  # S2, S6 (26 on 30.06.)
        "27 bis 44 Jahre": 1,  # S1
        "45 bis 64 Jahre": 0,
        "65 Jahre und älter": 1,  # S9, 65 since 01.04.
        "Geburtsdatum unbekannt": 1,
        "Haushalt / Familie": 1,
    }


def test_contacts_by_channel(dataset, sued):
    assert counts(selectors.contacts_by_channel(sued, Q1)) == {
        "persönlich": 2,  # S1 10.01., S2 31.03.
        "telefonisch": 2,  # S1 03.02. and 31.03. (S3's call was in 2024)
        "Video": 0,  # S1's video call on 01.04. is in Q2
        "E-Mail / Brief": 1,
        "Messenger": 0,
        "aufsuchend / Hausbesuch": 1,
        "Begleitung zu einer Stelle": 0,
    }
    assert sum(counts(selectors.contacts_by_channel(sued, Q2)).values()) == 1


def test_referrals_by_actor_type(dataset, sued):
    q1 = counts(selectors.referral_figures(sued, Q1)[0])
    assert q1["Jobcenter"] == 1
    assert q1["Beratungsstelle"] == 2
    assert sum(q1.values()) == 3  # N1's referral is in Nord
    assert counts(selectors.referral_figures(sued, Q2)[0])["Jobcenter"] == 1


def test_referrals_by_status(dataset, sued):
    assert counts(selectors.referral_figures(sued, Q1)[1]) == {
        "geplant": 0,  # S5's planned referral is in Q2
        "vermittelt": 1,
        "angenommen / wahrgenommen": 1,
        "abgelehnt": 1,
        "abgebrochen": 0,
        "abgeschlossen": 0,
    }


def test_a_municipality_counts_only_its_own_cases(dataset):
    lüdinghausen = scope_of_municipality("Lüdinghausen")
    assert selectors.case_figures(lüdinghausen, Q1).opened == 2  # S1, S2
    assert counts(selectors.contacts_by_channel(lüdinghausen, Q1))["persönlich"] == 2
    assert counts(selectors.cases_by_nationality_and_age_group(lüdinghausen, Q1)[0])["Ukraine"] == 0


# --- Trend ---------------------------------------------------------------------------


def test_case_trend_over_twelve_months(dataset, sued):
    import datetime as dt

    months = Q1.trend_months(today=dt.date(2026, 1, 1))
    assert [m.start for m in (months[0], months[-1])] == [dt.date(2024, 4, 1), dt.date(2025, 3, 1)]
    trend = selectors.case_figures(sued, months[-1], months).trend
    assert [p.opened for p in trend] == [0, 0, 1, 0, 0, 0, 0, 1, 0, 2, 1, 2]
    assert [p.closed for p in trend] == [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1]
    assert [p.active for p in trend] == [1, 1, 2, 2, 2, 2, 2, 3, 2, 4, 4, 5]


def test_the_figures_of_one_query_do_not_depend_on_the_trend_asked_with_them(dataset, sued):
    # case_figures reads only the cases open between the earliest and the latest day asked
    # for; with or without a trend reaching further back, the period's figures are the same.
    import datetime as dt

    months = Q2.trend_months(today=dt.date(2026, 1, 1))
    alone = selectors.case_figures(sued, Q2)
    with_trend = selectors.case_figures(sued, Q2, months)
    assert (alone.opened, alone.closed, alone.active_at_end, alone.active_in_period) == (1, 1, 5, 6)
    assert with_trend.opened == alone.opened
    assert with_trend.closed == alone.closed
    assert with_trend.active_at_end == alone.active_at_end
    assert with_trend.active_in_period == alone.active_in_period
    assert with_trend.average_duration == alone.average_duration
    assert with_trend.by_phase == alone.by_phase
    assert with_trend.by_closure_reason == alone.by_closure_reason
    assert with_trend.trend[-4:] == selectors.case_figures(sued, months[-1], months).trend[-4:]
    assert [p.opened for p in with_trend.trend[-3:]] == [1, 0, 0]  # S6 in April


def test_referral_and_people_figures_come_in_pairs(dataset, sued):
    by_type, by_status = selectors.referral_figures(sued, Q1)
    assert sum(row.count for row in by_type) == sum(row.count for row in by_status) == 3
    nationalities, ages = selectors.cases_by_nationality_and_age_group(sued, Q1)
    assert sum(row.count for row in nationalities) == sum(row.count for row in ages) == 7


def test_a_scope_without_municipalities_counts_nothing(dataset, sued):
    from reporting.figures import collect
    from reporting.scopes import Scope

    empty = Scope("region", "leer", sued.district_id, ())
    stats = collect(empty, Q1, today=Q2.end)
    assert all(not figure.value for figure in stats.key_figures)
    assert all(row.count == 0 for figure in stats.figures for row in figure.rows)
    assert all(point.active == 0 for point in stats.trend)


def test_contacts_and_referrals_are_the_same_through_the_join_used_off_postgresql(dataset, sued, monkeypatch):
    on_postgresql = (selectors.contacts_by_channel(sued, Q1), selectors.referral_figures(sued, Q1))
    monkeypatch.setattr(selectors, "_has_arrays", lambda: False)
    assert (selectors.contacts_by_channel(sued, Q1), selectors.referral_figures(sued, Q1)) == on_postgresql
