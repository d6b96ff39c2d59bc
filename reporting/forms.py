"""The choice of scope and period, from GET parameters so every view is bookmarkable."""

import datetime as dt

from django import forms
from django.utils.dates import MONTHS
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .periods import MONTH, PERIOD_KINDS, QUARTER, RANGE, YEAR, Period
from .scopes import Scope, ScopeChoices

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_RANGE_DAYS = 10 * 366

YEAR_REQUIRED = _("Bitte geben Sie ein Jahr an.")
MONTH_REQUIRED = _("Bitte wählen Sie einen Monat.")
QUARTER_REQUIRED = _("Bitte wählen Sie ein Quartal.")
RANGE_REQUIRED = _("Bitte geben Sie Anfang und Ende des Zeitraums an.")
RANGE_REVERSED = _("Das Ende des Zeitraums darf nicht vor seinem Anfang liegen.")
RANGE_TOO_LONG = _("Der Zeitraum darf höchstens zehn Jahre umfassen.")
RANGE_OUT_OF_BOUNDS = _("Bitte wählen Sie Daten zwischen %(first)s und %(last)s.")

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def default_data(choices: ScopeChoices, today: dt.date) -> dict[str, str]:
    """What the page shows before anything is chosen: the first scope, the current quarter."""
    return {
        "scope": choices.default or "",
        "period": QUARTER,
        "year": str(today.year),
        "quarter": str((today.month - 1) // 3 + 1),
        "month": str(today.month),
    }


class StatisticsForm(forms.Form):
    scope = forms.ChoiceField(label=_("Gebiet"))
    period = forms.ChoiceField(label=_("Zeitraum"), choices=PERIOD_KINDS, widget=forms.RadioSelect)
    year = forms.IntegerField(label=_("Jahr"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False)
    quarter = forms.TypedChoiceField(
        label=_("Quartal"),
        choices=[(q, format_lazy("{}. {}", q, _("Quartal"))) for q in range(1, 5)],
        coerce=int,
        required=False,
    )
    month = forms.TypedChoiceField(label=_("Monat"), choices=list(MONTHS.items()), coerce=int, required=False)
    start = forms.DateField(label=_("von"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=_("bis"), required=False, widget=DATE_INPUT)

    def __init__(self, data, *, choices: ScopeChoices):
        super().__init__(data)
        self.scopes = choices.scopes
        self.fields["scope"].choices = choices.grouped_choices

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("period")
        if kind in (MONTH, QUARTER, YEAR) and data.get("year") is None and "year" not in self.errors:
            self.add_error("year", YEAR_REQUIRED)
        if kind == MONTH and not data.get("month"):
            self.add_error("month", MONTH_REQUIRED)
        if kind == QUARTER and not data.get("quarter"):
            self.add_error("quarter", QUARTER_REQUIRED)
        if kind == RANGE:
            start, end = data.get("start"), data.get("end")
            if start is None or end is None:
                if "start" not in self.errors and "end" not in self.errors:
                    self.add_error("end" if start else "start", RANGE_REQUIRED)
            elif end < start:
                self.add_error("end", RANGE_REVERSED)
            elif start.year < MIN_YEAR or end.year > MAX_YEAR:
                bounds = {"first": f"01.01.{MIN_YEAR}", "last": f"31.12.{MAX_YEAR}"}
                self.add_error("start", RANGE_OUT_OF_BOUNDS % bounds)
            elif (end - start).days >= MAX_RANGE_DAYS:
                self.add_error("end", RANGE_TOO_LONG)
        return data

    @property
    def chosen_scope(self) -> Scope:
        return self.scopes[self.cleaned_data["scope"]]

    @property
    def chosen_period(self) -> Period:
        data = self.cleaned_data
        kind = data["period"]
        if kind == MONTH:
            return Period.month(data["year"], data["month"])
        if kind == QUARTER:
            return Period.quarter(data["year"], data["quarter"])
        if kind == YEAR:
            return Period.year(data["year"])
        return Period.between(data["start"], data["end"])
