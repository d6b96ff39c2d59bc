"""Imports: a clean file creates what the dry run said, a second run changes nothing, and
every kind of broken file writes nothing and names the row and the reason."""

import io

import pytest
from openpyxl import Workbook

from audit.models import AuditEntry
from casework.models import Actor, Case, Client, ContactPerson
from exchange import readers
from exchange.actors import ActorImporter
from exchange.clients import ClientImporter
from exchange.report import RowAction
from exchange.services import run_import
from tests.factories import ClientFactory, municipality

pytestmark = pytest.mark.django_db

NOT_IMPORTABLE = "Die Zeile kann nicht importiert werden."
HEADER = "externe_id;vorname;nachname;geburtsdatum;kommune;fall_eroeffnet_am"


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def counts():
    return (
        Client.objects.count(),
        Case.objects.count(),
        Actor.objects.count(),
        ContactPerson.objects.count(),
    )


def import_clients(user, data: bytes, *, filename="klienten.csv", commit=False):
    return run_import(ClientImporter(user=user), data=data, filename=filename, commit=commit)


def import_actors(district, data: bytes, *, filename="akteure.csv", commit=False, user=None):
    return run_import(
        ActorImporter(user=user, district=district), data=data, filename=filename, commit=commit
    )


def only_rejection(report):
    assert not report.file_error, report.file_error
    rejected = report.rejected
    assert len(rejected) == 1, [r.text() for r in report.rows]
    return rejected[0]


# --- clean files --------------------------------------------------------------------------


def test_clean_client_file_creates_exactly_what_the_dry_run_said(nord_coordinator, client_file):
    before = counts()
    dry = import_clients(nord_coordinator, client_file)
    assert dry.ok and not dry.committed
    assert counts() == before
    assert [(r.row, r.key, r.action) for r in dry.rows] == [
        (2, "K-1001", "create"),
        (3, "K-1002", "create"),
        (4, "K-1003", "create"),
        (5, "K-1004", "create"),
    ]

    real = import_clients(nord_coordinator, client_file, commit=True)
    assert real.committed
    assert [(r.row, r.action) for r in real.rows] == [(r.row, r.action) for r in dry.rows]
    assert Client.objects.count() == before[0] + 4
    # Three rows have an opening date, one has none.
    assert Case.objects.count() == before[1] + 3
    kovalenko = Client.objects.get(external_id="K-1002")
    assert kovalenko.municipality.name == "Billerbeck"  # matched by AGS 05558008
    assert str(kovalenko.date_of_birth) == "1979-11-02"
    assert sorted(kovalenko.legal_frameworks.values_list("code", flat=True)) == ["aufenthg", "sgb-ii"]
    case = kovalenko.cases.get()
    assert str(case.opened_on) == "2026-01-15"
    assert Client.objects.get(external_id="K-1004").last_name == "Müller"
    assert Client.objects.get(external_id="K-1004").gender == "m"
    # The services wrote the audit trail; the run itself is recorded by counts, not names.
    run_entry = AuditEntry.objects.filter(object_type="casework.client", object_id="").first()
    assert run_entry is not None and "Import" in run_entry.detail and "Haddad" not in run_entry.detail


def test_second_client_import_changes_nothing(nord_coordinator, client_file):
    import_clients(nord_coordinator, client_file, commit=True)
    before = counts()
    updated_at = list(Client.objects.order_by("pk").values_list("updated_at", flat=True))
    again = import_clients(nord_coordinator, client_file, commit=True)
    assert again.committed
    assert {r.action for r in again.rows} == {RowAction.UNCHANGED}
    assert counts() == before
    assert list(Client.objects.order_by("pk").values_list("updated_at", flat=True)) == updated_at


def test_changed_row_updates_the_client_and_names_the_field(nord_coordinator, client_file):
    import_clients(nord_coordinator, client_file, commit=True)
    changed = client_file.replace(b"14.03.1988", b"15.03.1988")
    report = import_clients(nord_coordinator, changed, commit=True)
    row = report.rows[0]
    assert row.action == RowAction.UPDATE and "Geburtsdatum" in " ".join(row.messages)
    assert str(Client.objects.get(external_id="K-1001").date_of_birth) == "1988-03-15"


