"""Figures as the page and the report show them: a chart plus the rows of its table.

On screen (`exact`), authorised staff see exact numbers and small ones are marked;
in the printed report the same suppression applies as in the exports.
"""

from dataclasses import dataclass, field

from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .charts import Bar, Series, bar_chart, month_label, trend_chart
from .figures import TREND_DEFINITION, TREND_TITLE, KeyFigure, Statistics
from .suppression import WITHHELD, is_small, min_count, suppress

SMALL_MARK = "*"


def count_text(count: int, *, exact: bool) -> str:
    if exact:
        return f"{count} {SMALL_MARK}" if is_small(count) else str(count)
    return str(suppress(count))


def key_figure_text(figure: KeyFigure, *, exact: bool) -> str:
    value = figure.value if exact else figure.exported()
    if value is None:
        return WITHHELD
    if isinstance(value, str):
        return value
    if figure.is_count:
        return count_text(value, exact=exact)
    text = formats.number_format(value, decimal_pos=1, use_l10n=True)
    return f"{text} {SMALL_MARK}" if exact and figure.is_small else text


@dataclass
class DisplayRow:
    label: str
    text: str
    small: bool
    previous_text: str = ""


@dataclass
class DisplayFigure:
    key: str
    title: str
    definition: str
    category_header: str
    rows: list[DisplayRow]
    total_text: str | None
    previous_total_text: str | None
    chart: SafeString
    overlapping: bool = False
    has_small: bool = field(default=False)


def figures_for_display(
    stats: Statistics, *, exact: bool, previous: Statistics | None = None, chart_prefix: str = "chart"
) -> list[DisplayFigure]:
    shown = []
    for figure in stats.figures:
        before = previous.figure(figure.key) if previous else None
        rows = [
            DisplayRow(
                row.label,
                count_text(row.count, exact=exact),
                is_small(row.count),
                count_text(before.rows[i].count, exact=exact) if before and i < len(before.rows) else "",
            )
            for i, row in enumerate(figure.rows)
        ]
        bars = [
            Bar(row.label, row.count, text, hidden=not exact and is_small(row.count))
            for row, text in zip(figure.rows, (r.text for r in rows), strict=True)
        ]
        chart = bar_chart(
            f"{chart_prefix}-{figure.key}", figure.title, bars, hidden_up_to=0 if exact else min_count()
        )
        total = figure.total
        shown.append(
            DisplayFigure(
                key=figure.key,
                title=figure.title,
                definition=figure.definition,
                category_header=figure.category_header,
                rows=rows,
                total_text=None if total is None else count_text(total, exact=exact),
                previous_total_text=None
                if before is None or before.total is None
                else count_text(before.total, exact=exact),
                chart=chart,
                overlapping=figure.overlapping,
                has_small=any(row.small for row in rows),
            )
        )
    return shown


@dataclass
class DisplayTrend:
    chart: SafeString
    rows: list[tuple[str, str, str, str]]
    title: str
    definition: str


def trend_for_display(stats: Statistics, *, exact: bool, chart_id: str = "chart-trend") -> DisplayTrend:
    points = stats.trend
    months = [point.month.start for point in points]

    def series(label: str, values: list[int]) -> Series:
        return Series(
            label,
            values,
            [count_text(v, exact=exact) for v in values],
            [not exact and is_small(v) for v in values],
        )

    active = series(_("aktiv"), [p.active for p in points])
    opened = series(_("eröffnet"), [p.opened for p in points])
    closed = series(_("abgeschlossen"), [p.closed for p in points])
    chart = trend_chart(
        chart_id,
        _("Fälle je Monat: aktiv am Monatsende, eröffnet und abgeschlossen"),
        months,
        [active, opened, closed],
        hidden_up_to=0 if exact else min_count(),
    )
    rows = [
        (month_label(month), o, c, a)
        for month, o, c, a in zip(months, opened.texts, closed.texts, active.texts, strict=True)
    ]
    return DisplayTrend(chart, rows, str(TREND_TITLE), str(TREND_DEFINITION))


def suppression_note() -> str:
    if min_count() <= 1:
        return _("Alle Zahlen sind exakt ausgewiesen (keine Unterdrückung kleiner Fallzahlen eingestellt).")
    return _(
        "Zahlen von 1 bis %(below)d sind als „<%(threshold)d“ ausgewiesen, damit keine Person erkennbar "
        "ist; davon abgeleitete Werte (Durchschnitt, Veränderung) erscheinen als „–“."
    ) % {"below": min_count() - 1, "threshold": min_count()}


def small_mark_note() -> str:
    return _(
        "Mit %(mark)s markierte Zahlen liegen unter %(threshold)d; in Exporten und im Bericht erscheinen "
        "sie als „<%(threshold)d“."
    ) % {"mark": SMALL_MARK, "threshold": min_count()}
