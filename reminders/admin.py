from django.contrib import admin

from .models import DigestSent


@admin.register(DigestSent)
class DigestSentAdmin(admin.ModelAdmin):
    """Which digests went out (who, which day, how many entries): read-only."""

    list_display = ("day", "user", "items", "sent_at")
    list_filter = ("day",)
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