def test_clean_actor_file_creates_actors_with_contact_persons_and_is_idempotent(district, actor_file):
    before = counts()
    dry = import_actors(district, actor_file)
    assert dry.ok, [r.text() for r in dry.rows]
    assert [r.action for r in dry.rows] == ["create"] * 4
    assert counts() == before

    real = import_actors(district, actor_file, commit=True)
    assert real.committed
    caritas = Actor.objects.get(district=district, external_id="A-01")
    assert sorted(caritas.contact_persons.values_list("name", flat=True)) == [
        "Sabine Beispiel",
        "Tarek Muster",
    ]
    assert sorted(caritas.municipalities.values_list("name", flat=True)) == [
        "Billerbeck",
        "Coesfeld",
        "Rosendahl",
    ]
    assert sorted(caritas.topics.values_list("name", flat=True)) == ["Aufenthalt", "Familie"]
    jobcenter = Actor.objects.get(external_id="A-02")
    assert jobcenter.municipalities.count() == 11  # „alle“
    assert jobcenter.contact_persons.count() == 0
    assert Actor.objects.count() == before[2] + 3
    assert ContactPerson.objects.count() == before[3] + 3

    again = import_actors(district, actor_file, commit=True)
    assert {r.action for r in again.rows} == {RowAction.UNCHANGED}
    assert counts() == (before[0], before[1], before[2] + 3, before[3] + 3)


def test_new_contact_person_of_a_known_actor_is_added(district, actor_file):
    import_actors(district, actor_file, commit=True)
    extra = actor_file + b"A-03;;;;;;;;;;;Paul Neu;;;\r\n"
    report = import_actors(district, extra, commit=True)
    assert report.committed
    assert [r.action for r in report.rows][-1] == RowAction.CREATE
    assert Actor.objects.get(external_id="A-03").contact_persons.count() == 2


