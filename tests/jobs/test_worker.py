"""Imports in a real worker process: run to the end, progress seen from another process, a
killed job writes nothing, and two app servers share one job."""

import http.cookiejar
import json
import os
import signal
import time
import urllib.request
import uuid

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse

from accounts.roles import COORDINATION
from casework.models import Client
from exchange import jobs as import_jobs
from jobs.models import Job, JobKind, JobStatus
from jobs.services import job_progress
from tests.conftest import make_staff
from tests.exchange.crafted import client_csv

from .conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def coordinator_nord(transactional_db):
    return make_staff(COORDINATION, region_names=("Nord",), username=f"koord-{uuid.uuid4().hex[:6]}")


def _job_from(response) -> Job:
    assert response.status_code == 302, response.content[:500]
    return Job.objects.get(pk=resolve(response["Location"]).kwargs["pk"])


def test_a_4999_row_dry_run_completes_in_the_worker_and_its_progress_is_read_elsewhere(
    background, client, coordinator_nord
):
    background.worker()
    client.force_login(coordinator_nord)
    data = client_csv(4999)
    response = client.post("/import/", {"kind": "klientinnen", "file": SimpleUploadedFile("k.csv", data)})
    job = _job_from(response)
    status_url = reverse("jobs:status", args=[job.pk])

    # This test process is not the worker: it reads the progress as any app server would.
    seen = []

    def finished():
        state = client.get(status_url).json()
        seen.append((state["done"], state["total"]))
        return state["finished"]

    wait_for(finished, timeout=300, interval=0.1)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert (job.progress_done, job.progress_total) == (4999, 4999)
    assert any(0 < done < total for done, total in seen), f"no progress seen in between: {seen[:20]}"
    page = client.get(response["Location"]).content.decode()
    assert "4999 neu" in page and "Jetzt importieren" in page
    assert not Client.objects.exists()  # a dry run


def test_a_job_killed_mid_run_leaves_nothing_written(background, coordinator_nord):
    worker = background.worker()
    from jobs import services as jobs

    stored = jobs.store_file(prefix="imports", data=client_csv(300))
    job = jobs.job_create(
        kind=JobKind.IMPORT,
        owner=coordinator_nord,
        params={"kind": "klientinnen", "district_id": None},
        input_name="k.csv",
        input_file=stored,
    )
    from exchange.tasks import import_job

    jobs.enqueue(import_job, job)
    # Half way through writing (the real run plans, then writes: progress counts each phase).
    state = {"phase": 0, "last": 0}

    def writing_half_done():
        done, total = job_progress(Job.objects.get(pk=job.pk))
        if done < state["last"]:
            state["phase"] += 1  # the count started again: planning is over, writing began
        state["last"] = done
        return state["phase"] >= 1 and total and done > total // 2

    wait_for(writing_half_done, timeout=300, interval=0.05)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    # PostgreSQL rolls the dead connection's transaction back.
    time.sleep(1)
    assert not Client.objects.exists()
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING  # never reported done


class Browser:
    """A signed-in user's HTTP client for a live app server: the session cookie only."""

    def __init__(self, base: str, session_key: str):
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self.opener.addheaders = [("Cookie", f"sessionid={session_key}")]
        self.opener.addheaders.append(("Referer", base + "/"))
        self.session_key = session_key

    def get(self, path: str):
        return self.opener.open(self.base + path, timeout=30)

    def csrf_token(self) -> str:
        page = self.get("/import/").read().decode()
        marker = 'name="csrfmiddlewaretoken" value="'
        return page.split(marker, 1)[1].split('"', 1)[0]

    def upload(self, filename: str, data: bytes) -> str:
        token = self.csrf_token()
        cookie = next(c for c in self.opener.handlers if isinstance(c, urllib.request.HTTPCookieProcessor))
        csrf_cookie = next(c.value for c in cookie.cookiejar if c.name == "csrftoken")
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in (("csrfmiddlewaretoken", token), ("kind", "klientinnen"), ("step", "upload")):
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: text/csv\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        request = urllib.request.Request(
            self.base + "/import/",
            data=b"".join(parts),
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Cookie": f"sessionid={self.session_key}; csrftoken={csrf_cookie}",
                "Referer": self.base + "/import/",
            },
        )

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(request, timeout=60)
        except urllib.error.HTTPError as answer:
            assert answer.code == 302, answer.read()[:500]
            return answer.headers["Location"]
        pytest.fail("the upload did not redirect to its job")


def _session_for(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def test_an_import_started_on_one_app_server_is_finished_and_shown_on_another(background, coordinator_nord):
    background.worker()
    ports = (18761 + os.getpid() % 500, 19361 + os.getpid() % 500)
    for port in ports:
        background.app_server(port)
    key = _session_for(coordinator_nord)
    first, second = (Browser(f"http://127.0.0.1:{port}", key) for port in ports)

    location = first.upload("k.csv", client_csv(50))
    job_path = location.replace(first.base, "")
    job = Job.objects.get(pk=resolve(job_path).kwargs["pk"])
    status_path = reverse("jobs:status", args=[job.pk])

    def done_on_second():
        return json.loads(second.get(status_path).read())["finished"]

    wait_for(done_on_second, timeout=120)
    page = second.get(job_path).read().decode()
    assert "50 neu" in page and "Jetzt importieren" in page
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE


def test_import_jobs_module_is_the_one_the_views_use():
    assert import_jobs.run_import_job.__module__ == "exchange.jobs"
