"""Statistics pages, exports and the printable report.

All four views read the same GET parameters (scope and period), so a page, its
exports and its report are one bookmarkable query string apart.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.roles import can_view_statistics
from kim.sql import statement_timeout

from . import exports
from .display import (
    figures_for_display,
    key_figure_text,
    small_mark_note,
    suppression_note,
    trend_for_display,
)
from .figures import Statistics, collect, compare
from .forms import StatisticsForm, default_data
from .scopes import scope_choices

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def statistics_view(view):
    """Signed in, allowed to see statistics, GET only, never cached (figures change daily)."""

    @wraps(view)
    @login_required
    @require_GET
    @never_cache
    def wrapped(request, *args, **kwargs):
        if not can_view_statistics(request.user):
            raise PermissionDenied
        # A district's five years read millions of index entries: more than a page's timeout.
        with statement_timeout(settings.KIM_STATISTICS_STATEMENT_TIMEOUT_MS):
            return view(request, *args, **kwargs)

    return wrapped


def form_for(user, params) -> StatisticsForm:
    """The form bound to `params` (a URL's parameters); what they leave out comes from the defaults."""
    choices = scope_choices(user)
    data = default_data(choices, timezone.localdate())
    data.update({key: value for key, value in params.items() if key in StatisticsForm.base_fields})
    return StatisticsForm(data, choices=choices)


def _form(request) -> StatisticsForm:
    return form_for(request.user, request.GET)


def _statistics(form: StatisticsForm) -> Statistics:
    return collect(form.chosen_scope, form.chosen_period, today=timezone.localdate())


def _query_string(form: StatisticsForm) -> str:
    """The form's parameters as a query string, with only the fields its period kind uses."""
    data = form.cleaned_data
    query = QueryDict(mutable=True)
    query["scope"], query["period"] = data["scope"], data["period"]
    used = {
        "month": ("year", "month"),
        "quarter": ("year", "quarter"),
        "year": ("year",),
        "range": ("start", "end"),
    }
    for name in used[data["period"]]:
        value = data[name]
        query[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return query.urlencode()


def _filename(form: StatisticsForm, suffix: str) -> str:
    period = form.chosen_period
    return (
        f"kim-statistik_{form.cleaned_data['scope']}_{period.start:%Y-%m-%d}_{period.end:%Y-%m-%d}.{suffix}"
    )


def _render_page(request, form: StatisticsForm, stats: Statistics | None, status: int = 200):
    context = {"form": form, "stats": stats}
    if stats is not None:
        context.update(
            query=_query_string(form),
            key_figures=[(figure, key_figure_text(figure, exact=True)) for figure in stats.key_figures],
            figures=figures_for_display(stats, exact=True),
            trend=trend_for_display(stats, exact=True),
            small_mark_note=small_mark_note(),
        )
    return render(request, "reporting/statistics.html", context, status=status)


@statistics_view
def statistics(request):
    """The figures for the chosen scope and period, with charts and tables."""
    form = _form(request)
    if not form.is_valid():
        return _render_page(request, form, None)
    return _render_page(request, form, _statistics(form))


@statistics_view
def export_csv(request):
    """All tables (or, with `table=<key>`, one) as CSV, suppressed."""
    form = _form(request)
    if not form.is_valid():
        return _render_page(request, form, None, status=400)
    stats = _statistics(form)
    only = request.GET.get("table") or None
    if only and only not in {table.key for table in exports.export_tables(stats)}:
        raise Http404
    response = HttpResponse(
        exports.to_csv(stats, today=timezone.localdate(), only=only), content_type=CSV_CONTENT_TYPE
    )
    name = _filename(form, "csv") if not only else _filename(form, f"{only}.csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@statistics_view
def export_xlsx(request):
    """All tables as an Excel workbook, one sheet per table, suppressed."""
    form = _form(request)
    if not form.is_valid():
        return _render_page(request, form, None, status=400)
    if settings.KIM_STATISTICS_EXPORT_AS_JOB:
        # Built by a worker; the user waits on the job's page, not in a request.
        from .jobs import statistics_export_start

        return redirect(
            "jobs:detail", statistics_export_start(user=request.user, query=_query_string(form)).pk
        )
    stats = _statistics(form)
    response = HttpResponse(
        exports.to_xlsx(stats, today=timezone.localdate()), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(form, "xlsx")}"'
    return response


@statistics_view
def report(request):
    """The printable report: key figures against the previous period, charts, tables; suppressed."""
    form = _form(request)
    if not form.is_valid():
        return _render_page(request, form, None, status=400)
    stats = _statistics(form)
    previous = collect(form.chosen_scope, form.chosen_period.previous())
    context = {
        "form": form,
        "stats": stats,
        "previous": previous,
        "query": _query_string(form),
        "comparisons": [
            (
                now,
                key_figure_text(now, exact=False),
                key_figure_text(before, exact=False),
                compare(now, before),
            )
            for now, before in zip(stats.key_figures, previous.key_figures, strict=True)
        ],
        "figures": figures_for_display(stats, exact=False, previous=previous, chart_prefix="report"),
        "trend": trend_for_display(stats, exact=False, chart_id="report-trend"),
        "suppression_note": suppression_note(),
        "today": timezone.localdate(),
    }
    return render(request, "reporting/report.html", context)
