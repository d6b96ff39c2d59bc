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
- Hard limits (settings KIM_IMPORT_*, see README): file size, rows, cells per row, and for
  an XLSX its unpacked size and compression ratio, checked on the zip's directory before
  openpyxl reads anything. Rows are read one by one and reading stops at the first limit
  broken, so a hostile file costs a fraction of a second, not the whole file.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

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
TOO_MANY_ROWS = (
    "Die Datei hat mehr als %(max)d Datenzeilen (Grenze „Zeilenzahl“). Bitte teilen Sie sie auf; "
    "es wurde nichts geschrieben."
)
FILE_TOO_LARGE = (
    "Die Datei ist größer als %(max)s MB (Grenze „Dateigröße“). Bitte teilen Sie sie auf; "
    "es wurde nichts geschrieben."
)
TOO_MANY_CELLS = (
    "Zeile %(row)d hat mehr als %(max)d Zellen (Grenze „Zellen je Zeile“). Bitte entfernen Sie "
    "überzählige Spalten; es wurde nichts geschrieben."
)
UNPACKED_TOO_LARGE = (
    "Die Excel-Arbeitsmappe ist entpackt größer als %(max)s MB (Grenze „entpackte Größe“) und "
    "wird nicht gelesen. Bitte speichern Sie nur die Tabelle mit den Daten; es wurde nichts "
    "geschrieben."
)
RATIO_TOO_HIGH = (
    "Die Excel-Arbeitsmappe ist ungewöhnlich stark gepackt (mehr als %(max)d : 1, Grenze "
    "„Kompressionsrate“) und wird aus Sicherheitsgründen nicht gelesen; es wurde nichts geschrieben."
)
TIME_LIMIT = (
    "Der Import hat länger als %(max)d Sekunden gedauert (Grenze „Zeit je Auftrag“) und wurde "
    "abgebrochen; es wurde nichts geschrieben. Bitte teilen Sie die Datei auf."
)
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


class ImportLimitError(ImportFileError):
    """The file or the job breaks one of the hard limits (settings KIM_IMPORT_*)."""


def _mb(value: int) -> str:
    return f"{value / 2**20:g}".replace(".", ",")


def check_size(size: int) -> None:
    if size > settings.KIM_IMPORT_MAX_BYTES:
        raise ImportLimitError(_(FILE_TOO_LARGE) % {"max": _mb(settings.KIM_IMPORT_MAX_BYTES)})


class Deadline:
    """The time limit of one import job; `check()` raises once it has passed."""

    def __init__(self, seconds: float | None = None):
        import time

        self._clock = time.monotonic
        self.seconds = settings.KIM_IMPORT_MAX_SECONDS if seconds is None else seconds
        self.until = self._clock() + self.seconds

    def check(self) -> None:
        if self._clock() > self.until:
            raise ImportLimitError(_(TIME_LIMIT) % {"max": self.seconds})


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


def _read_csv(data: bytes) -> Iterator[list[str]]:
    text = decode(data)
    if not text.strip():
        raise ImportFileError(_(EMPTY_FILE))
    header_line = text.lstrip("\r\n").splitlines()[0]
    delimiter = _delimiter(header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFileError(_(CSV_BROKEN) % {"row": number + 1, "error": error}) from error
        number += 1
        yield cells


def check_xlsx_archive(data: bytes) -> None:
    """Refuse a zip bomb from the zip's directory alone: nothing is unpacked here."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ImportFileError(_(XLSX_BROKEN)) from error
    with archive:
        members = archive.infolist()
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    if unpacked > settings.KIM_IMPORT_MAX_UNPACKED_BYTES:
        raise ImportLimitError(_(UNPACKED_TOO_LARGE) % {"max": _mb(settings.KIM_IMPORT_MAX_UNPACKED_BYTES)})
    ratio = settings.KIM_IMPORT_MAX_COMPRESSION_RATIO
    # Small members (styles, the content types) pack well and say nothing; judge the big ones.
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > ratio * max(member.compress_size, 1):
            raise ImportLimitError(_(RATIO_TOO_HIGH) % {"max": ratio})
    if unpacked > 1024 * 1024 and unpacked > ratio * max(packed, 1):
        raise ImportLimitError(_(RATIO_TOO_HIGH) % {"max": ratio})


def _read_xlsx(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    check_xlsx_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportFileError(_(XLSX_BROKEN)) from error
    # One cell more than allowed is read, so a longer row is noticed and nothing past it.
    max_cells = settings.KIM_IMPORT_MAX_CELLS_PER_ROW + 1
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True, max_col=max_cells):
            yield [_cell_text(value) for value in row]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportFileError(_(XLSX_BROKEN)) from error
    finally:
        workbook.close()


def _limited(raw: Iterator[list[str]], check: Callable[[], None] | None) -> Iterator[tuple[int, list[str]]]:
    """The non-empty rows with their numbers, stopping at the first limit broken."""
    max_rows, max_cells = settings.KIM_IMPORT_MAX_ROWS, settings.KIM_IMPORT_MAX_CELLS_PER_ROW
    non_empty = 0
    for number, cells in enumerate(raw, start=1):
        if number % 200 == 0 and check is not None:
            check()
        if len(cells) > max_cells:
            while cells and not str(cells[-1]).strip():
                cells.pop()
            if len(cells) > max_cells:
                raise ImportLimitError(_(TOO_MANY_CELLS) % {"row": number, "max": max_cells})
        # Leading empty lines and trailing empty rows (Excel leaves them) are not data.
        if not any(c.strip() for c in cells):
            continue
        non_empty += 1
        if non_empty > max_rows + 1:  # the header and max_rows data rows
            raise ImportLimitError(_(TOO_MANY_ROWS) % {"max": max_rows})
        yield number, cells


def read_table(
    data: bytes,
    filename: str,
    *,
    required: list[str],
    known: list[str],
    check: Callable[[], None] | None = None,
) -> Table:
    """The table in `data`; raises ImportFileError for anything wrong with the file itself
    (ImportLimitError for a broken limit). `check` is called now and then while reading
    (the job's time limit)."""
    check_size(len(data))
    name = filename.lower()
    if name.endswith(".xlsx"):
        raw = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")):
        raw = _read_csv(data)
    else:
        raise ImportFileError(_(UNKNOWN_FORMAT))
    numbered = list(_limited(raw, check))
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
    return Table(columns=[c for c in columns if c in known], rows=rows)


def _unquote(value: str) -> str:
    """Undo the apostrophe our exports put before a cell that a spreadsheet would run as a formula."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        return value[1:]
    return value
