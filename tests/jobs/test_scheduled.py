"""The scheduled work: a lock makes two runs at once do the work once, each run leaves its
outcome for the administrators, and expired job files are deleted."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from jobs import services as jobs
from jobs.locks import task_lock
from jobs.models import Job, JobKind, RunOutcome, ScheduledRun, TaskLock
from jobs.tasks import expire_files, retention
from privacy.models import DeletionLog
from tests.factories import ClientFactory, UserFactory
from tests.privacy.conftest import closed_case


def _needs_concurrent_database():
    if connection.vendor == "sqlite":
        pytest.skip(
            "two runs at once need PostgreSQL: the in-memory SQLite test database locks without waiting"
        )


@pytest.mark.django_db
def test_a_held_lock_refuses_a_second_holder_and_is_released():
    with task_lock("x") as first:
        assert first
        with task_lock("x") as second:
            assert not second
    with task_lock("x") as again:
        assert again
    assert not TaskLock.objects.exists()


@pytest.mark.django_db
def test_a_lock_left_by_a_killed_run_is_taken_over_after_it_expires():
    TaskLock.objects.create(name="x", holder="dead", expires_at=timezone.now() - dt.timedelta(seconds=1))
    with task_lock("x") as acquired:
        assert acquired


@pytest.mark.django_db
def test_a_run_while_another_holds_the_lock_is_recorded_as_skipped():
    with task_lock("retention"):
        assert retention() == "skipped"
    run = ScheduledRun.objects.get(task="retention")
    assert run.outcome == RunOutcome.SKIPPED and run.finished_at


def _retention_due_client():
    """A client whose case closed long enough ago for every retention rule."""
    today = timezone.localdate()
    client = ClientFactory(first_name="Sentinelretention")
    user = UserFactory()
    closed_case(
        client,
        by=user,
        marker="R",
        opened_on=today - dt.timedelta(days=9 * 365),
        closed_on=today - dt.timedelta(days=8 * 365),
    )
    return client


@pytest.mark.django_db(transaction=True)
def test_two_retention_runs_at_once_write_once():
    _needs_concurrent_database()
    client = _retention_due_client()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(retention())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    # Either the second found the lock held, or it came after the first and found nothing due.
    assert "ok" in results
    assert DeletionLog.objects.filter(client_id=client.pk).count() == 1
    client.refresh_from_db()
    assert client.first_name != "Sentinelretention"
    runs = ScheduledRun.objects.filter(task="retention")
    assert runs.count() == 2 and runs.filter(outcome=RunOutcome.OK).exists()
    assert retention() == "ok"  # and again later: nothing more
    assert DeletionLog.objects.filter(client_id=client.pk).count() == 1


@pytest.mark.django_db
def test_expired_job_files_are_deleted_and_fresh_ones_kept():
    owner = UserFactory()
    old = jobs.job_create(
        kind=JobKind.IMPORT_DRY_RUN, owner=owner, input_file=jobs.store_file(prefix="imports", data=b"alt")
    )
    fresh = jobs.job_create(
        kind=JobKind.IMPORT_DRY_RUN, owner=owner, input_file=jobs.store_file(prefix="imports", data=b"neu")
    )
    Job.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    ancient = jobs.job_create(kind=JobKind.CASE_EXPORT, owner=owner)
    Job.objects.filter(pk=ancient.pk).update(expires_at=timezone.now() - dt.timedelta(days=8))
    assert expire_files() == "ok"
    assert not jobs.job_storage().exists(old.input_file)
    assert jobs.job_storage().exists(fresh.input_file)
    assert not Job.objects.filter(pk=ancient.pk).exists()
    assert Job.objects.get(pk=old.pk).input_file == ""
    run = ScheduledRun.objects.get(task="expire_files")
    assert run.outcome == RunOutcome.OK and run.summary.startswith("1 Dateien gelöscht, 1 alte")
    assert expire_files() == "ok"  # a second run finds nothing more to do
    assert ScheduledRun.objects.filter(task="expire_files").first().summary.startswith("0 Dateien")


@pytest.mark.django_db
def test_the_admin_shows_the_runs_read_only(admin_client):
    ScheduledRun.objects.create(
        task="retention", outcome=RunOutcome.OK, summary="3 Klient/innen anonymisiert"
    )
    page = admin_client.get("/admin/jobs/scheduledrun/")
    assert page.status_code == 200 and "3 Klient/innen anonymisiert" in page.content.decode()
    assert admin_client.get("/admin/jobs/scheduledrun/add/").status_code == 403


def test_the_schedule_names_every_scheduled_task(settings):
    from kim.celery import app

    app.loader.import_default_modules()
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks == {"jobs.tasks.retention", "jobs.tasks.expire_files", "reminders.tasks.send_digests"}
    assert tasks <= set(app.tasks)
