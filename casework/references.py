"""The Aktenzeichen (case reference), e.g. "COE-2026-00042": the district's code (1 to 4
capital letters, regions.models.DISTRICT_CODE_VALIDATOR), the year the case was opened and
its number within district and year, five digits. Its format, how a typed reference is read
and the same format in SQL are defined here and nowhere else."""

import re

from regions.models import District

SEQUENCE_DIGITS = 5
_CODE = r"[A-Za-z]{1,4}"

# Accepts what people type for an Aktenzeichen: "COE-2026-00042", "coe-2026-42".
REFERENCE_PATTERN = re.compile(rf"^\s*({_CODE})-(\d{{4}})-(\d{{1,{SEQUENCE_DIGITS}}})\s*$")
# A complete Aktenzeichen or its beginning ("coe-2024", "COE-2024-001"): the case list's search.
REFERENCE_START_PATTERN = re.compile(rf"^{_CODE}-\d{{4}}(-\d{{0,{SEQUENCE_DIGITS}}})?$")
COMPLETE_REFERENCE_PATTERN = re.compile(rf"^{_CODE}-\d{{4}}-\d{{{SEQUENCE_DIGITS}}}$")


def format_reference(district: District, year: int, sequence: int) -> str:
    return _format(district.code, year, sequence)


def _format(code: str, year: int | str, sequence: int) -> str:
    return f"{code}-{year}-{sequence:0{SEQUENCE_DIGITS}d}"


def normalise_reference(term: str) -> str | None:
    """The Aktenzeichen in its stored form, or None if `term` does not look like one."""
    match = REFERENCE_PATTERN.match(term or "")
    if match is None:
        return None
    code, year, sequence = match.groups()
    return _format(code.upper(), year, int(sequence))


def reference_sql(code: str, year: str, sequence: str) -> str:
    """`format_reference` as a PostgreSQL expression, from the SQL expressions of the district
    code, the year and the sequence (for data built in the database, bench/build_dataset.py)."""
    return f"{code} || '-' || {year} || '-' || lpad(({sequence})::text, {SEQUENCE_DIGITS}, '0')"
