from celery import shared_task
from django.conf import settings

from jobs.models import Job


@shared_task(
    name="exchange.tasks.import_job",
    # A backstop behind the import's own time limit (readers.Deadline), which ends it cleanly.
    soft_time_limit=settings.KIM_IMPORT_MAX_SECONDS + 30,
    time_limit=settings.KIM_IMPORT_MAX_SECONDS + 60,
)
def import_job(job_id: str) -> None:
    from .jobs import run_import_job

    job = Job.objects.select_related("owner").filter(pk=job_id).first()
    if job is not None:
        run_import_job(job)


@shared_task(name="exchange.tasks.case_export_job")
def case_export_job(job_id: str) -> None:
    from .exports_jobs import run_case_export

    job = Job.objects.select_related("owner").filter(pk=job_id).first()
    if job is not None:
        run_case_export(job)
