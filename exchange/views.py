"""Exports of the case list and the network directory; the import page for Koordination."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.roles import can_import, works_with_cases
from audit.services import audit_record_list_export, used_filter_names
from casework import selectors
from casework.filters.cases import CaseFilter
from casework.filters.network import ActorFilter
from casework.models import Actor, Case
from regions.models import District, Municipality

from . import exports, uploads
from .actors import ActorImporter
from .clients import ClientImporter
from .forms import ACTORS, CLIENTS, ImportUploadForm
from .services import run_import

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
    """The case list as the list page shows it: same filters, same sorting, same columns."""
    if not works_with_cases(request.user):
        raise PermissionDenied
    case_filter = CaseFilter(
        request.GET or None, queryset=selectors.case_list(user=request.user), user=request.user
    )
    cases = case_filter.qs if case_filter.is_bound else case_filter.queryset
    cases = selectors.case_export_rows(cases)
    names = _filter_names(case_filter)
    audit_record_list_export(
        user=request.user,
        model=Case,
        detail=f"Fallliste {fmt.upper()}, {len(cases)} Fälle" + (f"; Filter: {names}" if names else ""),
    )
    stamp = f"{timezone.localdate():%Y-%m-%d}"
    header = exports.case_header()
    if fmt == "csv":
        return _download(
            exports.to_csv(header, exports.case_rows(cases, dates_as_text=True)),
            content_type=CSV_CONTENT_TYPE,
            filename=f"faelle-{stamp}.csv",
        )
    return _download(
        exports.to_xlsx(_("Fälle"), header, exports.case_rows(cases, dates_as_text=False)),
        content_type=XLSX_CONTENT_TYPE,
        filename=f"faelle-{stamp}.xlsx",
    )


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


# --- Import -----------------------------------------------------------------------------


def _importer(user, kind: str, district_id: int | None):
    if kind == CLIENTS:
        return ClientImporter(user=user)
    district = District.objects.filter(pk=district_id).first() if district_id else user.district
    if district is None:
        raise PermissionDenied
    return ActorImporter(user=user, district=district)


@login_required
@never_cache
def import_page(request):
    """Upload → dry run report → „Jetzt importieren“ (or „Abbrechen“)."""
    user = request.user
    if not can_import(user):
        raise PermissionDenied
    context = {"kind_labels": {ACTORS: _("Akteure"), CLIENTS: _("Klient/innen mit Fällen")}}
    if request.method == "POST" and request.POST.get("step") in ("commit", "cancel"):
        stored = uploads.load(request, request.POST.get("token", ""))
        if stored is None:
            messages.error(
                request, _("Die hochgeladene Datei ist nicht mehr vorhanden. Bitte erneut hochladen.")
            )
            return redirect("exchange:import")
        meta, data = stored
        if request.POST["step"] == "cancel":
            uploads.discard(request)
            messages.info(request, _("Import abgebrochen; die Datei wurde gelöscht."))
            return redirect("exchange:import")
        importer = _importer(user, meta["kind"], meta["district_id"])
        report = run_import(importer, data=data, filename=meta["filename"], commit=True)
        uploads.discard(request)
        context.update(report=report, filename=meta["filename"], kind=meta["kind"])
        if report.committed:
            messages.success(request, _("Import abgeschlossen: %(summary)s.") % {"summary": report.summary()})
        else:
            messages.error(request, _("Es wurde nichts importiert."))
        context["form"] = ImportUploadForm(user=user)
        return render(request, "exchange/import.html", context)

    form = ImportUploadForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        kind = form.cleaned_data["kind"]
        district = form.chosen_district()
        importer = _importer(user, kind, district.pk if district else None)
        report = run_import(importer, data=data, filename=upload.name, commit=False)
        token = None
        if report.ok:
            token = uploads.store(
                request,
                data=data,
                filename=upload.name,
                kind=kind,
                district_id=district.pk if district else None,
            )
        else:
            uploads.discard(request)
        context.update(report=report, token=token, filename=upload.name, kind=kind, dry_run=True)
        form = ImportUploadForm(user=user, initial={"kind": kind})
    context["form"] = form
    return render(request, "exchange/import.html", context)
