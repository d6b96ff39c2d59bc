"""Reporting periods: a month, a quarter, a year or a free range of days.

A period always covers whole days, start and end included.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

MONTH = "month"
QUARTER = "quarter"
YEAR = "year"
RANGE = "range"

PERIOD_KINDS = (
    (MONTH, _("Monat")),
    (QUARTER, _("Quartal")),
    (YEAR, _("Jahr")),
    (RANGE, _("frei (von – bis)")),
)


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        return cls(MONTH, dt.date(year, month, 1), _month_end(year, month))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        first_month = 3 * (quarter - 1) + 1
        return cls(QUARTER, dt.date(year, first_month, 1), _month_end(year, first_month + 2))

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> "Period":
        return cls(RANGE, start, end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of equal length just before this one.

        A month, quarter or year compares with the calendar month, quarter or year before
        (which may differ by a day or two in length); a free range with the same number
        of days directly before it.
        """
        if self.kind == MONTH:
            before = add_months(self.start, -1)
            return Period.month(before.year, before.month)
        if self.kind == QUARTER:
            before = add_months(self.start, -3)
            return Period.quarter(before.year, (before.month - 1) // 3 + 1)
        if self.kind == YEAR:
            return Period.year(self.start.year - 1)
        end = self.start - dt.timedelta(days=1)
        return Period.between(end - dt.timedelta(days=self.days - 1), end)

    @property
    def dates_label(self) -> str:
        return f"{self.start:%d.%m.%Y} – {self.end:%d.%m.%Y}"

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return f"{MONTHS[self.start.month]} {self.start.year}"
        if self.kind == QUARTER:
            return _("%(quarter)d. Quartal %(year)d") % {
                "quarter": (self.start.month - 1) // 3 + 1,
                "year": self.start.year,
            }
        if self.kind == YEAR:
            return str(self.start.year)
        return self.dates_label

    @property
    def full_label(self) -> str:
        """The label with its dates, for headers of exports and the report."""
        if self.kind == RANGE:
            return self.label
        return f"{self.label} ({self.dates_label})"

    def trend_months(self, *, today: dt.date, count: int = 12) -> list["Period"]:
        """The `count` calendar months up to the month the period ends in, but not past today's."""
        last = min(self.end, today)
        first = add_months(last, -(count - 1))
        return [Period.month(m.year, m.month) for m in (add_months(first, i) for i in range(count))]
