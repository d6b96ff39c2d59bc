"""All figures for one scope and period, with the titles and definitions their readers see.

The statistics page, the exports and the printed report all show what `collect`
returns, so a figure is defined, titled and explained in exactly one place.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from . import selectors
from .periods import Period
from .scopes import Scope
from .selectors import Row, TrendPoint
from .suppression import WITHHELD, is_small, suppress, suppress_derived


def _date(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


@dataclass(frozen=True)
class KeyFigure:
    key: str
    label: str
    value: int | Decimal | None
    definition: str = ""
    # For a value derived from counted cases (an average): how many cases it is based on.
    basis: int | None = None

    @property
    def is_count(self) -> bool:
        return self.basis is None

    @property
    def is_small(self) -> bool:
        return is_small(self.basis if self.basis is not None else self.value)

    def exported(self) -> int | Decimal | str | None:
        if self.is_count:
            return suppress(self.value)
        return suppress_derived(self.value, basis=self.basis)


@dataclass(frozen=True)
class Figure:
    """A breakdown: one table and one bar chart."""

    key: str
    title: str
    definition: str
    category_header: str
    rows: list[Row]
    # Categories that overlap (a case with two legal frameworks) have no meaningful total.
    overlapping: bool = False

    @property
    def total(self) -> int | None:
        return None if self.overlapping else sum(row.count for row in self.rows)


@dataclass(frozen=True)
class Statistics:
    scope: Scope
    period: Period
    key_figures: list[KeyFigure]
    figures: list[Figure]
    trend: list[TrendPoint]

    def key_figure(self, key: str) -> KeyFigure:
        return next(figure for figure in self.key_figures if figure.key == key)

    def figure(self, key: str) -> Figure:
        return next(figure for figure in self.figures if figure.key == key)


TREND_TITLE = _("Verlauf der letzten 12 Monate")
TREND_DEFINITION = _(
    "Je Monat: neu eröffnete und abgeschlossene Fälle sowie aktive Fälle am Monatsende; "
    "die 12 Monate bis zum Ende des gewählten Zeitraums (höchstens bis zum laufenden Monat)."
)
TREND_COLUMNS = (_("Monat"), _("eröffnet"), _("abgeschlossen"), _("aktiv am Monatsende"))
KEY_FIGURES_TITLE = _("Kennzahlen")


def collect(scope: Scope, period: Period, *, today: dt.date | None = None) -> Statistics:
    """Every figure for the scope and period; with `today`, also the 12-month trend."""
    end = _date(period.end)
    # One query per group of figures over the same rows (see `selectors`).
    trend_months = period.trend_months(today=today) if today else []
    cases = selectors.case_figures(scope, period, trend_months)
    nationalities, ages = selectors.cases_by_nationality_and_age_group(scope, period)
    channels = selectors.contacts_by_channel(scope, period)
    actor_types, referral_statuses, (response_days, responded) = selectors.referral_figures_with_response(
        scope, period
    )
    closed = cases.closed
    key_figures = [
        KeyFigure(
            "opened",
            str(_("neu eröffnete Fälle")),
            cases.opened,
            str(_("Fälle mit Eröffnungsdatum im Zeitraum.")),
        ),
        KeyFigure(
            "active_at_end",
            str(_("aktive Fälle am Periodenende")),
            cases.active_at_end,
            str(
                _("Fälle, die am %(end)s eröffnet und nicht abgeschlossen waren (auch pausierte).")
                % {"end": end}
            ),
        ),
        KeyFigure(
            "closed",
            str(_("abgeschlossene Fälle")),
            closed,
            str(_("Fälle mit Abschlussdatum im Zeitraum.")),
        ),
        KeyFigure(
            "active_in_period",
            str(_("im Zeitraum betreute Fälle")),
            cases.active_in_period,
            str(_("Fälle, die an mindestens einem Tag des Zeitraums offen waren.")),
        ),
        KeyFigure(
            "contacts",
            str(_("Kontakte")),
            sum(row.count for row in channels),
            str(_("Kontakte und Beratungsgespräche mit Datum im Zeitraum.")),
        ),
        KeyFigure(
            "referrals",
            str(_("Vermittlungen")),
            sum(row.count for row in actor_types),
            str(_("Vermittlungen an Akteure des Netzwerks mit Datum im Zeitraum.")),
        ),
        KeyFigure(
            "referral_response_days",
            str(_("durchschnittliche Zeit bis zur Rückmeldung (Tage)")),
            response_days,
            str(
                _(
                    "Mittlere Dauer von der Vermittlung bis zur Rückmeldung (angenommen, abgelehnt, "
                    "abgebrochen oder abgeschlossen) der im Zeitraum vermittelten Fälle mit Rückmeldung."
                )
            ),
            basis=responded,
        ),
        KeyFigure(
            "average_duration",
            str(_("durchschnittliche Falldauer (Tage)")),
            cases.average_duration,
            str(
                _("Mittlere Dauer von der Eröffnung bis zum Abschluss der im Zeitraum abgeschlossenen Fälle.")
            ),
            basis=closed,
        ),
    ]
    figures = [
        Figure(
            "phase",
            str(_("Aktive Fälle am Periodenende nach Phase")),
            str(
                _(
                    "Fälle, die am %(end)s offen waren, nach ihrer aktuellen Phase; "
                    "„inzwischen abgeschlossen“ sind Fälle, die erst nach dem %(end)s abgeschlossen wurden."
                )
                % {"end": end}
            ),
            str(_("Phase")),
            cases.by_phase,
        ),
        Figure(
            "legal_framework",
            str(_("Betreute Fälle nach Rechtskreis")),
            str(_("Im Zeitraum betreute Fälle; ein Fall mit mehreren Rechtskreisen zählt bei jedem mit.")),
            str(_("Rechtskreis")),
            selectors.cases_by_legal_framework(scope, period),
            overlapping=True,
        ),
        Figure(
            "closure_reason",
            str(_("Abgeschlossene Fälle nach Abschlussgrund")),
            str(_("Fälle mit Abschlussdatum im Zeitraum.")),
            str(_("Abschlussgrund")),
            cases.by_closure_reason,
        ),
        Figure(
            "nationality",
            str(_("Betreute Fälle nach Staatsangehörigkeit")),
            str(_("Im Zeitraum betreute Fälle nach der Staatsangehörigkeit der Klientin bzw. des Klienten.")),
            str(_("Staatsangehörigkeit")),
            nationalities,
        ),
        Figure(
            "age",
            str(_("Betreute Fälle nach Altersgruppe")),
            str(_("Im Zeitraum betreute Fälle nach dem Alter der Klientin bzw. des Klienten am %(end)s."))
            % {"end": end},
            str(_("Altersgruppe")),
            ages,
        ),
        Figure(
            "channel",
            str(_("Kontakte nach Kontaktart")),
            str(_("Kontakte und Beratungsgespräche mit Datum im Zeitraum.")),
            str(_("Kontaktart")),
            channels,
        ),
        Figure(
            "actor_type",
            str(_("Vermittlungen nach Akteursart")),
            str(_("Vermittlungen mit Datum im Zeitraum nach der Art des Akteurs.")),
            str(_("Akteursart")),
            actor_types,
        ),
        Figure(
            "referral_status",
            str(_("Vermittlungen nach Status / Ergebnis")),
            str(_("Vermittlungen mit Datum im Zeitraum nach ihrem aktuellen Status.")),
            str(_("Status")),
            referral_statuses,
        ),
        Figure(
            "evaluation_outcome",
            str(_("Evaluationen nach Ergebnis für die Person")),
            str(_("Fälle, die im Zeitraum in die Evaluation gingen, nach dem festgehaltenen Ergebnis.")),
            str(_("Ergebnis")),
            selectors.evaluations_by_outcome(scope, period),
        ),
    ]
    return Statistics(scope, period, key_figures, figures, cases.trend)


# --- Comparison with the previous period ---------------------------------------------


@dataclass(frozen=True)
class Comparison:
    change: str
    change_percent: str


def _signed(value: Decimal | int, decimals: int) -> str:
    # number_format cuts digits off; round first (half up, as people round by hand).
    rounded = Decimal(abs(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = formats.number_format(rounded, decimal_pos=decimals, use_l10n=True)
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"−{text}"
    return text


def compare(current: KeyFigure, previous: KeyFigure) -> Comparison:
    """The change of a key figure against the previous period, suppressed like the figures.

    The change is withheld when either value is (it would give the small value away);
    the percentage when the previous value is 0 (no base to compare with).
    """
    if current.value is None or previous.value is None or current.is_small or previous.is_small:
        return Comparison(WITHHELD, WITHHELD)
    decimals = 0 if current.is_count else 1
    delta = current.value - previous.value
    percent = (
        _signed(Decimal(delta) * 100 / Decimal(previous.value), 1) + " %" if previous.value else WITHHELD
    )
    return Comparison(_signed(delta, decimals), percent)