def test_xlsx_import_works(nord_coordinator):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Externe_ID", "Vorname", "Nachname", "Geburtsdatum", "Kommune", "Staatsangehörigkeit"])
    import datetime as dt

    sheet.append(["X-1", "Lina", "Schmidt", dt.datetime(1995, 4, 1), 5558012, "DE"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_clients(nord_coordinator, buffer.getvalue(), filename="liste.xlsx", commit=True)
    assert report.committed, [r.text() for r in report.rows] or report.file_error
    client = Client.objects.get(external_id="X-1")
    assert client.municipality.name == "Coesfeld"  # AGS typed as a number lost its leading zero
    assert str(client.date_of_birth) == "1995-04-01"


def test_cp1252_file_from_german_excel_is_read_with_its_umlauts(nord_coordinator):
    data = csv_bytes(HEADER, "W-1;Jürgen;Weiß;01.01.1980;Dülmen;", encoding="cp1252")
    # Dülmen is Mitte: the importer is Nord, so use Coesfeld for the write and check the reading.
    data = data.replace("Dülmen".encode("cp1252"), b"Coesfeld")
    report = import_clients(nord_coordinator, data, commit=True)
    assert report.committed, report.file_error
    assert Client.objects.get(external_id="W-1").last_name == "Weiß"


def test_comma_delimited_file_is_read(nord_coordinator):
    data = csv_bytes(HEADER.replace(";", ","), "C-1,Ana,Silva,,Coesfeld,")
    report = import_clients(nord_coordinator, data, commit=True)
    assert report.committed and Client.objects.filter(external_id="C-1").exists()


# --- broken files: nothing written, row and reason named --------------------------------


def assert_nothing_written(user, data, *, filename="klienten.csv"):
    before = counts()
    dry = import_clients(user, data, filename=filename)
    real = import_clients(user, data, filename=filename, commit=True)
    assert not real.committed
    assert counts() == before
    assert not Client.objects.filter(external_id__startswith="OK-").exists()
    return dry, real


def test_wrong_encoding_is_refused_with_the_row(nord_coordinator):
    # Byte 0x81 is undefined in Windows-1252 and invalid in UTF-8: neither encoding fits.
    data = csv_bytes(HEADER, "OK-1;Ana;Silva;;Coesfeld;") + b"B-2;M\x81ller;X;;Coesfeld;\r\n"
    dry, real = assert_nothing_written(nord_coordinator, data)
    assert dry.file_error.startswith("Zeile 3:") and "UTF-8" in dry.file_error
    assert real.file_error == dry.file_error


def test_utf16_file_is_refused(nord_coordinator):
    data = csv_bytes(HEADER, "OK-1;Ana;Silva;;Coesfeld;", encoding="utf-16")
    dry, _real = assert_nothing_written(nord_coordinator, data)
    assert "UTF-16" in dry.file_error


def test_wrong_delimiter_is_refused(nord_coordinator):
    data = csv_bytes(HEADER.replace(";", "\t"), "OK-1\tAna\tSilva\t\tCoesfeld\t")
    dry, _real = assert_nothing_written(nord_coordinator, data)
    assert dry.file_error == readers.DELIMITER_UNKNOWN


def test_row_with_another_delimiter_is_refused_with_its_number(nord_coordinator):
    data = csv_bytes(HEADER, "OK-1;Ana;Silva;;Coesfeld;", "B-2,Ben,Berg,,Coesfeld,")
    dry, _real = assert_nothing_written(nord_coordinator, data)
    assert dry.file_error.startswith("Zeile 3: 1 Spalten statt 6")


def test_missing_column_is_refused(nord_coordinator):
    data = csv_bytes("externe_id;vorname;geburtsdatum;kommune", "OK-1;Ana;;Coesfeld")
    dry, _real = assert_nothing_written(nord_coordinator, data)
    assert dry.file_error == "Zeile 1: Es fehlen die Spalten: nachname."


def test_unknown_municipality_is_refused_with_row_and_reason(nord_coordinator):
    data = csv_bytes(HEADER, "OK-1;Ana;Silva;;Coesfeld;", "B-2;Ben;Berg;;Münster;")
    dry, real = assert_nothing_written(nord_coordinator, data)
    row = only_rejection(dry)
    assert row.row == 3 and "Kommune „Münster“ ist unbekannt" in row.messages[0]
    assert only_rejection(real).row == 3
    assert dry.rows[0].action == RowAction.CREATE  # the good row would have been created


def test_bad_date_is_refused_with_row_and_reason(nord_coordinator):
    data = csv_bytes(HEADER, "OK-1;Ana;Silva;;Coesfeld;", "B-2;Ben;Berg;31.02.1990;Coesfeld;")
    dry, _real = assert_nothing_written(nord_coordinator, data)
    row = only_rejection(dry)
    assert row.row == 3
    assert row.messages == [
        "Spalte „geburtsdatum“: „31.02.1990“ ist kein gültiges Datum (TT.MM.JJJJ oder JJJJ-MM-TT)."
    ]


def test_municipality_outside_the_importers_regions_is_refused(nord_coordinator):
    data = csv_bytes(HEADER, "OK-1;Ana;Silva;;Coesfeld;", "B-2;Ben;Berg;;Lüdinghausen;01.02.2026")
    dry, _real = assert_nothing_written(nord_coordinator, data)
    row = only_rejection(dry)
    assert row.row == 3 and "außerhalb Ihrer Teilregionen" in row.messages[0]


def test_existing_client_of_another_region_cannot_be_overwritten(nord_coordinator):
    ClientFactory(external_id="S-1", municipality=municipality("Olfen"))
    data = csv_bytes(HEADER, "S-1;Ana;Silva;;Coesfeld;")
    dry, _real = assert_nothing_written(nord_coordinator, data)
    assert only_rejection(dry).messages == [NOT_IMPORTABLE]


def test_an_external_id_outside_the_scope_reveals_nothing_about_its_person(nord_coordinator):
    """The row says only what any unusable row says: not that the id exists, not where, and
    nothing the model's checks would find in the other region's record."""
    ClientFactory(
        external_id="S-1",
        municipality=municipality("Olfen"),
        first_name="Verborgen",
        last_name="Sentinelsued",
        date_of_birth=None,
    )
    data = csv_bytes(HEADER, "S-1;Ana;Silva;;Coesfeld;01.02.2026")
    dry, _real = assert_nothing_written(nord_coordinator, data)
    row = only_rejection(dry)
    assert row.messages == [NOT_IMPORTABLE]
    assert "außerhalb" not in row.text() and "Sentinelsued" not in row.text()


def test_a_case_manager_of_another_district_is_as_unknown_as_a_name_nobody_has(nord_coordinator):
    from tests.conftest import make_staff
    from tests.factories import DistrictFactory

    foreign = make_staff("Case Management", (), district=DistrictFactory())
    messages = []
    for name in (foreign.username, "gibt-es-nicht"):
        data = csv_bytes(HEADER + ";case_manager", f"OK-1;Ana;Silva;;Coesfeld;01.02.2026;{name}")
        dry, _real = assert_nothing_written(nord_coordinator, data)
        messages.append(only_rejection(dry).messages[0].replace(name, "<name>"))
    assert messages[0] == messages[1]


def test_duplicate_external_id_in_the_file_is_refused(nord_coordinator):
    data = csv_bytes(HEADER, "OK-1;Ana;Silva;;Coesfeld;", "OK-1;Ana;Silva;;Coesfeld;")
    dry, _real = assert_nothing_written(nord_coordinator, data)
    row = only_rejection(dry)
    assert row.row == 3 and "schon in Zeile 2" in row.messages[0]


def test_birth_date_in_the_future_is_refused_by_the_models_rule(nord_coordinator):
    data = csv_bytes(HEADER, "OK-1;Ana;Silva;01.01.2099;Coesfeld;")
    dry, _real = assert_nothing_written(nord_coordinator, data)
    assert "Zukunft" in only_rejection(dry).messages[0]


def test_broken_actor_row_rejects_its_actor_and_writes_nothing(district, actor_file):
    broken = actor_file.replace(b"Dortmund", b"x") + "A-04;Neu;Schule;Münster;;;;;;;;;;;\r\n".encode()
    before = counts()
    report = import_actors(district, broken, commit=True)
    assert not report.committed and counts() == before
    row = only_rejection(report)
    assert row.row == 6 and "Münster" in row.messages[0]


def test_actor_rows_that_contradict_each_other_are_refused(district, actor_file):
    broken = actor_file.replace(b"A-01;;;;;;;;;;;Tarek", b"A-01;Anderer Name;;;;;;;;;;Tarek")
    report = import_actors(district, broken, commit=True)
    assert not report.committed
    rows = {r.row: r for r in report.rows}
    assert rows[3].action == RowAction.REJECTED and "widerspricht Zeile 2" in rows[3].messages[0]
    assert rows[2].action == RowAction.REJECTED and "Zeile 3" in rows[2].messages[0]


def test_unknown_actor_type_and_bad_postal_code_are_named(district):
    data = csv_bytes(
        "externe_id;name;art;kommunen;plz",
        "A-9;Verein;Fußballverein;Olfen;4865",
    )
    report = import_actors(district, data)
    row = only_rejection(report)
    assert "„Fußballverein“ ist keine Akteursart" in row.messages[0]
    assert row.messages[1].startswith("PLZ: Die Postleitzahl besteht aus genau 5 Ziffern")
    assert len(row.messages) == 2


def test_changed_contact_person_is_updated_not_duplicated(district, actor_file):
    import_actors(district, actor_file, commit=True)
    changed = actor_file.replace(b"02541 123458", b"02541 999999")
    report = import_actors(district, changed, commit=True)
    row = next(r for r in report.rows if r.row == 3)
    assert row.action == RowAction.UPDATE and row.messages == ["Ansprechperson geändert: Telefon."]
    person = ContactPerson.objects.get(actor__external_id="A-01", name="Tarek Muster")
    assert person.phone == "02541 999999"
    assert ContactPerson.objects.filter(actor__external_id="A-01").count() == 2


def test_empty_required_cell_is_named_once(nord_coordinator):
    data = csv_bytes(HEADER, "OK-1;;Silva;;Coesfeld;")
    dry, _real = assert_nothing_written(nord_coordinator, data)
    assert only_rejection(dry).messages == ["Spalte „vorname“ darf nicht leer sein."]


def test_case_manager_is_assigned_and_an_empty_cell_keeps_a_later_handover(nord_coordinator, case_manager):
    header = HEADER + ";case_manager"
    with_manager = csv_bytes(header, f"CM-1;Ana;Silva;;Coesfeld;01.02.2026;{case_manager.username}")
    report = import_clients(nord_coordinator, with_manager, commit=True)
    assert report.committed, [r.text() for r in report.rows]
    case = Case.objects.get(client__external_id="CM-1")
    assert case.case_manager == case_manager
    assert {r.action for r in import_clients(nord_coordinator, with_manager).rows} == {RowAction.UNCHANGED}

    without_manager = csv_bytes(header, "CM-1;Ana;Silva;;Coesfeld;01.02.2026;")
    assert {r.action for r in import_clients(nord_coordinator, without_manager, commit=True).rows} == {
        RowAction.UNCHANGED
    }
    case.refresh_from_db()
    assert case.case_manager == case_manager


def test_case_manager_of_another_region_is_refused(nord_coordinator, sued_case_manager):
    data = csv_bytes(
        HEADER + ";case_manager", f"OK-1;Ana;Silva;;Coesfeld;01.02.2026;{sued_case_manager.username}"
    )
    dry, _real = assert_nothing_written(nord_coordinator, data)
    assert "arbeitet nicht in der Teilregion Nord" in only_rejection(dry).messages[0]
