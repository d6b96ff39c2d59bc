"""Statistics as files: CSV for German Excel and XLSX with one sheet per figure.

Everything exported is suppressed (see `suppression.py`): counts from 1 up to the
threshold appear as "<N", averages over so few cases as "–".
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from .charts import month_label
from .display import suppression_note
from .figures import KEY_FIGURES_TITLE, TREND_COLUMNS, TREND_DEFINITION, TREND_TITLE, Statistics
from .suppression import suppress

Cell = str | int | Decimal | None

# Sheet names: at most 31 characters, unique, none of []:*?/\ (Excel's rules).
SHEET_NAMES = {
    "key_figures": "Kennzahlen",
    "phase": "Phase",
    "legal_framework": "Rechtskreis",
    "closure_reason": "Abschlussgrund",
    "nationality": "Staatsangehörigkeit",
    "age": "Altersgruppe",
    "channel": "Kontaktart",
    "actor_type": "Akteursart",
    "referral_status": "Vermittlungsstatus",
    "evaluation_outcome": "Evaluation",
    "trend": "Verlauf 12 Monate",
}
# Where the XLSX sheets put their data: metadata above, column headers in this row.
XLSX_HEADER_ROW = 7


@dataclass(frozen=True)
class ExportTable:
    key: str
    title: str
    definition: str
    header: list[str]
    rows: list[list[Cell]]


def export_tables(stats: Statistics) -> list[ExportTable]:
    """Every table of the statistics, suppressed, in the order of the page."""
    total_label = _("insgesamt")
    tables = [
        ExportTable(
            "key_figures",
            str(KEY_FIGURES_TITLE),
            "",
            [_("Kennzahl"), _("Wert"), _("Definition")],
            [[figure.label, figure.exported(), figure.definition] for figure in stats.key_figures],
        )
    ]
    for figure in stats.figures:
        rows: list[list[Cell]] = [[row.label, suppress(row.count)] for row in figure.rows]
        if figure.total is not None:
            rows.append([total_label, suppress(figure.total)])
        tables.append(
            ExportTable(
                figure.key, figure.title, figure.definition, [figure.category_header, _("Anzahl")], rows
            )
        )
    if stats.trend:
        tables.append(
            ExportTable(
                "trend",
                str(TREND_TITLE),
                str(TREND_DEFINITION),
                [str(column) for column in TREND_COLUMNS],
                [
                    [month_label(p.month.start), suppress(p.opened), suppress(p.closed), suppress(p.active)]
                    for p in stats.trend
                ],
            )
        )
    return tables


def _metadata(stats: Statistics, today: dt.date) -> list[tuple[str, str]]:
    return [
        (_("Gebiet"), str(stats.scope.label)),
        (_("Zeitraum"), stats.period.full_label),
        (_("Stand"), f"{today:%d.%m.%Y}"),
        (_("Hinweis"), suppression_note()),
    ]


def _text(value: str) -> str:
    # A cell starting with one of these would run as a formula in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return formats.number_format(value, decimal_pos=1, use_l10n=True)
    if isinstance(value, int):
        return str(value)
    return _text(str(value))


def to_csv(stats: Statistics, *, today: dt.date, only: str | None = None) -> bytes:
    """One CSV with all tables one after another (or only the table `only`).

    UTF-8 with byte order mark and semicolons, which German Excel opens as it is.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("KIM-Statistik")])
    for label, value in _metadata(stats, today):
        writer.writerow([label, _text(value)])
    for table in export_tables(stats):
        if only and table.key != only:
            continue
        writer.writerow([])
        writer.writerow([_text(table.title)])
        if table.definition:
            writer.writerow([_text(table.definition)])
        writer.writerow([_text(h) for h in table.header])
        for row in table.rows:
            writer.writerow([_csv_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
HEADER_FILL = PatternFill("solid", fgColor="E9EEF4")
RIGHT = Alignment(horizontal="right")
WRAP = Alignment(wrap_text=True, vertical="top")


def to_xlsx(stats: Statistics, *, today: dt.date) -> bytes:
    """A workbook with one sheet per table; each names its scope and period above the data.

    Layout of every sheet: A1 the title, rows 2 to 5 scope, period, date and the
    suppression note, row 6 the definition, row 7 the column headers, data from row 8.
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = _("KIM-Statistik")
    workbook.properties.creator = "KIM"
    metadata = _metadata(stats, today)
    for table in export_tables(stats):
        sheet = workbook.create_sheet(SHEET_NAMES[table.key])
        sheet.append([_text(table.title)])
        sheet["A1"].font = TITLE
        for label, value in metadata:
            sheet.append([label, _text(value)])
            sheet.cell(row=sheet.max_row, column=1).font = BOLD
        sheet.append([_("Definition"), _text(table.definition)] if table.definition else [])
        sheet.append([_text(h) for h in table.header])
        for cell in sheet[XLSX_HEADER_ROW]:
            cell.font, cell.fill = BOLD, HEADER_FILL
        for row in table.rows:
            sheet.append([_text(c) if isinstance(c, str) else c for c in row])
            for cell in sheet[sheet.max_row][1:]:
                if isinstance(cell.value, str):
                    cell.alignment = RIGHT  # "<3" and "–" line up with the numbers
                elif isinstance(cell.value, Decimal):
                    cell.number_format = "0.0"
        sheet.column_dimensions["A"].width = 48
        for column in "BCD":
            sheet.column_dimensions[column].width = 18
        if table.key == "key_figures":
            sheet.column_dimensions["C"].width = 80
            for row in sheet.iter_rows(min_row=XLSX_HEADER_ROW + 1, min_col=3, max_col=3):
                row[0].alignment = WRAP
        sheet.freeze_panes = sheet.cell(row=XLSX_HEADER_ROW + 1, column=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
