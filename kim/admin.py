"""The admin site: Django's admin behind a second factor (django-otp, TOTP).

Staff see the admin only once a confirmed OTP device has verified them in this session;
until then the admin treats them as if they were not staff and shows its login page with
a code field. Devices are created with `manage.py add_totp_device <username>`.
"""

from django import forms
from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from accounts.forms import UsernameLengthMixin

NO_OTP_DEVICE = _(
    "Für dieses Konto ist noch kein zweiter Faktor eingerichtet. Bitten Sie die Administration, "
    "Ihnen einen Zugang für die Authenticator-App einzurichten."
)


class KimAdminAuthenticationForm(UsernameLengthMixin, OTPAdminAuthenticationForm):
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


def _keys_only(optgroups):
    """Django's autocomplete widgets look the submitted values up again to show them; a value that
    is no key at all (a hand-made request: "abc" for an id, or a number beyond a 64-bit integer,
    which SQLite refuses with OverflowError) makes that lookup fail with a 500 instead of the
    form's own "invalid choice" error. Such values are left out of the lookup."""

    def wrapped(self, name, value, attr=None):
        remote = self.field.remote_field
        key = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        valid = []
        for item in value:
            try:
                prepared = key.get_prep_value(key.to_python(item))
            except (TypeError, ValueError, ValidationError):
                continue
            if isinstance(prepared, int) and not -(2**63) <= prepared < 2**63:
                continue
            valid.append(item)
        return optgroups(self, name, valid, attr)

    return wrapped


AutocompleteMixin.optgroups = _keys_only(AutocompleteMixin.optgroups)
