"""CSV and XLSX exports: every table, scope and period named, small counts suppressed."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from reporting import exports
from reporting.figures import collect

from .conftest import Q1, Q2

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 1, 15)


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with byte order mark, for German Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def section(rows: list[list[str]], title: str) -> dict[str, str]:
    """The label → value lines of one table in the CSV, up to the next blank line."""
    start = rows.index([title])
    values = {}
    for row in rows[start + 1 :]:
        if not row:
            break
        if len(row) >= 2:
            values[row[0]] = row[1]
    return values


def test_csv_names_scope_and_period_and_suppresses_small_counts(dataset, sued):
    rows = read_csv(exports.to_csv(collect(sued, Q1, today=TODAY), today=TODAY))
    assert rows[0] == ["KIM-Statistik"]
    assert rows[1] == ["Gebiet", "Süd"]
    assert rows[2] == ["Zeitraum", "1. Quartal 2025 (01.01.2025 – 31.03.2025)"]
    assert rows[3] == ["Stand", "15.01.2026"]
    assert "„<3“" in rows[4][1]

    key = section(rows, "Kennzahlen")
    assert key["neu eröffnete Fälle"] == "5"
    assert key["abgeschlossene Fälle"] == "<3"  # 2
    assert key["aktive Fälle am Periodenende"] == "5"
    assert key["im Zeitraum betreute Fälle"] == "7"
    assert key["Kontakte"] == "6"
    assert key["Vermittlungen"] == "3"
    assert key["durchschnittliche Falldauer (Tage)"] == "–"  # an average of two cases is withheld

    phase = section(rows, "Aktive Fälle am Periodenende nach Phase")
    assert phase["Erstkontakt / Zugang"] == "<3"
    assert phase["Hilfeplanung / Zielvereinbarung"] == "0"  # zero stays 0
    assert phase["insgesamt"] == "5"
    legal = section(rows, "Betreute Fälle nach Rechtskreis")
    assert legal["SGB II"] == "3"
    assert "insgesamt" not in legal  # overlapping categories have no total
    assert section(rows, "Verlauf der letzten 12 Monate")["März 25"] == "<3"  # opened in March 2025: 2


def test_csv_of_one_table(dataset, sued):
    rows = read_csv(exports.to_csv(collect(sued, Q1), today=TODAY, only="channel"))
    assert ["Kontakte nach Kontaktart"] in rows
    assert ["Kennzahlen"] not in rows
    assert section(rows, "Kontakte nach Kontaktart")["insgesamt"] == "6"


def test_averages_over_enough_cases_are_exported_with_a_decimal_comma(dataset, sued, settings):
    settings.KIM_STATISTICS_MIN_COUNT = 2
    rows = read_csv(exports.to_csv(collect(sued, Q1), today=TODAY))
    key = section(rows, "Kennzahlen")
    assert key["durchschnittliche Falldauer (Tage)"] == "90,0"
    assert key["abgeschlossene Fälle"] == "2"


def test_the_threshold_is_a_setting(dataset, sued, settings):
    settings.KIM_STATISTICS_MIN_COUNT = 6
    rows = read_csv(exports.to_csv(collect(sued, Q1), today=TODAY))
    key = section(rows, "Kennzahlen")
    assert key["neu eröffnete Fälle"] == "<6"
    assert key["Kontakte"] == "6"
    assert "„<6“" in rows[4][1]


def test_xlsx_has_one_sheet_per_table_with_scope_period_and_suppression(dataset, sued):
    workbook = openpyxl.load_workbook(
        io.BytesIO(exports.to_xlsx(collect(sued, Q2, today=TODAY), today=TODAY))
    )
    assert workbook.sheetnames == [
        "Kennzahlen",
        "Phase",
        "Rechtskreis",
        "Abschlussgrund",
        "Staatsangehörigkeit",
        "Altersgruppe",
        "Kontaktart",
        "Akteursart",
        "Vermittlungsstatus",
        "Evaluation",
        "Verlauf 12 Monate",
    ]
    for sheet in workbook.worksheets:
        assert (sheet["A2"].value, sheet["B2"].value) == ("Gebiet", "Süd")
        assert sheet["B3"].value == "2. Quartal 2025 (01.04.2025 – 30.06.2025)"
    key = workbook["Kennzahlen"]
    assert [c.value for c in key[exports.XLSX_HEADER_ROW]][:2] == ["Kennzahl", "Wert"]
    assert (key["A8"].value, key["B8"].value) == ("neu eröffnete Fälle", "<3")  # 1: S6
    assert (key["A9"].value, key["B9"].value) == ("aktive Fälle am Periodenende", 5)
    assert key["B15"].value == "–"  # average duration of a single closed case
    phase = workbook["Phase"]
    rows = {row[0].value: row[1].value for row in phase.iter_rows(min_row=8) if row[0].value}
    assert rows == {
        "Erstkontakt / Zugang": "<3",
        "Clearing / Situationsanalyse": "<3",
        "Hilfeplanung / Zielvereinbarung": 0,
        "Umsetzung / Monitoring": "<3",
        "Evaluation / Zielüberprüfung": 0,
        "Pausiert": "<3",
        "inzwischen abgeschlossen": 0,
        "insgesamt": 5,
    }


def test_text_that_looks_like_a_formula_is_kept_as_text(dataset, sued):
    from casework.models import ClosureReason

    ClosureReason.objects.create(name="=HYPERLINK(1)")
    data = exports.to_xlsx(collect(sued, Q1), today=TODAY)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Abschlussgrund"]
    labels = [row[0].value for row in sheet.iter_rows(min_row=8)]
    assert "'=HYPERLINK(1)" in labels
    assert "'=HYPERLINK(1)" in exports.to_csv(collect(sued, Q1), today=TODAY).decode("utf-8-sig")
