"""The admin site: Django's admin behind a second factor (django-otp, TOTP).

Staff see the admin only once a confirmed OTP device has verified them in this session;
until then the admin treats them as if they were not staff and shows its login page with
a code field. Devices are created with `manage.py add_totp_device <username>`.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

NO_OTP_DEVICE = _(
    "Für dieses Konto ist noch kein zweiter Faktor eingerichtet. Bitten Sie die Administration, "
    "Ihnen einen Zugang für die Authenticator-App einzurichten."
)


class KimAdminAuthenticationForm(OTPAdminAuthenticationForm):
    """Username, password and the six-digit code in one step.

    django-otp asks for the device in a second round when none is chosen; an account with a
    single device needs no choice, so that device is taken.
    """

    otp_token = forms.CharField(
        label=_("Einmalcode aus der Authenticator-App"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is not None:
            return device
        devices = list(devices_for_user(user, confirmed=True, for_verify=True))
        if not devices:
            raise forms.ValidationError(NO_OTP_DEVICE, code="no_device")
        return devices[0] if len(devices) == 1 else None


class KimAdminSite(OTPAdminSite):
    site_header = "KIM – Fallarbeit und Netzwerk"
    site_title = "KIM Verwaltung"
    index_title = "Verwaltung"
    login_form = KimAdminAuthenticationForm

    def __init__(self, name: str = "admin"):
        # OTPAdminSite defaults to the name "otpadmin"; every reverse("admin:…") needs "admin".
        super().__init__(name)
