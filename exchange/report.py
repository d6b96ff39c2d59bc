"""What an import did or would do, row by row: the dry run's answer and the real run's record."""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class RowAction(models.TextChoices):
    CREATE = "create", _("neu")
    UPDATE = "update", _("geändert")
    UNCHANGED = "unchanged", _("unverändert")
    REJECTED = "rejected", _("abgelehnt")


@dataclass
class RowReport:
    row: int
    key: str
    action: str
    messages: list[str] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return str(RowAction(self.action).label)

    def text(self) -> str:
        detail = "; ".join(str(m) for m in self.messages)
        return f"Zeile {self.row} [{self.key or '–'}]: {self.action_label}" + (
            f" – {detail}" if detail else ""
        )


@dataclass
class ImportReport:
    kind: str
    rows: list[RowReport] = field(default_factory=list)
    file_error: str = ""
    committed: bool = False

    @property
    def rejected(self) -> list[RowReport]:
        return [row for row in self.rows if row.action == RowAction.REJECTED]

    @property
    def ok(self) -> bool:
        """Whether the real run may go ahead: the file is readable and no row is rejected."""
        return not self.file_error and not self.rejected

    @property
    def counts(self) -> dict[str, int]:
        counts = {action.value: 0 for action in RowAction}
        for row in self.rows:
            counts[row.action] += 1
        return counts

    def summary(self) -> str:
        counts = self.counts
        return (
            f"{counts['create']} neu, {counts['update']} geändert, "
            f"{counts['unchanged']} unverändert, {counts['rejected']} abgelehnt"
        )


def report_to_dict(report: ImportReport) -> dict:
    """What a job keeps of its report (jobs.Job.result): row numbers, keys, messages."""
    return {
        "kind": report.kind,
        "file_error": report.file_error,
        "committed": report.committed,
        "rows": [[row.row, row.key, row.action, [str(m) for m in row.messages]] for row in report.rows],
    }


def report_from_dict(data: dict) -> ImportReport:
    return ImportReport(
        kind=data.get("kind", ""),
        file_error=data.get("file_error", ""),
        committed=data.get("committed", False),
        rows=[RowReport(row=r, key=k, action=a, messages=list(m)) for r, k, a, m in data.get("rows", [])],
    )
