"""The case list and the network directory as files.

CSV: UTF-8 with byte order mark and semicolons, which German Excel opens as it is.
A cell that a spreadsheet would run as a formula gets an apostrophe in front (the
import removes it again, so an exported directory can be imported).
"""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from casework.selectors import CaseListRow

from . import actors as actor_import

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_safe(cell) for cell in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(title: str, header: list[str], rows: list[list]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    bold = Font(bold=True)
    header_cells = []
    for label in header:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        # Text cells only get the apostrophe when they would run as a formula; dates stay dates.
        sheet.append([_safe(cell) if isinstance(cell, str) else cell for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- The case list: the columns of the list page, nothing more -----------------------------


def case_header() -> list[str]:
    return [
        _("Aktenzeichen"),
        _("Klient/in / Haushalt"),
        _("Phase"),
        _("Kommune"),
        _("Teilregion"),
        _("Rechtskreise"),
        _("Case Manager/in"),
        _("eröffnet"),
        _("Wiedervorlage überfällig"),
    ]


def case_rows(cases: list[CaseListRow], *, dates_as_text: bool) -> list[list]:
    """The case list's rows (casework.selectors.case_list_rows, as the page shows them)."""
    return [
        [
            row.reference,
            row.subject,
            row.phase_label,
            row.municipality,
            row.region,
            row.legal_frameworks,
            row.case_manager,
            row.opened_on if dates_as_text else row.opened_on_date,
            _("ja") if row.has_overdue_follow_up else _("nein"),
        ]
        for row in cases
    ]


# --- The network directory: in the import's format, one row per contact person ------------


def actor_rows(actors, *, district_sizes: dict[int, int]) -> list[list]:
    """Rows with the import's columns (`exchange.actors.COLUMNS`), so the file can be edited
    and imported again. An actor serving every municipality of its district reads „alle“."""
    rows = []
    for actor in actors:
        municipalities = list(actor.municipalities.all())
        served = (
            "alle"
            if municipalities and len(municipalities) == district_sizes.get(actor.district_id)
            else ", ".join(m.name for m in municipalities)
        )
        base = [
            actor.external_id,
            actor.name,
            actor.actor_type.name,
            served,
            ", ".join(t.name for t in actor.topics.all()),
            actor.street,
            actor.postal_code,
            actor.city,
            actor.phone,
            actor.email,
            actor.website,
        ]
        persons = list(actor.active_contact_persons) or [None]
        for person in persons:
            if person is None:
                rows.append([*base, "", "", "", ""])
            else:
                rows.append([*base, person.name, person.role, person.phone, person.email])
    return rows


NETWORK_HEADER = actor_import.COLUMNS
