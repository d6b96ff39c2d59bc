"""The admin site: Django's admin behind a second factor (django-otp, TOTP).

Staff see the admin only once a confirmed OTP device has verified them in this session;
until then the admin treats them as if they were not staff and shows its login page with
a code field. Devices are created with `manage.py add_totp_device <username>`.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from accounts.forms import UsernameLengthMixin
from accounts.roles import ADMIN_DISTRICT_SCOPES, restrict_admin_rows

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


class DistrictScopeAdminMixin:
    """A district's administrator sees and edits their district only; superusers everything.

    Put in front of every ModelAdmin by KimAdminSite.register, so no admin (ours or an installed
    app's) can forget it: lists, change pages, searches and autocompletes go through
    get_queryset; the choices of a form's related fields and the related list filters are
    narrowed the same way. accounts.roles.ADMIN_DISTRICT_SCOPES says which models hold a
    district's data and how to find the district.
    """

    def get_queryset(self, request):
        return restrict_admin_rows(super().get_queryset(request), request.user)

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        model = db_field.remote_field.model
        if request.user.is_superuser or model._meta.label_lower not in ADMIN_DISTRICT_SCOPES:
            return queryset
        if queryset is None:
            queryset = model._default_manager.using(db).all()
        return restrict_admin_rows(queryset, request.user)

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [self._scoped_list_filter(item) for item in filters]

    def _scoped_list_filter(self, item):
        """A filter by a related model with district data offers only the values of the rows
        this user sees (RelatedOnlyFieldListFilter), not every district's."""
        if not isinstance(item, str):
            return item
        try:
            field = get_fields_from_path(self.model, item)[-1]
        except (FieldDoesNotExist, NotRelationField):
            return item
        related = getattr(field, "related_model", None)
        if related is not None and related._meta.label_lower in ADMIN_DISTRICT_SCOPES:
            return (item, admin.RelatedOnlyFieldListFilter)
        return item


class KimAdminSite(OTPAdminSite):
    site_header = "KIM – Fallarbeit und Netzwerk"
    site_title = "KIM Verwaltung"
    index_title = "Verwaltung"
    login_form = KimAdminAuthenticationForm

    def __init__(self, name: str = "admin"):
        # OTPAdminSite defaults to the name "otpadmin"; every reverse("admin:…") needs "admin".
        super().__init__(name)

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, DistrictScopeAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (DistrictScopeAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
            )
        return super().register(model_or_iterable, admin_class, **options)


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
