import datetime as dt

from django.core.management.base import BaseCommand

from casework.documents import ORPHAN_MIN_AGE, sweep_orphan_documents


class Command(BaseCommand):
    help = (
        "Entfernt gespeicherte Dokumentdateien ohne Datenbankzeile (z. B. nach einem "
        "abgebrochenen Hochladen), die älter als einen Tag sind."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="nur berichten, nichts löschen")
        parser.add_argument(
            "--min-age-hours",
            type=float,
            default=ORPHAN_MIN_AGE.total_seconds() / 3600,
            help="nur Dateien, die mindestens so viele Stunden alt sind (Standard: 24)",
        )

    def handle(self, *args, dry_run: bool, min_age_hours: float, **options):
        report = sweep_orphan_documents(min_age=dt.timedelta(hours=min_age_hours), dry_run=dry_run)
        verb = "würde entfernen" if dry_run else "entfernt"
        for name in report.removed:
            self.stdout.write(f"{verb}: {name}")
        self.stdout.write(
            f"{report.checked} Dateien geprüft, {len(report.removed)} ohne Datenbankzeile {verb}, "
            f"{report.young_orphans} jüngere ohne Zeile belassen."
        )
