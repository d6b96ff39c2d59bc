"""Where case documents are stored, and how no file outlives its row.

Documents go through Django's storage API (the "documents" storage of settings.STORAGES): the
private media folder by default, an S3-compatible object store by configuration, so several
app servers share them.

A file is written before its row is committed, so a process killed in between leaves a file
without a row. `services.document_upload` removes the file itself when the transaction fails
with an exception; for what an exception cannot reach (SIGKILL, power loss, an enclosing
transaction rolled back later) `sweep_orphan_documents()` removes every file under the
documents' folder that has no row and is older than a day (younger ones may belong to an
upload still in progress). It runs from the scheduler and as `manage.py sweep_documents`.
"""

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.files.storage import Storage
from django.utils import timezone

from casework.models import Document

logger = logging.getLogger(__name__)

# Every document's name starts with this folder (casework.models.document_upload_path); the
# sweep looks nowhere else, so import and export files in the same storage are not touched.
DOCUMENTS_FOLDER = "cases"
ORPHAN_MIN_AGE = dt.timedelta(days=1)
_NAMES_PER_QUERY = 500


def document_storage() -> Storage:
    return Document._meta.get_field("file").storage


def store_document_file(*, case, upload) -> str:
    """Write an uploaded file under its final, name-free path; returns the stored name."""
    file_field = Document._meta.get_field("file")
    name = file_field.generate_filename(Document(case=case), upload.name)
    return file_field.storage.save(name, upload, max_length=file_field.max_length)


@dataclass
class SweepReport:
    checked: int = 0
    removed: list[str] = field(default_factory=list)
    # Files without a row that are younger than the minimum age: left for a later run.
    young_orphans: int = 0


def _walk(storage: Storage, folder: str) -> Iterator[tuple[str, list[str]]]:
    """(folder, file names in it) for the folder and everything below it."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    yield folder, [f"{folder}/{name}" for name in files]
    for sub in sorted(folders):
        yield from _walk(storage, f"{folder}/{sub}")


def _names_with_rows(names: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(names), _NAMES_PER_QUERY):
        chunk = names[start : start + _NAMES_PER_QUERY]
        known.update(Document.objects.filter(file__in=chunk).values_list("file", flat=True))
    return known


def sweep_orphan_documents(*, min_age: dt.timedelta = ORPHAN_MIN_AGE, dry_run: bool = False) -> SweepReport:
    """Remove (or with dry_run only report) stored document files that have no row.

    Safe to run at any time and more than once, also two at once: it only deletes files that
    have no row and are older than min_age, and deleting a file that is already gone is a
    no-op.
    """
    storage = document_storage()
    cutoff = timezone.now() - min_age
    report = SweepReport()
    for _folder, names in _walk(storage, DOCUMENTS_FOLDER):
        report.checked += len(names)
        known = _names_with_rows(names)
        for name in names:
            if name in known:
                continue
            try:
                modified = storage.get_modified_time(name)
            except FileNotFoundError:
                continue
            if modified > cutoff:
                report.young_orphans += 1
                continue
            if not dry_run:
                storage.delete(name)
            report.removed.append(name)
    # Counts only: a stored name carries a case's id.
    logger.info(
        "Document sweep%s: %d files checked, %d without a row removed, %d younger ones left",
        " (dry run)" if dry_run else "",
        report.checked,
        len(report.removed),
        report.young_orphans,
    )
    return report
