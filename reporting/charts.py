"""Charts as SVG, drawn on the server: no JavaScript, no internet, fine in black and white.

Every chart carries its numbers as direct labels, uses shapes and dash patterns
rather than colour alone, and is an image with a title and a description for
screen readers (`role="img"`); the page shows the same numbers as a table beside
it. Only presentation attributes are used, never `style`, so the markup passes a
Content-Security-Policy without 'unsafe-inline'.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.dates import MONTHS_AP
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

INK = "#1b1f24"
BAR = "#0b4f8a"
GRID = "#c8ced6"
MUTED = "#4a5360"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"

MAX_LABEL_CHARS = 34


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    text: str  # what the label at the bar's end says: "12", "2 *" or "<3"
    hidden: bool = False  # suppressed: the exact value must not be drawn


def _svg_open(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="{FONT}" font-size="13" fill="{INK}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        "<defs>",
        f'<pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="{INK}" '
        'stroke-width="2"/></pattern>',
        "</defs>",
    ]


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1].rstrip() + "…"


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], *, hidden_up_to: int = 0) -> SafeString:
    """A horizontal bar chart; bars of suppressed values are hatched and drawn up to `hidden_up_to`."""
    width, label_width, value_room, row_height, bar_height, top = 640, 270, 60, 26, 16, 6
    bar_area = width - label_width - value_room
    height = top * 2 + row_height * max(len(bars), 1)
    largest = max([bar.value for bar in bars if not bar.hidden] + [hidden_up_to, 1])
    desc = _("Balkendiagramm. ") + "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    parts = _svg_open(chart_id, width, height, title, desc)
    for index, bar in enumerate(bars):
        y = top + index * row_height
        middle = y + row_height / 2
        parts.append("<g>")
        parts.append(f"<title>{escape(bar.label)}: {escape(bar.text)}</title>")
        parts.append(
            f'<text x="{label_width - 8}" y="{middle:.1f}" text-anchor="end" dominant-baseline="central">'
            f"{escape(_short(bar.label))}</text>"
        )
        shown = hidden_up_to if bar.hidden else bar.value
        length = bar_area * shown / largest if shown else 0
        if length:
            fill = f"url(#{chart_id}-hatch)" if bar.hidden else BAR
            parts.append(
                f'<rect x="{label_width}" y="{middle - bar_height / 2:.1f}" width="{length:.1f}" '
                f'height="{bar_height}" fill="{fill}" stroke="{INK}" stroke-width="1"/>'
            )
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{middle:.1f}" dominant-baseline="central" '
            f'font-weight="600">{escape(bar.text)}</text>'
        )
        parts.append("</g>")
    parts.append(
        f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{height - top}" stroke="{INK}"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))


# --- Trend ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]
    texts: Sequence[str]
    hidden: Sequence[bool]


# Told apart by line pattern and marker shape, not only by colour.
SERIES_STYLES = (
    {"stroke": INK, "dash": "", "width": 3, "marker": "circle"},
    {"stroke": BAR, "dash": "8 4", "width": 2.5, "marker": "square"},
    {"stroke": "#8a3b00", "dash": "2 3", "width": 2.5, "marker": "triangle"},
)


def _nice_step(largest: int) -> int:
    """A round step (1, 2, 5, 10, 20, ...) giving at most five grid lines up to `largest`."""
    if largest <= 5:
        return 1
    magnitude = 10 ** math.floor(math.log10(largest / 5))
    for factor in (1, 2, 5, 10):
        if largest / (factor * magnitude) <= 5:
            return factor * magnitude
    return 10 * magnitude


def _marker(shape: str, x: float, y: float, stroke: str, *, hollow: bool) -> str:
    fill = "#ffffff" if hollow else stroke
    common = f'fill="{fill}" stroke="{stroke}" stroke-width="2"'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" {common}/>'
    if shape == "triangle":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
        return f'<polygon points="{points}" {common}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" {common}/>'


def month_label(month) -> str:
    return f"{MONTHS_AP[month.month]} {month:%y}"


def trend_chart(
    chart_id: str, title: str, months: Sequence, series: Sequence[Series], *, hidden_up_to: int = 0
):
    """A line chart over months. Suppressed points sit, hollow, in a hatched band below `hidden_up_to`."""
    width, height = 720, 300
    left, right, top, bottom = 40, 150, 40, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    largest = max(
        [v for s in series for v, h in zip(s.values, s.hidden, strict=True) if not h] + [hidden_up_to, 1]
    )
    step = _nice_step(largest)
    y_max = step * math.ceil(largest / step)

    inset = 14  # keeps the first month's label clear of the y axis labels

    def x_at(index: int) -> float:
        span = plot_w - 2 * inset
        return left + inset + (span * index / (len(months) - 1) if len(months) > 1 else span / 2)

    def y_at(value: float) -> float:
        return top + plot_h - plot_h * value / y_max

    desc = _("Liniendiagramm über %(n)d Monate. ") % {"n": len(months)} + " ".join(
        f"{s.label}: "
        + ", ".join(f"{month_label(m)} {t}" for m, t in zip(months, s.texts, strict=True))
        + "."
        for s in series
    )
    parts = _svg_open(chart_id, width, height, title, desc)
    # Legend: a sample of each line with its marker.
    legend_x = left
    for s, style in zip(series, SERIES_STYLES, strict=False):
        dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
        parts.append(
            f'<line x1="{legend_x}" y1="14" x2="{legend_x + 30}" y2="14" stroke="{style["stroke"]}" '
            f'stroke-width="{style["width"]}"{dash}/>'
        )
        parts.append(_marker(style["marker"], legend_x + 15, 14, style["stroke"], hollow=False))
        parts.append(f'<text x="{legend_x + 38}" y="14" dominant-baseline="central">{escape(s.label)}</text>')
        legend_x += 46 + 7.5 * len(s.label)
    # Grid and axes.
    for value in range(0, y_max + 1, step):
        y = y_at(value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y:.1f}" text-anchor="end" dominant-baseline="central" '
            f'fill="{MUTED}">{value}</text>'
        )
    if hidden_up_to:
        band_top = y_at(hidden_up_to)
        parts.append(
            f'<rect x="{left}" y="{band_top:.1f}" width="{plot_w}" height="{y_at(0) - band_top:.1f}" '
            f'fill="url(#{chart_id}-hatch)" opacity="0.35"/>'
        )
    # The month below each point; the year below the first month and each January.
    for index, month in enumerate(months):
        x = x_at(index)
        parts.append(
            f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle" font-size="12" '
            f'fill="{MUTED}">{escape(MONTHS_AP[month.month])}</text>'
        )
        if index == 0 or month.month == 1:
            parts.append(
                f'<text x="{x:.1f}" y="{height - bottom + 34}" text-anchor="middle" font-size="12" '
                f'font-weight="600">{month.year}</text>'
            )
    parts.append(
        f'<line x1="{left}" y1="{y_at(0):.1f}" x2="{left + plot_w}" y2="{y_at(0):.1f}" stroke="{INK}"/>'
    )
    # Lines, markers and a direct label at each line's end.
    end_labels = []
    for s, style in zip(series, SERIES_STYLES, strict=False):
        points = [
            (x_at(i), y_at(hidden_up_to / 2 if hidden else value))
            for i, (value, hidden) in enumerate(zip(s.values, s.hidden, strict=True))
        ]
        dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{style["stroke"]}" '
            f'stroke-width="{style["width"]}" stroke-linejoin="round"{dash}/>'
        )
        for (x, y), hidden in zip(points, s.hidden, strict=True):
            parts.append(_marker(style["marker"], x, y, style["stroke"], hollow=hidden))
        end_labels.append([points[-1][1], f"{s.label}: {s.texts[-1]}"])
    # Keep the end labels from overlapping: at least 16 px apart, in the order of their lines.
    end_labels.sort(key=lambda item: item[0])
    for previous, current in zip(end_labels, end_labels[1:], strict=False):
        current[0] = max(current[0], previous[0] + 16)
    for y, text in end_labels:
        parts.append(
            f'<text x="{left + plot_w + 10}" y="{y:.1f}" dominant-baseline="central" font-weight="600">'
            f"{escape(text)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
