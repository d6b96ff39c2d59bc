"""`manage.py access_table`: the role × scope table of docs/datenschutz.md, from accounts.roles."""

from django.core.management.base import BaseCommand

from privacy.access_table import access_table, inventory_table


class Command(BaseCommand):
    help = "Gibt die Tabelle „Wer sieht was“ (Rollen × Reichweite) aus den Zugriffsregeln aus."

    def handle(self, *args, **options):
        self.stdout.write(access_table())
        self.stdout.write("")
        self.stdout.write(inventory_table())
