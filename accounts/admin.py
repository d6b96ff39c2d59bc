"""Admin for staff accounts: Django's user admin plus what KIM needs to know about a person."""

from axes.models import AccessFailureLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User

SERVICE_FIELDS = ("district", "employing_municipality", "regions", "fte")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Dienstliche Angaben"), {"fields": SERVICE_FIELDS}),
    )
    # A new account gets its name and its place in the organisation right away,
    # so it shows up correctly in case assignment from the first day.
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Persönliche Angaben"), {"fields": ("first_name", "last_name", "email")}),
        (_("Dienstliche Angaben"), {"fields": SERVICE_FIELDS}),
    )
    list_display = ("full_name", "username", "employer", "fte", "is_active", "is_staff")
    list_display_links = ("full_name", "username")
    list_select_related = ("district", "employing_municipality")
    list_filter = ("is_active", "is_staff", "is_superuser", "regions", "district", "groups")
    search_fields = ("username", "first_name", "last_name", "email")
    autocomplete_fields = ("district", "employing_municipality")
    filter_horizontal = ("groups", "user_permissions", "regions")

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser makes superusers or hands out single permissions past the roles:
        # a district's administrator could otherwise lift themselves out of their district.
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    @admin.display(description=_("Name"), ordering="last_name")
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

    @admin.display(description=_("Anstellungsträger"))
    def employer(self, obj: User) -> str:
        return obj.employer_label


# django-axes shows its login records in the admin: access attempts (where a lockout is lifted)
# and the access log. Its failure log stays off (AXES_ENABLE_ACCESS_FAILURE_LOG), so its
# always-empty page is not shown either.
admin.site.unregister(AccessFailureLog)
