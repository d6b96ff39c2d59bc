"""`manage.py setup_demo`: a working demo system in one step (development only).

Migrates, loads demo data into an empty database and gives the demo accounts a
known password, which it prints. Refuses to run unless DEBUG is on, so a demo
password can never end up on a production system.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import ADMINISTRATION
from casework.demo import DEFAULT_DISTRICT_KEY, seed_demo_data
from casework.models import Case
from regions.models import District

DEMO_PASSWORD = "kim-demo-2026"
# The admin needs a second factor; the demo's is fixed so an authenticator app set up once
# keeps working after the next setup_demo. `manage.py totp_code admin` prints the code.
DEMO_TOTP_KEY = "6b696d2d64656d6f2d746f74702d6b65792d3230"
DEMO_ACCOUNTS = [
    ("cm.nord.1", "Case Manager/in, Teilregion Nord"),
    ("koord.nord", "Koordination, Teilregion Nord"),
    ("admin", "Administration (Django admin unter /admin/)"),
]


class Command(BaseCommand):
    help = "Richtet ein Demosystem ein: Migrationen, Demodaten und Demo-Zugänge (nur mit DEBUG)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1500, help="Anzahl der Demofälle.")

    def handle(self, *args, cases: int, **options):
        if not settings.DEBUG:
            raise CommandError("setup_demo läuft nur mit DEBUG=true (Demo-Passwörter!).")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Datenbank ist auf dem neuesten Stand.")
        if not Case.objects.exists():
            self.stdout.write(f"Lege {cases} Demofälle an …")
            seed_demo_data(cases=cases, seed=42, district=District.objects.get(key=DEFAULT_DISTRICT_KEY))
        self._ensure_accounts()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo-Zugänge (Passwort für alle: {DEMO_PASSWORD}):"))
        for username, role in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<12} {role}")
        self.stdout.write("")
        self.stdout.write(
            "Für /admin/ fragt die Anmeldung zusätzlich nach einem Einmalcode (zweiter Faktor). "
            "Den aktuellen Code zeigt:"
        )
        self.stdout.write("  DEBUG=true .venv/bin/python manage.py totp_code admin")
        self.stdout.write(f"oder eine Authenticator-App mit {self._admin_device().config_url}")
        self.stdout.write("")
        self.stdout.write("Start: http://127.0.0.1:8000/  ·  Verwaltung: http://127.0.0.1:8000/admin/")

    @transaction.atomic
    def _ensure_accounts(self) -> None:
        district = District.objects.get(key=DEFAULT_DISTRICT_KEY)
        admin, _ = User.objects.get_or_create(
            username="admin",
            defaults={"first_name": "Demo", "last_name": "Administration", "district": district},
        )
        admin.is_staff = admin.is_superuser = True
        admin.groups.add(Group.objects.get_or_create(name=ADMINISTRATION)[0])
        admin.regions.set(district.regions.all())
        for username, _role in DEMO_ACCOUNTS:
            user = admin if username == "admin" else User.objects.get(username=username)
            user.set_password(DEMO_PASSWORD)
            user.save()
        TOTPDevice.objects.update_or_create(
            user=admin, name="Demo", defaults={"key": DEMO_TOTP_KEY, "confirmed": True}
        )

    def _admin_device(self) -> TOTPDevice:
        return TOTPDevice.objects.get(user__username="admin", name="Demo")
