"""The scheduled work (settings.CELERY_BEAT_SCHEDULE). Each run holds a lock, so two at once do
the work once, and leaves a ScheduledRun with its outcome for the administrators."""

from celery import shared_task
from django.utils import timezone

from .services import expire_job_files, scheduled_run


@shared_task(name="jobs.tasks.retention")
def retention() -> str:
    from privacy.services import retention_run

    with scheduled_run("retention") as run:
        if run is None:
            return "skipped"
        report = retention_run(today=timezone.localdate(), dry_run=False, by=None)
        run.summary = " ".join(report.lines())[:2000]
        return "ok"


@shared_task(name="jobs.tasks.expire_files")
def expire_files() -> str:
    with scheduled_run("expire_files") as run:
        if run is None:
            return "skipped"
        counts = expire_job_files()
        run.summary = f"{counts['files']} Dateien gelöscht, {counts['jobs']} alte Aufträge entfernt"
        return "ok"
