import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casework.models import Client
from exchange import uploads

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


def test_upload_dry_run_then_commit(client, nord_coordinator, client_file):
    client.force_login(nord_coordinator)
    response = upload(client, client_file)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Probelauf" in page and "Jetzt importieren" in page and "K-1003" in page
    assert not Client.objects.filter(external_id="K-1001").exists()
    token = client.session[uploads.SESSION_KEY]["token"]
    stored = uploads.upload_dir() / token
    assert stored.is_file()

    response = client.post(URL, {"step": "commit", "token": token})
    assert response.status_code == 200
    assert "Import abgeschlossen" in response.content.decode()
    assert Client.objects.filter(external_id__startswith="K-").count() == 4
    assert not stored.exists()  # deleted after use
    assert uploads.SESSION_KEY not in client.session

    # The same token again: the file is gone, nothing happens twice.
    response = client.post(URL, {"step": "commit", "token": token}, follow=True)
    assert "nicht mehr vorhanden" in response.content.decode()


def test_rejected_rows_offer_no_import_button(client, nord_coordinator):
    client.force_login(nord_coordinator)
    data = b"externe_id;vorname;nachname;kommune\r\nK-1;A;B;Atlantis\r\n"
    page = upload(client, data).content.decode()
    assert "Atlantis" in page and "abgelehnt" in page and "Jetzt importieren" not in page
    assert uploads.SESSION_KEY not in client.session


def test_cancel_deletes_the_file(client, nord_coordinator, client_file):
    client.force_login(nord_coordinator)
    upload(client, client_file)
    token = client.session[uploads.SESSION_KEY]["token"]
    assert (uploads.upload_dir() / token).exists()
    client.post(URL, {"step": "cancel", "token": token})
    assert not (uploads.upload_dir() / token).exists()
    assert not Client.objects.filter(external_id__startswith="K-").exists()


def test_another_users_token_does_nothing(client, nord_coordinator, coordinator, client_file):
    client.force_login(nord_coordinator)
    upload(client, client_file)
    token = client.session[uploads.SESSION_KEY]["token"]
    client.force_login(coordinator)  # a new session
    client.post(URL, {"step": "commit", "token": token})
    assert not Client.objects.filter(external_id__startswith="K-").exists()
    # The same token in the session it belongs to does import: it was the user, not the token.
    client.force_login(nord_coordinator)
    upload(client, client_file)
    client.post(URL, {"step": "commit", "token": client.session[uploads.SESSION_KEY]["token"]})
    assert Client.objects.filter(external_id__startswith="K-").exists()


def test_actor_upload_uses_the_users_district(client, nord_coordinator, actor_file):
    client.force_login(nord_coordinator)
    page = upload(client, actor_file, kind="akteure").content.decode()
    assert "Neuer Akteur" in page
    token = client.session[uploads.SESSION_KEY]["token"]
    client.post(URL, {"step": "commit", "token": token})
    from casework.models import Actor

    assert Actor.objects.filter(district=nord_coordinator.district, external_id="A-02").exists()


def test_wrong_file_type_is_refused_by_the_form(client, nord_coordinator):
    client.force_login(nord_coordinator)
    page = upload(client, b"x", name="liste.pdf").content.decode()
    assert "CSV-Datei" in page


def test_abandoned_uploads_are_removed_after_a_day(client, nord_coordinator, client_file):
    import os
    import time

    stale = uploads.upload_dir() / "abandoned"
    stale.write_bytes(b"old")
    old = time.time() - uploads.STALE_AFTER_SECONDS - 60
    os.utime(stale, (old, old))
    recent = uploads.upload_dir() / "recent"
    recent.write_bytes(b"new")
    client.force_login(nord_coordinator)
    upload(client, client_file)
    assert not stale.exists()
    assert recent.exists()  # younger than a day: kept
