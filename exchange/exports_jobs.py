"""The case list export, built once for the page's direct download and for the export job.

A list of up to settings.KIM_EXPORT_INLINE_MAX_ROWS cases is sent at once; a longer one is
built by a worker and offered for download when ready (jobs.views), so no request waits for
tens of thousands of rows. Both are audited the same way, as the user who asked.
"""

from dataclasses import dataclass

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record_list_export, used_filter_names
from casework import selectors
from casework.filters.cases import CaseFilter
from casework.models import Case
from jobs import services as jobs
from jobs.models import Job, JobKind

from . import exports

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class CaseExport:
    content: bytes
    content_type: str
    filename: str
    count: int


def case_filter(*, user, query: QueryDict) -> CaseFilter:
    return CaseFilter(query or None, queryset=selectors.case_list(user=user), user=user)


def filtered_cases(case_filter_: CaseFilter):
    return case_filter_.qs if case_filter_.is_bound else case_filter_.queryset


def _filter_names(filterset) -> str:
    if not filterset.is_bound or not filterset.form.is_valid():
        return ""
    return ", ".join(used_filter_names(filterset.form.cleaned_data, ignore=("o", "page")))


def build_case_export(*, user, query: QueryDict, fmt: str, progress=None) -> CaseExport:
    """The case list as the list page shows it: same filters, same sorting, same columns."""
    found = case_filter(user=user, query=query)
    cases = selectors.case_export_rows(filtered_cases(found))
    names = _filter_names(found)
    audit_record_list_export(
        user=user,
        model=Case,
        detail=f"Fallliste {fmt.upper()}, {len(cases)} Fälle" + (f"; Filter: {names}" if names else ""),
    )
    if progress:
        progress(len(cases) // 2, len(cases))
    stamp = f"{timezone.localdate():%Y-%m-%d}"
    header = exports.case_header()
    if fmt == "csv":
        content = exports.to_csv(header, exports.case_rows(cases, dates_as_text=True))
        return CaseExport(content, CSV_CONTENT_TYPE, f"faelle-{stamp}.csv", len(cases))
    content = exports.to_xlsx(_("Fälle"), header, exports.case_rows(cases, dates_as_text=False))
    return CaseExport(content, XLSX_CONTENT_TYPE, f"faelle-{stamp}.xlsx", len(cases))


def case_export_start(*, user, query: QueryDict, fmt: str) -> Job:
    from .tasks import case_export_job

    job = jobs.job_create(
        kind=JobKind.CASE_EXPORT, owner=user, params={"fmt": fmt, "query": query.urlencode()}
    )
    jobs.enqueue(case_export_job, job)
    return job


def run_case_export(job: Job) -> None:
    if job.is_finished:
        return
    jobs.job_started(job)
    export = build_case_export(
        user=job.owner,
        query=QueryDict(job.params.get("query", "")),
        fmt=job.params.get("fmt", "csv"),
        progress=jobs.progress_reporter(job),
    )
    stored = jobs.store_file(prefix="exports", data=export.content)
    jobs.job_finish(
        job,
        result={"count": export.count},
        output_file=stored,
        output_name=export.filename,
        output_type=export.content_type,
    )
