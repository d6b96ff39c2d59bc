"""A long case list export becomes a job: the user who asked gets a download page, audited
like the direct export; nobody else finds it; the file expires."""

import datetime as dt

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from audit.models import Action, AuditEntry
from jobs.models import Job, JobStatus
from jobs.services import expire_job_files, job_storage
from tests.factories import CaseFactory, ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(case_manager):
    return [CaseFactory(client=ClientFactory(), case_manager=case_manager) for _ in range(3)]


def test_a_long_export_is_a_job_with_a_download(client, case_manager, coordinator, cases, settings):
    settings.KIM_EXPORT_INLINE_MAX_ROWS = 2
    client.force_login(case_manager)
    response = client.get(reverse("exchange:case_export_csv"))
    assert response.status_code == 302
    job = Job.objects.get(pk=resolve(response["Location"]).kwargs["pk"])
    assert job.status == JobStatus.DONE and job.result == {"count": 3}
    page = client.get(response["Location"]).content.decode()
    assert "Herunterladen" in page
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    content = b"".join(download.streaming_content).decode("utf-8-sig")
    assert all(case.reference in content for case in cases)
    assert download["Content-Disposition"].startswith('attachment; filename="faelle-')
    entry = AuditEntry.objects.filter(action=Action.EXPORT).latest("at")
    assert entry.user == case_manager and entry.detail.startswith("Fallliste CSV, 3 Fälle")

    client.force_login(coordinator)  # another user: not found
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404

    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    stored = Job.objects.get(pk=job.pk).output_file
    expire_job_files()
    assert not job_storage().exists(stored)
    client.force_login(case_manager)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert "abgelaufen" in client.get(response["Location"]).content.decode()


def test_a_short_export_is_sent_at_once(client, case_manager, cases):
    client.force_login(case_manager)
    response = client.get(reverse("exchange:case_export_xlsx"))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert not Job.objects.exists()


def test_the_statistics_workbook_as_a_job(client, coordinator, cases, settings):
    settings.KIM_STATISTICS_EXPORT_AS_JOB = True
    client.force_login(coordinator)
    response = client.get(reverse("reporting:export_xlsx"))
    assert response.status_code == 302
    job = Job.objects.get(pk=resolve(response["Location"]).kwargs["pk"])
    assert job.status == JobStatus.DONE and job.output_name.startswith("kim-statistik_")
    download = client.get(reverse("jobs:download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    assert content[:2] == b"PK"
    # The same file as the direct export gives.
    settings.KIM_STATISTICS_EXPORT_AS_JOB = False
    direct = client.get(reverse("reporting:export_xlsx"))
    assert direct.status_code == 200
    assert download["Content-Disposition"] == direct["Content-Disposition"].replace(
        "attachment; ", "attachment; "
    )
