"""`manage.py seed_demo --cases 10000 [--seed 42] [--district 05558]`: fill the database with demo data."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from casework.demo import DEFAULT_DISTRICT_KEY, seed_demo_data
from regions.models import District


class Command(BaseCommand):
    help = (
        "Legt reproduzierbare Demodaten an: Mitarbeitende und Akteure (einmalig) sowie "
        "Klient/innen und Fälle mit Verlauf (bei jedem Aufruf zusätzlich)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1000, help="Anzahl der anzulegenden Fälle.")
        parser.add_argument("--seed", type=int, default=42, help="Startwert für den Zufallsgenerator.")
        parser.add_argument(
            "--district",
            default=DEFAULT_DISTRICT_KEY,
            help="Kreisschlüssel oder Kürzel des Kreises (Standard: 05558, Kreis Coesfeld).",
        )

    def handle(self, *args, cases: int, seed: int, district: str, **options):
        if cases < 0:
            raise CommandError("--cases darf nicht negativ sein.")
        found = District.objects.filter(Q(key=district) | Q(code=district.upper())).first()
        if found is None:
            raise CommandError(f"Kein Kreis mit dem Schlüssel oder Kürzel „{district}“ gefunden.")
        started = time.perf_counter()
        counts = seed_demo_data(cases=cases, seed=seed, district=found)
        elapsed = time.perf_counter() - started
        width = max(len(name) for name in counts)
        self.stdout.write(f"Demodaten für {found} (Seed {seed}):")
        for name, count in counts.items():
            self.stdout.write(f"  {name:<{width}}  {count:>8}")
        self.stdout.write(self.style.SUCCESS(f"Fertig in {elapsed:.1f} s."))
