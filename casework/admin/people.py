"""Admin for people: households and clients."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.roles import restrict_cases, restrict_clients
from audit.admin_mixins import audited

from ..models import (
    Case,
    Client,
    Household,
)
from .mixins import LargeTableMixin, VersionedAdminForm, VersionedAdminMixin
from .windows import WindowedInlineMixin

# --- People ----------------------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    """Shows related rows without offering to add, change or delete them."""

    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SubjectCaseInline(WindowedInlineMixin, ReadOnlyInline):
    """The cases of a client or household, as links."""

    model = Case
    fields = ("reference", "phase", "municipality", "case_manager", "opened_on", "closed_on")
    verbose_name_plural = _("Fälle")

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("municipality", "case_manager")
        return restrict_cases(queryset, request.user)


class ClientCaseInline(SubjectCaseInline):
    fk_name = "client"


class HouseholdCaseInline(SubjectCaseInline):
    fk_name = "household"


class ClientInline(admin.TabularInline):
    """Members of a household; people are added and edited on their own page."""

    model = Client
    fields = ("last_name", "first_name", "date_of_birth", "household_role")
    readonly_fields = ("last_name", "first_name", "date_of_birth")
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("Mitglieder")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Household)
@audited
class HouseholdAdmin(LargeTableMixin, admin.ModelAdmin):
    list_display = ("name", "municipality")
    list_select_related = ("municipality",)
    list_filter = ("municipality__region", "municipality")
    search_fields = ("^name",)
    autocomplete_fields = ("municipality",)
    fields = ("name", "municipality", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")
    inlines = [ClientInline, HouseholdCaseInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # A household is visible through its members: the rule for people lives in accounts.roles.
        members = restrict_clients(Client.objects.filter(household__isnull=False), request.user)
        return queryset.filter(pk__in=members.values("household"))


@admin.register(Client)
@audited
class ClientAdmin(VersionedAdminMixin, LargeTableMixin, admin.ModelAdmin):
    form = VersionedAdminForm
    list_display = (
        "last_name",
        "first_name",
        "date_of_birth",
        "municipality",
        "household",
        "residence_status",
        "residence_valid_until",
    )
    list_display_links = ("last_name", "first_name")
    list_select_related = ("municipality", "household")
    list_filter = (
        "municipality__region",
        "residence_status",
        "residence_valid_until",
        "legal_frameworks",
        "gender",
        "needs_interpreter",
        "anonymised_at",
    )
    search_fields = ("^last_name", "^first_name", "=external_id")
    # Newest first, and no sorting by name: a search for a common name matches tens of
    # thousands of clients, which only the id order pages through without sorting them all.
    ordering = ("-id",)
    sortable_by = ()
    autocomplete_fields = ("municipality", "household")
    filter_horizontal = ("legal_frameworks",)
    readonly_fields = ("anonymised_at", "created_at", "updated_at")
    fieldsets = (
        (
            _("Person"),
            {
                "fields": (
                    ("first_name", "last_name"),
                    "date_of_birth",
                    "gender",
                    "nationality",
                    "languages",
                    "needs_interpreter",
                )
            },
        ),
        (
            _("Aufenthalt und Rechtskreise"),
            {"fields": ("residence_status", "residence_valid_until", "legal_frameworks")},
        ),
        (
            _("Wohnort und Erreichbarkeit"),
            {"fields": ("municipality", "street", "postal_code", "phone", "email")},
        ),
        (_("Haushalt / Familie"), {"fields": ("household", "household_role")}),
        (_("Verwaltung"), {"fields": ("external_id", "anonymised_at", "created_at", "updated_at")}),
    )
    inlines = [ClientCaseInline]

    def get_queryset(self, request):
        return restrict_clients(super().get_queryset(request), request.user)
