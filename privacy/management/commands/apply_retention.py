"""`manage.py apply_retention [--dry-run] [--today YYYY-MM-DD]`: run the retention rules.

Meant for a nightly job. The logic lives in privacy.services.retention_run.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from privacy.services import retention_run


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--today erwartet ein Datum im Format JJJJ-MM-TT, nicht {value!r}.") from error


class Command(BaseCommand):
    help = (
        "Löscht Dokumente und Notizen und anonymisiert Klient/innen, deren Aufbewahrungsfristen "
        "(settings.KIM_RETENTION) abgelaufen sind, und schreibt das Löschprotokoll."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Nur berichten, was gelöscht würde; nichts ändern.",
        )
        parser.add_argument(
            "--today",
            type=_date,
            default=None,
            help="Stichtag im Format JJJJ-MM-TT (Standard: heute).",
        )

    def handle(self, *args, dry_run: bool, today: dt.date | None, **options):
        report = retention_run(today=today or timezone.localdate(), dry_run=dry_run, by=None)
        for line in report.lines():
            self.stdout.write(line)
