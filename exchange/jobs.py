"""Imports and long exports as jobs: what the views start and the worker runs.

The upload is kept in the jobs storage (jobs.services), never in a request's memory or one
machine's temporary folder, so the dry run, the real run and the page that shows them may each
be served by a different app server or worker.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jobs import services as jobs
from jobs.models import Job, JobKind, JobStatus
from regions.models import District

from .actors import ActorImporter
from .clients import ClientImporter
from .forms import CLIENTS
from .readers import Deadline
from .report import report_to_dict
from .services import run_import

FILE_GONE = "Die hochgeladene Datei ist nicht mehr vorhanden. Bitte laden Sie sie erneut hoch."


def importer_for(user, kind: str, district_id: int | None):
    if kind == CLIENTS:
        return ClientImporter(user=user)
    district = District.objects.filter(pk=district_id).first() if district_id else user.district
    if district is None:
        raise PermissionDenied
    return ActorImporter(user=user, district=district)


def import_start(*, user, upload, kind: str, district_id: int | None) -> Job:
    """Store the upload and start its dry run."""
    from .tasks import import_job

    stored = jobs.store_file(prefix="imports", content=upload)
    job = jobs.job_create(
        kind=JobKind.IMPORT_DRY_RUN,
        owner=user,
        params={"kind": kind, "district_id": district_id},
        input_name=upload.name,
        input_file=stored,
    )
    jobs.enqueue(import_job, job)
    return job


def import_commit(*, dry_run: Job) -> Job:
    """Start the real run of a dry run's file; the file passes to the new job."""
    from .tasks import import_job

    job = jobs.job_create(
        kind=JobKind.IMPORT,
        owner=dry_run.owner,
        params=dry_run.params,
        input_name=dry_run.input_name,
        input_file=dry_run.input_file,
    )
    Job.objects.filter(pk=dry_run.pk).update(input_file="", params={**dry_run.params, "next": str(job.pk)})
    jobs.enqueue(import_job, job)
    return job


def import_cancel(*, dry_run: Job) -> None:
    jobs.job_delete_files(dry_run)


def run_import_job(job: Job) -> None:
    """The worker's part: read the stored file, run the import, keep the report."""
    if job.status in (JobStatus.DONE, JobStatus.FAILED):
        return  # a redelivered message for a job that ended
    jobs.job_started(job)
    try:
        data = jobs.read_file(job.input_file)
    except (FileNotFoundError, OSError, ValueError):
        jobs.job_finish(job, result={}, error=_(FILE_GONE))
        return
    commit = job.kind == JobKind.IMPORT
    deadline = Deadline()
    importer = importer_for(job.owner, job.params.get("kind", ""), job.params.get("district_id"))
    report = run_import(
        importer,
        data=data,
        filename=job.input_name,
        commit=commit,
        progress=jobs.progress_reporter(job),
        deadline=deadline,
    )
    jobs.job_finish(job, result=report_to_dict(report), error=report.file_error)
    if commit or not report.ok:
        # Imported or refused: the file is not needed any more.
        jobs.job_delete_files(job)
