import datetime as dt

import pytest

from reporting.forms import RANGE_REQUIRED, RANGE_REVERSED, RANGE_TOO_LONG, StatisticsForm
from reporting.groups import born_on_or_before_for_age
from reporting.periods import Period
from reporting.scopes import Scope, ScopeChoices

SCOPES = ScopeChoices(
    {"kreis-05558": Scope("kreis", "Kreis", 1, (1,))}, [("Kreis", [("kreis-05558", "Kreis Coesfeld")])]
)


@pytest.mark.parametrize(
    ("period", "start", "end", "label"),
    [
        (Period.month(2024, 2), dt.date(2024, 2, 1), dt.date(2024, 2, 29), "Februar 2024"),
        (Period.quarter(2025, 1), dt.date(2025, 1, 1), dt.date(2025, 3, 31), "1. Quartal 2025"),
        (Period.quarter(2025, 4), dt.date(2025, 10, 1), dt.date(2025, 12, 31), "4. Quartal 2025"),
        (Period.year(2025), dt.date(2025, 1, 1), dt.date(2025, 12, 31), "2025"),
    ],
)
def test_calendar_periods(period, start, end, label):
    assert (period.start, period.end, str(period.label)) == (start, end, label)


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        (Period.month(2025, 1), Period.month(2024, 12)),
        (Period.quarter(2025, 1), Period.quarter(2024, 4)),
        (Period.quarter(2025, 3), Period.quarter(2025, 2)),
        (Period.year(2025), Period.year(2024)),
        (
            Period.between(dt.date(2025, 3, 1), dt.date(2025, 3, 10)),
            Period.between(dt.date(2025, 2, 19), dt.date(2025, 2, 28)),
        ),
    ],
)
def test_the_previous_period_has_the_same_kind_and_length(period, previous):
    assert period.previous() == previous
    if period.kind == "range":
        assert period.previous().days == period.days


def test_the_trend_ends_with_the_period_but_not_after_this_month():
    assert Period.year(2025).trend_months(today=dt.date(2025, 5, 20))[-1] == Period.month(2025, 5)
    months = Period.year(2024).trend_months(today=dt.date(2025, 5, 20))
    assert (months[0], months[-1], len(months)) == (Period.month(2024, 1), Period.month(2024, 12), 12)


def test_age_cut_off_dates():
    assert born_on_or_before_for_age(18, dt.date(2025, 3, 31)) == dt.date(2007, 3, 31)
    # On 29 February of a leap year, someone born on 28 February of a common year has turned 18.
    assert born_on_or_before_for_age(18, dt.date(2024, 2, 29)) == dt.date(2006, 2, 28)


def form(**data) -> StatisticsForm:
    base = {"scope": "kreis-05558", "period": "quarter", "year": "2025", "quarter": "1", "month": "1"}
    return StatisticsForm({**base, **data}, choices=SCOPES)


def test_a_valid_choice_gives_scope_and_period():
    valid = form()
    assert valid.is_valid(), valid.errors
    assert valid.chosen_period == Period.quarter(2025, 1)
    assert valid.chosen_scope.label == "Kreis"


def test_a_free_range_from_date_inputs():
    valid = form(period="range", start="2025-02-03", end="2025-02-16")
    assert valid.is_valid(), valid.errors
    assert valid.chosen_period == Period.between(dt.date(2025, 2, 3), dt.date(2025, 2, 16))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"period": "range"}, "start", RANGE_REQUIRED),
        ({"period": "range", "start": "2025-03-01", "end": "2025-02-01"}, "end", RANGE_REVERSED),
        ({"period": "range", "start": "2001-01-01", "end": "2025-02-01"}, "end", RANGE_TOO_LONG),
        ({"period": "range", "start": "kaputt", "end": "2025-02-01"}, "start", None),
        ({"year": "1999"}, "year", None),
        ({"year": "zwanzig"}, "year", None),
        ({"quarter": "5"}, "quarter", None),
        ({"period": "month", "month": "13"}, "month", None),
        ({"period": "week"}, "period", None),
        ({"scope": "region-9999"}, "scope", None),
    ],
)
def test_bad_input_is_a_form_error(data, field, message):
    invalid = form(**data)
    assert not invalid.is_valid()
    assert field in invalid.errors
    if message:
        assert str(message) in invalid.errors[field]
