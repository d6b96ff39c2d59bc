"""Reading an uploaded table (CSV or XLSX) into numbered rows of text.

Everything that can be wrong with the file as a whole (encoding, delimiter, columns)
is found here and raised as `ImportFileError`, with the row number where it showed;
nothing about the content of a row is decided here.

Decisions:
- Encoding: UTF-8 (with or without byte order mark) first. A file that is not UTF-8
  is read as Windows-1252, the encoding German Excel uses for „CSV (Trennzeichen-
  getrennt)“, but only if every byte is defined there and no control characters
  appear. Anything else (UTF-16 „Unicode-Text“, binary files) is refused.
- Delimiter: the header line decides (";" or ","), as csv.Sniffer would between the
  two, but deterministic: column names never contain either character, so whichever
  of them the header contains is the delimiter. A header with neither is refused.
- Row numbers are those a spreadsheet shows: the header is row 1.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_ROWS = 5000

ENCODING_UTF16 = (
    "Die Datei ist als UTF-16 („Unicode-Text“) gespeichert. Bitte speichern Sie sie als "
    "„CSV UTF-8 (durch Trennzeichen getrennt)“ oder als Excel-Arbeitsmappe (.xlsx)."
)
ENCODING_UNKNOWN = (
    "Zeile %(row)d: Die Datei ist weder UTF-8 noch Windows-1252 kodiert (Byte %(byte)s). "
    "Bitte speichern Sie sie als „CSV UTF-8 (durch Trennzeichen getrennt)“."
)
DELIMITER_UNKNOWN = (
    "Zeile 1: Trennzeichen nicht erkannt. Die Spalten müssen durch Semikolon (;) oder Komma (,) "
    "getrennt sein."
)
EMPTY_FILE = "Die Datei ist leer."
NO_DATA_ROWS = "Die Datei enthält nur die Kopfzeile und keine Daten."
TOO_MANY_ROWS = "Die Datei hat mehr als %(max)d Datenzeilen. Bitte teilen Sie sie auf."
MISSING_COLUMNS = "Zeile 1: Es fehlen die Spalten: %(columns)s."
DUPLICATE_COLUMNS = "Zeile 1: Die Spalte „%(column)s“ kommt mehrfach vor."
WRONG_FIELD_COUNT = (
    "Zeile %(row)d: %(found)d Spalten statt %(expected)d. Prüfen Sie das Trennzeichen und "
    "Anführungszeichen in dieser Zeile."
)
CSV_BROKEN = "Zeile %(row)d: Die Zeile ist kein gültiges CSV (%(error)s)."
XLSX_BROKEN = "Die Datei ist keine lesbare Excel-Arbeitsmappe (.xlsx)."
UNKNOWN_FORMAT = "Bitte laden Sie eine CSV-Datei (.csv) oder eine Excel-Arbeitsmappe (.xlsx) hoch."

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", " ": "_", "-": "_"})
# Control characters that never occur in a text table; their presence means a wrong decoding.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing of it is imported."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[Row]


def normalise_column(name: str) -> str:
    """„Staatsangehörigkeit“, „ Externe-ID“ → staatsangehoerigkeit, externe_id."""
    return name.replace("\ufeff", "").strip().lower().translate(_FOLD)


def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:200]:
        raise ImportFileError(_(ENCODING_UTF16))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = None
        if text is None or _CONTROL.search(text):
            row = data[: utf8_error.start].count(b"\n") + 1
            byte = f"0x{data[utf8_error.start]:02X}"
            raise ImportFileError(_(ENCODING_UNKNOWN) % {"row": row, "byte": byte}) from utf8_error
        return text


def _delimiter(header_line: str) -> str:
    semicolons, commas = header_line.count(";"), header_line.count(",")
    if not semicolons and not commas:
        raise ImportFileError(_(DELIMITER_UNKNOWN))
    return ";" if semicolons >= commas else ","


def _cell_text(value) -> str:
    """A cell as text: dates as ISO, whole numbers without „.0“ (Excel stores PLZ as numbers)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(data: bytes) -> list[list[str]]:
    text = decode(data)
    if not text.strip():
        raise ImportFileError(_(EMPTY_FILE))
    header_line = text.lstrip("\r\n").splitlines()[0]
    delimiter = _delimiter(header_line)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ImportFileError(_(CSV_BROKEN) % {"row": 0, "error": error}) from error


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportFileError(_(XLSX_BROKEN)) from error
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_table(data: bytes, filename: str, *, required: list[str], known: list[str]) -> Table:
    """The table in `data`; raises ImportFileError for anything wrong with the file itself."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        raw = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")):
        raw = _read_csv(data)
    else:
        raise ImportFileError(_(UNKNOWN_FORMAT))
    # Leading empty lines and trailing empty rows (Excel leaves them) are not data.
    numbered = [(number, cells) for number, cells in enumerate(raw, start=1)]
    numbered = [(n, cells) for n, cells in numbered if any(c.strip() for c in cells)]
    if not numbered:
        raise ImportFileError(_(EMPTY_FILE))
    _header_number, header = numbered[0]
    columns = [normalise_column(c) for c in header]
    while columns and not columns[-1]:
        columns.pop()
    if len(columns) == 1 and not set(required) <= set(columns):
        # One column and not what we need: the file used another delimiter (tab, |).
        raise ImportFileError(_(DELIMITER_UNKNOWN))
    for column in columns:
        if column and columns.count(column) > 1:
            raise ImportFileError(_(DUPLICATE_COLUMNS) % {"column": column})
    missing = [c for c in required if c not in columns]
    if missing:
        raise ImportFileError(_(MISSING_COLUMNS) % {"columns": ", ".join(missing)})
    rows = []
    for number, cells in numbered[1:]:
        cells = list(cells)
        while len(cells) > len(columns) and not cells[-1].strip():
            cells.pop()
        # Too many cells, or a single one where several are expected: another delimiter.
        if len(cells) > len(columns) or (len(cells) == 1 and len(columns) > 1):
            raise ImportFileError(
                _(WRONG_FIELD_COUNT) % {"row": number, "found": len(cells), "expected": len(columns)}
            )
        cells += [""] * (len(columns) - len(cells))
        values = {
            column: _unquote(cell.strip())
            for column, cell in zip(columns, cells, strict=True)
            if column in known
        }
        rows.append(Row(number=number, values=values))
    if not rows:
        raise ImportFileError(_(NO_DATA_ROWS))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_(TOO_MANY_ROWS) % {"max": MAX_ROWS})
    return Table(columns=[c for c in columns if c in known], rows=rows)


def _unquote(value: str) -> str:
    """Undo the apostrophe our exports put before a cell that a spreadsheet would run as a formula."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        return value[1:]
    return value
