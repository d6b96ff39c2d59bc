"""Exports of the case list and the network directory; the import page for Koordination."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.roles import can_import, works_with_cases
from audit.services import audit_record_list_export, used_filter_names
from casework import selectors
from casework.filters.network import ActorFilter
from casework.models import Actor
from jobs.models import JobKind, JobStatus
from jobs.selectors import job_for_user
from jobs.services import job_progress
from regions.models import Municipality

from . import exports, exports_jobs
from . import jobs as import_jobs
from .forms import ACTORS, CLIENTS, ImportUploadForm
from .report import report_from_dict

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filter_names(filterset) -> str:
    if not filterset.is_bound or not filterset.form.is_valid():
        return ""
    return ", ".join(used_filter_names(filterset.form.cleaned_data, ignore=("o", "page")))


@login_required
@require_GET
@never_cache
def case_export(request, fmt: str):
    """The case list as the list page shows it; a long list becomes a job with a download page."""
    if not works_with_cases(request.user):
        raise PermissionDenied
    found = exports_jobs.case_filter(user=request.user, query=request.GET)
    if exports_jobs.filtered_cases(found).count() > settings.KIM_EXPORT_INLINE_MAX_ROWS:
        job = exports_jobs.case_export_start(user=request.user, query=request.GET, fmt=fmt)
        return redirect("jobs:detail", job.pk)
    export = exports_jobs.build_case_export(user=request.user, query=request.GET, fmt=fmt)
    return _download(export.content, content_type=export.content_type, filename=export.filename)


@login_required
@require_GET
@never_cache
def network_export(request):
    """The directory with its current filters, in the import's format (one row per contact person)."""
    actor_filter = ActorFilter(
        request.GET, queryset=selectors.actor_list(user=request.user), user=request.user
    )
    actors = list(actor_filter.qs)
    district_sizes = dict(
        Municipality.objects.values("region__district_id")
        .annotate(n=Count("pk"))
        .values_list("region__district_id", "n")
    )
    names = _filter_names(actor_filter)
    audit_record_list_export(
        user=request.user,
        model=Actor,
        detail=f"Netzwerk CSV, {len(actors)} Akteure" + (f"; Filter: {names}" if names else ""),
    )
    return _download(
        exports.to_csv(exports.NETWORK_HEADER, exports.actor_rows(actors, district_sizes=district_sizes)),
        content_type=CSV_CONTENT_TYPE,
        filename=f"netzwerk-{timezone.localdate():%Y-%m-%d}.csv",
    )


# --- Import ---------------------------------------------------------------------------


KIND_LABELS = {ACTORS: _("Akteure"), CLIENTS: _("Klient/innen mit Fällen")}


def _require_import(user) -> None:
    if not can_import(user):
        raise PermissionDenied


@login_required
@never_cache
def import_page(request):
    """Upload → dry run (a job) → „Jetzt importieren“ (a job) or „Abbrechen“."""
    user = request.user
    _require_import(user)
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        district = form.chosen_district()
        job = import_jobs.import_start(
            user=user,
            upload=form.cleaned_data["file"],
            kind=form.cleaned_data["kind"],
            district_id=district.pk if district else None,
        )
        return redirect("exchange:import_job", job.pk)
    return render(request, "exchange/import.html", {"form": form, "kind_labels": KIND_LABELS})


@login_required
@never_cache
def import_job(request, pk):
    """A dry run or a real run: its progress while it runs, its report when done."""
    user = request.user
    _require_import(user)
    job = job_for_user(user=user, pk=pk)
    if job.kind not in (JobKind.IMPORT_DRY_RUN, JobKind.IMPORT):
        raise Http404
    dry_run = job.kind == JobKind.IMPORT_DRY_RUN
    if request.method == "POST":
        step = request.POST.get("step")
        if not dry_run or step not in ("commit", "cancel"):
            return redirect("exchange:import_job", job.pk)
        if job.params.get("next"):
            return redirect("exchange:import_job", job.params["next"])
        report = report_from_dict(job.result)
        if job.status != JobStatus.DONE or not report.ok or not job.input_file:
            messages.error(request, _(import_jobs.FILE_GONE))
            return redirect("exchange:import")
        if step == "cancel":
            import_jobs.import_cancel(dry_run=job)
            messages.info(request, _("Import abgebrochen; die Datei wurde gelöscht."))
            return redirect("exchange:import")
        return redirect("exchange:import_job", import_jobs.import_commit(dry_run=job).pk)

    context = {
        "job": job,
        "dry_run": dry_run,
        "filename": job.input_name,
        "kind": job.params.get("kind"),
        "kind_labels": KIND_LABELS,
        "form": ImportUploadForm(user=user, initial={"kind": job.params.get("kind")}),
    }
    if job.is_finished:
        report = report_from_dict(job.result)
        if not report.file_error and job.error:
            report.file_error = job.error
        context.update(report=report, can_commit=dry_run and report.ok and bool(job.input_file))
        if not dry_run and report.committed:
            messages.success(request, _("Import abgeschlossen: %(summary)s.") % {"summary": report.summary()})
        elif not dry_run:
            messages.error(request, _("Es wurde nichts importiert."))
    else:
        done, total = job_progress(job)
        context.update(progress_done=done, progress_total=total)
    return render(request, "exchange/import.html", context)
