"""A job's state for its owner: the JSON the progress bar polls, the page of an export job, the
finished file. Any app server answers, since all of it is read from the database and cache."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import JobStatus
from .selectors import job_for_user
from .services import job_progress, job_storage


@login_required
@require_GET
@never_cache
def status(request, pk):
    job = job_for_user(user=request.user, pk=pk)
    done, total = job_progress(job)
    return JsonResponse(
        {
            "status": job.status,
            "finished": job.is_finished,
            "done": done,
            "total": total,
            "label": _("%(done)s von %(total)s Zeilen") % {"done": done, "total": total},
        }
    )


@login_required
@require_GET
@never_cache
def detail(request, pk):
    """An export job: its progress, then the download."""
    job = job_for_user(user=request.user, pk=pk)
    done, total = job_progress(job)
    return render(request, "jobs/detail.html", {"job": job, "progress_done": done, "progress_total": total})


@login_required
@require_GET
@never_cache
def download(request, pk):
    job = job_for_user(user=request.user, pk=pk)
    if job.status != JobStatus.DONE or not job.output_file:
        raise Http404
    try:
        handle = job_storage().open(job.output_file, "rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=job.output_name, content_type=job.output_type)
