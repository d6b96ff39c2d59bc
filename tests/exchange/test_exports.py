import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import Action, AuditEntry
from tests.factories import ActorFactory, CaseFactory, ClientFactory, ContactPersonFactory, municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(db):
    nord = CaseFactory(client=ClientFactory(last_name="Nordmann", municipality=municipality("Coesfeld")))
    nord_closed_filter = CaseFactory(
        client=ClientFactory(last_name="Billermann", municipality=municipality("Billerbeck"))
    )
    sued = CaseFactory(client=ClientFactory(last_name="Südmann", municipality=municipality("Olfen")))
    return nord, nord_closed_filter, sued


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_case_csv_respects_visibility(client, coordinator, cases):
    client.force_login(coordinator)
    response = client.get(reverse("exchange:case_export_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0][0] == "Aktenzeichen"
    names = {row[1] for row in rows[1:]}
    assert any("Nordmann" in n for n in names) and any("Billermann" in n for n in names)
    assert not any("Südmann" in n for n in names)  # a Süd case never reaches a Nord user


def test_case_csv_respects_the_list_filters(client, coordinator, cases):
    client.force_login(coordinator)
    response = client.get(
        reverse("exchange:case_export_csv"), {"municipality": municipality("Billerbeck").pk}
    )
    rows = read_csv(response)
    assert len(rows) == 2 and "Billermann" in rows[1][1]
    entry = AuditEntry.objects.filter(action=Action.EXPORT, object_type="casework.case").latest("at")
    assert "municipality" in entry.detail and "Billermann" not in entry.detail and "1 Fälle" in entry.detail


def test_case_xlsx_opens_with_openpyxl(client, coordinator, cases):
    client.force_login(coordinator)
    response = client.get(reverse("exchange:case_export_xlsx"), {"q": "Nordmann"})
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "Aktenzeichen"
    assert len(rows) == 2 and "Nordmann" in rows[1][1] and rows[1][0] == cases[0].reference
    assert rows[1][7].date() == cases[0].opened_on


def test_statistik_may_not_export_cases(client, cases):
    from accounts.roles import STATISTICS
    from tests.conftest import make_staff

    client.force_login(make_staff(STATISTICS))
    assert client.get(reverse("exchange:case_export_csv")).status_code == 403


def test_network_csv_is_in_the_import_format_and_can_be_imported_again(client, coordinator, district):
    actor = ActorFactory(name="=Formel e.V.", external_id="N-1", phone="+49 2541 1")
    actor.municipalities.set([municipality("Coesfeld")])
    ContactPersonFactory(actor=actor, name="Erika Muster")
    client.force_login(coordinator)
    response = client.get(reverse("exchange:network_export"))
    rows = read_csv(response)
    assert rows[0][:4] == ["externe_id", "name", "art", "kommunen"]
    row = next(r for r in rows if r[0] == "N-1")
    assert row[1] == "'=Formel e.V." and row[3] == "Coesfeld" and row[11] == "Erika Muster"
    assert AuditEntry.objects.filter(action=Action.EXPORT, object_type="casework.actor").exists()

    from exchange.actors import ActorImporter
    from exchange.services import run_import

    report = run_import(ActorImporter(user=None, district=district), data=response.content, filename="n.csv")
    assert report.ok, [r.text() for r in report.rows]
    assert {r.action for r in report.rows if r.key == "N-1"} == {"unchanged"}


def test_the_export_writes_the_rows_the_list_page_shows(client, coordinator, cases):
    import datetime as dt

    from django.utils import timezone

    from casework import selectors
    from casework.models import FollowUp, LegalFramework

    nord, billerbeck, _sued = cases
    nord.legal_frameworks.set(LegalFramework.objects.order_by("pk")[:2])
    FollowUp.objects.create(case=nord, title="Termin", due_on=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(coordinator)
    exported = read_csv(client.get(reverse("exchange:case_export_csv"), {"o": "reference"}))[1:]
    page = client.get(reverse("cases:list"), {"o": "reference"})
    shown = [
        [
            row.reference,
            row.subject,
            row.phase_label,
            row.municipality,
            row.region,
            row.legal_frameworks,
            row.case_manager,
            row.opened_on,
            "ja" if row.has_overdue_follow_up else "nein",
        ]
        for row in page.context["cases"]
    ]
    assert exported == shown
    by_reference = {row[0]: row for row in exported}
    assert by_reference[nord.reference][8] == "ja" and by_reference[billerbeck.reference][8] == "nein"
    assert by_reference[nord.reference][5] == selectors.case_list_rows([nord.pk])[0].legal_frameworks != ""
