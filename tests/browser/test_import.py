"""Koordination imports a client list in a real browser: dry run first, then the import."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.roles import COORDINATION
from casework.models import Client
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "sicheres-Passwort-2026"
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "import" / "klientinnen-beispiel.csv"


def test_coordination_imports_clients_after_a_dry_run(live_server, page: Page, screenshot):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    user = make_staff(COORDINATION, region_names=("Nord",), first_name="Konrad", last_name="Koordinator")
    user.set_password(PASSWORD)
    user.save()
    page.goto(f"{live_server.url}/anmelden/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    page.get_by_role("link", name="Daten importieren").click()
    page.get_by_label("Klient/innen mit Fällen").check()
    page.set_input_files("input[type=file]", str(EXAMPLE))
    page.get_by_role("button", name="Probelauf starten").click()
    expect(page.get_by_role("heading", name="Probelauf")).to_be_visible()
    expect(page.get_by_text("4 neu, 0 geändert, 0 unverändert, 0 abgelehnt")).to_be_visible()
    screenshot("09-import-probelauf")
    assert not Client.objects.filter(external_id__startswith="K-").exists()

    page.get_by_role("button", name="Jetzt importieren").click()
    expect(page.get_by_text("Import abgeschlossen")).to_be_visible()
    assert Client.objects.filter(external_id__startswith="K-").count() == 4
    assert not violations
