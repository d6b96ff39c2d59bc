"""Running an import: read the file, plan every row, and (only when asked and only when no
row is rejected) apply the plan in one transaction.

The dry run and the real run share the same planning code, so the real run does exactly
what the dry run reported. The real run plans again inside its transaction, against the
data as it is then, and writes nothing at all if anything is rejected or fails.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from casework.models import Actor, Client

from .readers import Deadline, ImportFileError, read_table
from .report import ImportReport, RowAction, RowReport

Progress = Callable[[int, int], None]

APPLY_FAILED = "Beim Schreiben ist ein Fehler aufgetreten; es wurde nichts importiert: %(error)s"


CONCURRENT_IMPORT = "Die Daten wurden gleichzeitig geändert. Bitte starten Sie den Probelauf erneut."


class _Rollback(Exception):
    pass


def _rows_report(importer, plans) -> list[RowReport]:
    reports = []
    for plan in plans:
        reports.extend(getattr(plan, "reports", None) or [plan.report])
    return sorted(reports, key=lambda r: r.row)


def run_import(
    importer,
    *,
    data: bytes,
    filename: str,
    commit: bool = False,
    progress: Progress | None = None,
    deadline: Deadline | None = None,
) -> ImportReport:
    """The row-by-row report of importing `data`; with `commit`, also the import itself.

    Every hard limit (readers: size, rows, cells, XLSX packing; `deadline`: the time per job)
    ends the run with `file_error` set and nothing written. The web's jobs and the commands
    both run imports through here."""
    report = ImportReport(kind=importer.kind)
    deadline = deadline or Deadline()

    def step(done: int, total: int) -> None:
        deadline.check()
        if progress:
            progress(done, total)

    try:
        table = read_table(
            data, filename, required=importer.required_columns, known=importer.columns, check=deadline.check
        )
        if not commit:
            report.rows = _rows_report(importer, importer.plan(table.rows, table.columns, progress=step))
            return report
    except ImportFileError as error:
        report.file_error = error.message
        report.rows = []
        return report
    try:
        with transaction.atomic():
            try:
                plans = importer.plan(table.rows, table.columns, progress=step)
                report.rows = _rows_report(importer, plans)
                if not report.ok:
                    raise _Rollback
                importer.apply(plans, progress=step)
            except ImportFileError as error:
                report.file_error, report.rows = error.message, []
                raise _Rollback from error
            except ValidationError as error:
                report.file_error = _(APPLY_FAILED) % {"error": " ".join(error.messages)}
                raise _Rollback from error
            except IntegrityError as error:
                # Another import of the same rows finished first (unique external ids).
                report.file_error = _(APPLY_FAILED) % {"error": _(CONCURRENT_IMPORT)}
                raise _Rollback from error
            _audit(importer, report)
            report.committed = True
    except _Rollback:
        report.committed = False
    return report


def _audit(importer, report: ImportReport) -> None:
    """One entry for the run as a whole; the services recorded each client and case already.
    Counts only: no names, no external ids."""
    model = Client if importer.kind == "klientinnen" else Actor
    counts = report.counts
    audit_record(
        user=importer.user,
        action=Action.CREATE if counts[RowAction.CREATE] else Action.CHANGE,
        obj=model,
        detail=f"Import: {report.summary()}",
    )
