"""A team lead of Süd opens the statistics for a quarter in a real browser and downloads the XLSX."""

import datetime as dt

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from accounts.roles import COORDINATION
from casework import services
from casework.lifecycle import Phase
from casework.models import Channel, ClosureReason
from tests.conftest import make_staff
from tests.factories import CaseFactory, ClientFactory, municipality

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "sicheres-Passwort-2026"


def build_cases() -> None:
    """Süd in Q3 2025: six cases opened, one of them closed; one case in Nord that must not count."""
    for day, place, nationality in [
        (1, "Lüdinghausen", "SY"),
        (2, "Lüdinghausen", "SY"),
        (3, "Senden", "UA"),
        (4, "Olfen", "DE"),
        (5, "Ascheberg", "AF"),
        (8, "Nordkirchen", "SY"),
    ]:
        client = ClientFactory(municipality=municipality(place), nationality=nationality)
        case = CaseFactory(client=client, opened_on=dt.date(2025, 7, day))
        services.contact_create(
            case=case,
            by=None,
            contacted_on=dt.date(2025, 7, day),
            channel=Channel.IN_PERSON,
            duration_minutes=60,
        )
    services.case_change_phase(
        case=case,
        to_phase=Phase.CLOSED,
        by=None,
        closed_on=dt.date(2025, 9, 30),
        closure_reason=ClosureReason.objects.get(name="Ziele erreicht"),
    )
    CaseFactory(client=ClientFactory(municipality=municipality("Coesfeld")), opened_on=dt.date(2025, 7, 1))


def test_team_lead_opens_statistics_for_sued_and_downloads_the_xlsx(
    live_server, page: Page, screenshot, tmp_path
):
    lead = make_staff(COORDINATION, region_names=("Süd",), first_name="Kira", last_name="Koordination")
    lead.set_password(PASSWORD)
    lead.save()
    build_cases()
    base = live_server.url
    csp_violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and csp_violations.append(message.text),
    )

    page.goto(base + "/")
    page.fill("input[name='username']", lead.username)
    page.fill("input[name='password']", PASSWORD)
    page.click("button[type='submit']")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.get_by_role("link", name="Statistik").click()
    expect(page.get_by_role("heading", name="Statistik", level=1)).to_be_visible()

    page.get_by_role("combobox", name="Gebiet").select_option(label="Teilregion Süd")
    page.get_by_role("radio", name="Quartal", exact=True).check()
    page.get_by_role("spinbutton", name="Jahr").fill("2025")
    page.get_by_role("combobox", name="Quartal").select_option(label="3. Quartal")
    page.get_by_role("button", name="Anzeigen").click()

    expect(page.locator(".stats-context [role=status]")).to_contain_text("Teilregion Süd")
    expect(page.locator(".stats-context [role=status]")).to_contain_text("3. Quartal 2025")
    opened = page.locator(".key-figures > div").filter(has_text="neu eröffnete Fälle")
    expect(opened.locator("dd").first).to_have_text("6")
    expect(page.locator("svg[role=img]")).to_have_count(10)
    expect(page.locator("#figure-trend svg")).to_be_visible()
    expect(page.locator("#figure-nationality svg")).to_be_visible()
    expect(page.get_by_role("img", name="Betreute Fälle nach Staatsangehörigkeit")).to_be_visible()
    screenshot("06-statistik")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel (XLSX) herunterladen").click()
    download = download_info.value
    assert download.suggested_filename.endswith("_2025-07-01_2025-09-30.xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workbook = openpyxl.load_workbook(saved)
    key_figures = workbook["Kennzahlen"]
    assert key_figures["B2"].value == "Teilregion Süd"
    assert (key_figures["A8"].value, key_figures["B8"].value) == ("neu eröffnete Fälle", 6)
    assert (key_figures["A10"].value, key_figures["B10"].value) == ("abgeschlossene Fälle", "<3")
    nationality = {row[0].value: row[1].value for row in workbook["Staatsangehörigkeit"].iter_rows(min_row=8)}
    assert nationality["Syrien"] == 3

    # The printable report for the same choice.
    page.get_by_role("link", name="Bericht zum Drucken").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bericht 3. Quartal 2025")
    expect(page.get_by_role("button", name="Drucken oder als PDF speichern")).to_be_visible()
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 800, "height": 1130})  # about A4 at 96 dpi
    expect(page.locator(".site-header")).to_be_hidden()
    screenshot("07-statistik-bericht")
    assert csp_violations == []  # the SVG charts use presentation attributes, no inline styles
