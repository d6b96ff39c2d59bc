"""Starting, tracking and ending jobs; the files they read and write; the record of scheduled runs.

A job's status and result are written to its row; its progress while it runs goes to the
cache (Redis in production), because a real import runs inside one transaction whose writes
nobody else sees until it ends.
"""

import datetime as dt
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from .locks import task_lock
from .models import Job, JobStatus, RunOutcome, ScheduledRun

PROGRESS_EVERY_SECONDS = 0.5


def job_storage():
    return storages["jobs"]


def _expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=settings.KIM_JOB_FILES_HOURS)


def store_file(*, prefix: str, data: bytes | None = None, content=None) -> str:
    """Save `data` (or the File `content`, e.g. an upload, read in chunks) under a random
    name; returns the storage name."""
    name = f"{prefix}/{uuid.uuid4().hex}"
    return job_storage().save(name, content if content is not None else ContentFile(data or b""))


def read_file(name: str) -> bytes:
    with job_storage().open(name, "rb") as handle:
        return handle.read()


def delete_file(name: str) -> None:
    if name:
        job_storage().delete(name)


def job_create(
    *, kind: str, owner, params: dict | None = None, input_name: str = "", input_file: str = ""
) -> Job:
    return Job.objects.create(
        kind=kind,
        owner=owner,
        params=params or {},
        input_name=input_name[:200],
        input_file=input_file,
        expires_at=_expiry(),
    )


def enqueue(task, job: Job) -> None:
    """Hand the job to a worker once the row is committed; without a broker, run it here."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        task.apply(args=(str(job.pk),))
        return
    transaction.on_commit(
        lambda: task.apply_async(args=(str(job.pk),), queue=settings.CELERY_TASK_DEFAULT_QUEUE)
    )


def _progress_key(job_id) -> str:
    return f"job-progress:{job_id}"


def job_started(job: Job) -> None:
    job.status, job.started_at = JobStatus.RUNNING, timezone.now()
    Job.objects.filter(pk=job.pk).update(status=job.status, started_at=job.started_at)


def progress_reporter(job: Job, *, check: Callable[[], None] | None = None) -> Callable[[int, int], None]:
    """A callback (done, total) that publishes the job's progress at most twice a second;
    `check` runs on every call (the import's time limit)."""
    last = [0.0]

    def report(done: int, total: int) -> None:
        if check is not None:
            check()
        now = time.monotonic()
        if done < total and now - last[0] < PROGRESS_EVERY_SECONDS:
            return
        last[0] = now
        cache.set(_progress_key(job.pk), (done, total), timeout=24 * 3600)

    return report


def job_progress(job: Job) -> tuple[int, int]:
    """(done, total) of a job as any app server sees it."""
    if job.is_finished:
        return job.progress_done, job.progress_total
    cached = cache.get(_progress_key(job.pk))
    return tuple(cached) if cached else (job.progress_done, job.progress_total)


def job_finish(
    job: Job,
    *,
    result: dict,
    error: str = "",
    output_file: str = "",
    output_name: str = "",
    output_type: str = "",
) -> None:
    done, total = job_progress(job)
    if not error and total:
        done = total
    job.status = JobStatus.FAILED if error else JobStatus.DONE
    job.result, job.error, job.finished_at = result, error, timezone.now()
    job.progress_done, job.progress_total = done, total
    job.output_file, job.output_name, job.output_type = output_file, output_name, output_type
    job.expires_at = _expiry()
    job.save()
    cache.delete(_progress_key(job.pk))


def job_delete_files(job: Job) -> None:
    for name in (job.input_file, job.output_file):
        delete_file(name)
    Job.objects.filter(pk=job.pk).update(input_file="", output_file="")


def expire_job_files(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete the files of jobs past their expiry, and the job rows older than a week more."""
    now = now or timezone.now()
    files = 0
    for job in Job.objects.filter(expires_at__lt=now).exclude(input_file="", output_file=""):
        files += bool(job.input_file) + bool(job.output_file)
        job_delete_files(job)
    old, _ = Job.objects.filter(expires_at__lt=now - dt.timedelta(days=7)).delete()
    return {"files": files, "jobs": old}


@contextmanager
def scheduled_run(task: str):
    """Run scheduled work under its lock and record the run. Yields a ScheduledRun whose
    `summary` the work fills in, or None when another run holds the lock (recorded as skipped)."""
    with task_lock(task) as acquired:
        run = ScheduledRun.objects.create(task=task)
        if not acquired:
            run.outcome, run.finished_at = RunOutcome.SKIPPED, timezone.now()
            run.save()
            yield None
            return
        try:
            yield run
        except Exception as error:
            run.outcome, run.finished_at = RunOutcome.FAILED, timezone.now()
            run.summary = (run.summary + f"\n{type(error).__name__}").strip()
            run.save()
            raise
        run.outcome, run.finished_at = RunOutcome.OK, timezone.now()
        run.save()
