"""Every hard limit of an import, with a crafted file through the web page: a German message
naming the limit, quickly, no error page, nothing written, the upload deleted."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve

from casework.models import Client
from exchange import readers
from jobs.models import Job, JobStatus
from jobs.services import job_storage

from .crafted import client_csv, zip_bomb_xlsx

pytestmark = pytest.mark.django_db

URL = "/import/"


def _stored() -> set[str]:
    storage = job_storage()
    return set(storage.listdir("imports")[1]) if storage.exists("imports") else set()


def _import(client, data: bytes, name: str):
    _import.files_before = _stored()
    started = time.monotonic()
    response = client.post(URL, {"kind": "klientinnen", "file": SimpleUploadedFile(name, data)})
    assert response.status_code in (200, 302)
    page = response
    if response.status_code == 302:
        page = client.get(response["Location"])
        assert page.status_code == 200
    return page.content.decode(), time.monotonic() - started


def _nothing_written():
    assert not Client.objects.exists()
    for job in Job.objects.all():
        assert job.status == JobStatus.FAILED
        assert not job.input_file
    assert _stored() <= _import.files_before  # the upload was deleted


def test_rows_limit(client, nord_coordinator, settings):
    client.force_login(nord_coordinator)
    page, seconds = _import(client, client_csv(settings.KIM_IMPORT_MAX_ROWS + 1), "viele.csv")
    assert "mehr als 5000 Datenzeilen (Grenze „Zeilenzahl“)" in page
    assert seconds < 5
    _nothing_written()


def test_rows_limit_stops_reading_early(nord_coordinator, settings):
    """The reader stops at the first row past the limit instead of reading the whole file."""
    settings.KIM_IMPORT_MAX_ROWS = 10
    seen = []
    rows = readers._limited(iter([["a"]] * 1000), check=lambda: seen.append(1))
    with pytest.raises(readers.ImportLimitError):
        list(rows)
    assert not seen  # 12 rows read, no periodic check reached


def test_zip_bomb_unpacked_size(client, nord_coordinator):
    client.force_login(nord_coordinator)
    bomb = zip_bomb_xlsx(60)
    assert len(bomb) < 1024 * 1024
    page, seconds = _import(client, bomb, "bombe.xlsx")
    assert "Grenze „entpackte Größe“" in page
    assert seconds < 5
    _nothing_written()


def test_zip_bomb_compression_ratio(client, nord_coordinator):
    client.force_login(nord_coordinator)
    page, seconds = _import(client, zip_bomb_xlsx(20), "klein-aber-gemein.xlsx")
    assert "Grenze „Kompressionsrate“" in page
    assert seconds < 5
    _nothing_written()


def test_file_size_limit(client, nord_coordinator, settings):
    client.force_login(nord_coordinator)
    data = client_csv(10) + b"#" * (settings.KIM_IMPORT_MAX_BYTES)
    page, seconds = _import(client, data, "gross.csv")
    assert "größer als 5 MB (Grenze „Dateigröße“)" in page
    assert not Job.objects.exists()  # refused by the form, before any job
    _nothing_written()


def test_cells_per_row_limit(client, nord_coordinator, settings):
    client.force_login(nord_coordinator)
    wide = client_csv(3).replace(b"01.01.1990\r\n", b"01.01.1990" + b";x" * 60 + b"\r\n", 1)
    page, _seconds = _import(client, wide, "breit.csv")
    assert "Zeile 2 hat mehr als 50 Zellen (Grenze „Zellen je Zeile“)" in page
    _nothing_written()


def test_time_limit(client, nord_coordinator, settings):
    settings.KIM_IMPORT_MAX_SECONDS = 0
    client.force_login(nord_coordinator)
    page, _seconds = _import(client, client_csv(300), "langsam.csv")
    assert "länger als 0 Sekunden gedauert (Grenze „Zeit je Auftrag“)" in page
    _nothing_written()


def test_time_limit_in_the_real_run_writes_nothing(nord_coordinator, settings):
    """The limit strikes while the real run writes: its transaction is rolled back."""
    from exchange.clients import ClientImporter
    from exchange.services import run_import

    class Late(readers.Deadline):
        calls = 0

        def check(self):
            self.calls += 1
            if self.calls > 150:  # past the reading and planning, half way through writing
                raise readers.ImportLimitError("Zeitlimit")

    report = run_import(
        ClientImporter(user=nord_coordinator),
        data=client_csv(100),
        filename="x.csv",
        commit=True,
        deadline=Late(),
    )
    assert report.file_error == "Zeitlimit" and not report.committed
    assert not Client.objects.exists()


def test_the_command_line_uses_the_same_limits(nord_coordinator, tmp_path, settings):
    from django.core.management import CommandError, call_command

    path = tmp_path / "viele.csv"
    path.write_bytes(client_csv(settings.KIM_IMPORT_MAX_ROWS + 1))
    with pytest.raises(CommandError, match="Grenze „Zeilenzahl“"):
        call_command("import_clients", str(path), "--user", nord_coordinator.username, "--commit")
    assert not Client.objects.exists()


def test_resolves_job_page(client, nord_coordinator):
    client.force_login(nord_coordinator)
    response = client.post(URL, {"kind": "klientinnen", "file": SimpleUploadedFile("a.csv", client_csv(2))})
    assert resolve(response["Location"]).url_name == "import_job"
