import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse

from casework.models import Client
from jobs.models import Job, JobKind, JobStatus
from jobs.services import job_storage

pytestmark = pytest.mark.django_db

URL = "/import/"


def upload(client, data: bytes, *, kind="klientinnen", name="klienten.csv"):
    return client.post(URL, {"step": "upload", "kind": kind, "file": SimpleUploadedFile(name, data)})


def test_url_is_import():
    assert reverse("exchange:import") == URL


def test_case_manager_gets_403(client, case_manager):
    client.force_login(case_manager)
    assert client.get(URL).status_code == 403


def test_nav_shows_import_for_coordination_only(client, coordinator, case_manager):
    client.force_login(coordinator)
    assert "Daten importieren" in client.get("/").content.decode()
    client.force_login(case_manager)
    assert "Daten importieren" not in client.get("/").content.decode()


def _job(response) -> Job:
    """The job the upload started (its page is where the upload redirects to)."""
    assert response.status_code == 302, response.content.decode()[:500]
    match = resolve(response["Location"])
    assert match.url_name == "import_job"
    return Job.objects.get(pk=match.kwargs["pk"])


def test_upload_dry_run_then_commit(client, nord_coordinator, client_file):
    client.force_login(nord_coordinator)
    response = upload(client, client_file)
    job = _job(response)
    assert job.status == JobStatus.DONE  # no broker in these tests: the job ran in the request
    page = client.get(response["Location"]).content.decode()
    assert "Probelauf" in page and "Jetzt importieren" in page and "K-1003" in page
    assert not Client.objects.filter(external_id="K-1001").exists()
    stored = job.input_file
    assert job_storage().exists(stored)

    response = client.post(response["Location"], {"step": "commit"})
    real_run = _job(response)
    assert real_run.kind == JobKind.IMPORT and real_run.status == JobStatus.DONE
    assert "Import abgeschlossen" in client.get(response["Location"]).content.decode()
    assert Client.objects.filter(external_id__startswith="K-").count() == 4
    assert not job_storage().exists(stored)  # deleted after use

    # The dry run's button again: it leads to the run that happened, nothing happens twice.
    response = client.post(reverse("exchange:import_job", args=[job.pk]), {"step": "commit"})
    assert response["Location"] == reverse("exchange:import_job", args=[real_run.pk])
    assert Job.objects.filter(kind=JobKind.IMPORT).count() == 1


def test_rejected_rows_offer_no_import_button(client, nord_coordinator):
    client.force_login(nord_coordinator)
    data = b"externe_id;vorname;nachname;kommune\r\nK-1;A;B;Atlantis\r\n"
    response = upload(client, data)
    job = _job(response)
    page = client.get(response["Location"]).content.decode()
    assert "Atlantis" in page and "abgelehnt" in page and "Jetzt importieren" not in page
    job.refresh_from_db()
    assert not job.input_file  # refused: the file is deleted at once
    assert client.post(response["Location"], {"step": "commit"}).status_code == 302
    assert not Job.objects.filter(kind=JobKind.IMPORT).exists()


def test_cancel_deletes_the_file(client, nord_coordinator, client_file):
    client.force_login(nord_coordinator)
    response = upload(client, client_file)
    stored = _job(response).input_file
    client.post(response["Location"], {"step": "cancel"})
    assert not job_storage().exists(stored)
    assert not Client.objects.filter(external_id__startswith="K-").exists()


def test_another_users_job_is_not_found(client, nord_coordinator, coordinator, client_file):
    client.force_login(nord_coordinator)
    response = upload(client, client_file)
    client.force_login(coordinator)
    assert client.post(response["Location"], {"step": "commit"}).status_code == 404
    assert client.get(response["Location"]).status_code == 404
    job = _job(response)
    assert client.get(reverse("jobs:status", args=[job.pk])).status_code == 404
    assert not Client.objects.filter(external_id__startswith="K-").exists()
    # The job's owner does import it: it was the user that was refused, not the job.
    client.force_login(nord_coordinator)
    client.post(response["Location"], {"step": "commit"})
    assert Client.objects.filter(external_id__startswith="K-").exists()


def test_actor_upload_uses_the_users_district(client, nord_coordinator, actor_file):
    client.force_login(nord_coordinator)
    response = upload(client, actor_file, kind="akteure")
    assert "Neuer Akteur" in client.get(response["Location"]).content.decode()
    client.post(response["Location"], {"step": "commit"})
    from casework.models import Actor

    assert Actor.objects.filter(district=nord_coordinator.district, external_id="A-02").exists()


def test_status_answers_json_for_the_progress_bar(client, nord_coordinator, client_file):
    client.force_login(nord_coordinator)
    job = _job(upload(client, client_file))
    state = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert state["finished"] is True and state["status"] == "done"
    assert state["done"] == state["total"] == 4


def test_wrong_file_type_is_refused_by_the_form(client, nord_coordinator):
    client.force_login(nord_coordinator)
    page = upload(client, b"x", name="liste.pdf").content.decode()
    assert "CSV-Datei" in page
