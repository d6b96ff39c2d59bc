"""`manage.py totp_code <username>`: the current admin login code, for the demo only.

On a demo system nobody wants to set up an authenticator app to look at the admin. The
command refuses to run unless DEBUG is on: on a real system it would defeat the second factor.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def current_token(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


class Command(BaseCommand):
    help = "Zeigt den aktuellen Einmalcode eines Kontos (nur mit DEBUG, für das Demosystem)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG:
            raise CommandError("totp_code läuft nur mit DEBUG=true (Demosystem).")
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} hat kein TOTP-Gerät (manage.py add_totp_device {username}).")
        self.stdout.write(current_token(device))
