"""Read-only views of the background work for administrators: when each scheduled task last
ran and what came of it, and the jobs users started (no file contents, no report rows)."""

from django.contrib import admin

from .models import Job, ScheduledRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    list_display = ("task", "started_at", "finished_at", "outcome", "summary")
    list_filter = ("task", "outcome")
    date_hierarchy = "started_at"


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "status", "owner", "progress_done", "progress_total", "finished_at")
    list_filter = ("kind", "status")
    fields = (
        "kind",
        "status",
        "owner",
        "input_name",
        "output_name",
        "progress_done",
        "progress_total",
        "error",
        "created_at",
        "started_at",
        "finished_at",
        "expires_at",
    )
    list_select_related = ("owner",)
