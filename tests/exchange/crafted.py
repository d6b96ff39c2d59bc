"""Hostile and large import files, made on the fly (nothing big is kept in the repository)."""

import io
import zipfile

HEADER = "externe_id;vorname;nachname;kommune;geburtsdatum\r\n"


def client_csv(rows: int, *, prefix: str = "B") -> bytes:
    lines = [HEADER]
    for n in range(1, rows + 1):
        lines.append(f"{prefix}-{n:06d};Vorname{n};Nachname{n};Coesfeld;01.01.1990\r\n")
    return "".join(lines).encode()


_SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_END = b"</sheetData></worksheet>"


def zip_bomb_xlsx(unpacked_mb: int) -> bytes:
    """A workbook whose one sheet unpacks to `unpacked_mb` MB of nothing: what a zip bomb
    renamed to .xlsx looks like to the import (a few hundred KB on the wire)."""
    from openpyxl import Workbook

    base = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["externe_id", "vorname", "nachname", "kommune"])
    workbook.save(base)
    out = io.BytesIO()
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with target.open(item.filename, "w", force_zip64=True) as sheet:
                    sheet.write(_SHEET_START)
                    chunk = b" " * (1024 * 1024)
                    for _ in range(unpacked_mb):
                        sheet.write(chunk)
                    sheet.write(_SHEET_END)
            else:
                target.writestr(item, source.read(item.filename))
    return out.getvalue()
