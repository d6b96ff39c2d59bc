"""The statistics workbook as a job (settings.KIM_STATISTICS_EXPORT_AS_JOB): the figures of a
district's years read millions of index entries, so a worker builds the file and the user gets
a download page. Same form, same figures, same suppression as the direct export."""

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs import services as jobs
from jobs.models import Job, JobKind

from . import exports

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCOPE_GONE = "Die gewählte Auswahl ist für Ihr Konto nicht mehr verfügbar; bitte exportieren Sie erneut."


def statistics_export_start(*, user, query: str) -> Job:
    from .tasks import statistics_export_job

    job = jobs.job_create(kind=JobKind.STATISTICS_EXPORT, owner=user, params={"query": query})
    jobs.enqueue(statistics_export_job, job)
    return job


def run_statistics_export(job: Job) -> None:
    from .views import _filename, _statistics, form_for

    if job.is_finished:
        return
    jobs.job_started(job)
    # The owner's scopes as they are now: access withdrawn meanwhile is respected.
    form = form_for(job.owner, QueryDict(job.params.get("query", "")))
    if not form.is_valid():
        jobs.job_finish(job, result={}, error=_(SCOPE_GONE))
        return
    content = exports.to_xlsx(_statistics(form), today=timezone.localdate())
    jobs.job_finish(
        job,
        result={},
        output_file=jobs.store_file(prefix="exports", data=content),
        output_name=_filename(form, "xlsx"),
        output_type=XLSX_CONTENT_TYPE,
    )
