from celery import shared_task

from jobs.models import Job


@shared_task(name="reporting.tasks.statistics_export_job")
def statistics_export_job(job_id: str) -> None:
    from .jobs import run_statistics_export

    job = Job.objects.select_related("owner").filter(pk=job_id).first()
    if job is not None:
        run_statistics_export(job)
