"""manage.py import_clients FILE --user USERNAME [--commit]"""

from django.core.management.base import CommandError

from accounts.models import User
from accounts.roles import can_import
from exchange.clients import ClientImporter

from ._import_base import ImportCommand


class Command(ImportCommand):
    help = (
        "Klient/innen mit ihren Fällen aus CSV/XLSX importieren (Standard: Probelauf). "
        "Es gelten die Teilregionen des angegebenen Kontos."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--user", required=True, help="Konto (Koordination), in dessen Namen importiert wird"
        )

    def importer(self, options):
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"Kein aktives Konto „{options['user']}“.")
        if not can_import(user):
            raise CommandError(f"„{user.username}“ darf nicht importieren (nur Koordination).")
        return ClientImporter(user=user)
