"""manage.py import_actors FILE --district 05558 [--commit]"""

from django.core.management.base import CommandError

from exchange.actors import ActorImporter
from regions.models import District

from ._import_base import ImportCommand


class Command(ImportCommand):
    help = "Akteure mit Ansprechpersonen aus CSV/XLSX importieren (Standard: Probelauf)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--district", required=True, help="Kreisschlüssel, z. B. 05558")

    def importer(self, options):
        district = District.objects.filter(key=options["district"]).first()
        if district is None:
            raise CommandError(f"Kein Kreis mit dem Schlüssel {options['district']}.")
        return ActorImporter(user=None, district=district)
