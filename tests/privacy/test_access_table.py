"""docs/datenschutz.md shows the role × scope table and the data inventory as the code has
them: regenerate with `manage.py access_table` when this fails."""

from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from privacy.access_table import END, INVENTORY_END, INVENTORY_START, START, access_table, inventory_table

DOC = Path(settings.BASE_DIR) / "docs" / "datenschutz.md"


def _between(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0].strip()


def test_the_page_shows_the_access_rules_of_the_code():
    assert _between(DOC.read_text(encoding="utf-8"), START, END) == access_table()


def test_the_page_shows_the_data_inventory_of_the_code():
    assert _between(DOC.read_text(encoding="utf-8"), INVENTORY_START, INVENTORY_END) == inventory_table()


def test_the_table_follows_the_rules():
    rows = {line.split(" | ")[0].lstrip("| "): line for line in access_table().splitlines()}
    # Statistik never reads cases; only privileged accounts need the second factor.
    assert rows["Fälle und Klient/innen lesen"].endswith("| ja | ja | – | – | ja |")
    assert rows["Zweiter Faktor (TOTP) nötig"].endswith("| – | – | – | ja | ja |")


def test_the_command_prints_both_tables():
    out = StringIO()
    call_command("access_table", stdout=out)
    assert access_table() in out.getvalue() and inventory_table() in out.getvalue()
