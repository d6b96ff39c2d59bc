"""`manage.py add_totp_device <username>`: give a staff account its second factor.

Prints the otpauth:// address (and the secret for manual entry) once; an authenticator app
(FreeOTP, Google Authenticator, Microsoft Authenticator, …) takes it as a QR code or by
hand. The admin never shows the secret again.
"""

from base64 import b32encode

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User


class Command(BaseCommand):
    help = "Richtet für ein Konto einen zweiten Faktor (TOTP, Authenticator-App) ein."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Authenticator-App", help="Bezeichnung des Geräts.")
        parser.add_argument(
            "--replace", action="store_true", help="Vorhandene TOTP-Geräte des Kontos ersetzen."
        )

    @transaction.atomic
    def handle(self, *args, username: str, name: str, replace: bool, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"Kein Konto mit dem Benutzernamen {username!r}.") from exc
        existing = TOTPDevice.objects.filter(user=user)
        if existing.exists() and not replace:
            raise CommandError(
                f"{username} hat schon ein TOTP-Gerät. Mit --replace wird es ersetzt "
                "(die alte App-Einrichtung gilt dann nicht mehr)."
            )
        existing.delete()
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
        if not user.is_staff:
            self.stderr.write(
                self.style.WARNING(f"Hinweis: {username} ist kein Staff-Konto und kann /admin/ nicht nutzen.")
            )
        self.stdout.write(f"TOTP-Gerät für {username} eingerichtet. In die Authenticator-App übernehmen:")
        self.stdout.write(f"  {device.config_url}")
        self.stdout.write(f"  Schlüssel zur Eingabe von Hand: {secret_base32(device)}")
        self.stdout.write("Diese Angaben werden nicht noch einmal angezeigt.")


def secret_base32(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode()
