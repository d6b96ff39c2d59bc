"""The deletion log in the admin: readable by administrators, changeable by nobody."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMINISTRATION, has_role

from .models import DeletionLog


def may_read_deletion_log(user) -> bool:
    """Like the audit trail: superusers and the Administration role, nobody else."""
    return bool(user.is_active and user.is_staff and (user.is_superuser or has_role(user, ADMINISTRATION)))


@admin.register(DeletionLog)
class DeletionLogAdmin(admin.ModelAdmin):
    list_display = ("run_at", "client_id", "household_id", "summary", "performed_by")
    list_filter = ("run_at",)
    search_fields = ("=client_id", "=household_id")
    ordering = ("-run_at", "-id")
    fields = ("run_at", "client_id", "household_id", "deleted", "rules", "performed_by")
    readonly_fields = fields
    list_select_related = ("performed_by",)
    show_full_result_count = False

    @admin.display(description=_("gelöscht (Anzahl)"))
    def summary(self, obj: DeletionLog) -> str:
        return ", ".join(f"{kind}: {sum(counts.values())}" for kind, counts in obj.deleted.items())

    def has_module_permission(self, request) -> bool:
        return may_read_deletion_log(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return may_read_deletion_log(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
