"""What both import commands share: read the file, run, print the report, set the exit code."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exchange.progress import ProgressBar
from exchange.report import RowAction
from exchange.services import run_import


class ImportCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV- oder XLSX-Datei")
        parser.add_argument(
            "--commit",
            action="store_true",
            help="wirklich importieren (ohne diese Option nur Probelauf, es wird nichts geschrieben)",
        )

    def importer(self, options):
        raise NotImplementedError

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Datei nicht gefunden: {path}")
        importer = self.importer(options)
        commit = options["commit"]
        report = run_import(
            importer,
            data=path.read_bytes(),
            filename=path.name,
            commit=commit,
            progress=ProgressBar(
                "Prüfen und importieren" if commit else "Probelauf", stream=self.stderr._out
            ),
        )
        if report.file_error:
            raise CommandError(report.file_error)
        for row in report.rows:
            style = self.style.ERROR if row.action == RowAction.REJECTED else (lambda text: text)
            self.stdout.write(style(row.text()))
        self.stdout.write(report.summary())
        if report.rejected:
            raise CommandError(
                "Abgelehnte Zeilen: es wurde nichts importiert." if commit else "Abgelehnte Zeilen."
            )
        if commit:
            self.stdout.write(self.style.SUCCESS("Import abgeschlossen."))
        else:
            self.stdout.write("Probelauf: es wurde nichts geschrieben. Mit --commit wirklich importieren.")
