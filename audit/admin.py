"""The audit trail in the admin: for administrators to read, for nobody to change.

The table grows to tens of millions of rows, so the list never counts or sorts the
whole table: it pages backwards along the primary key (entries are appended in time
order, so that is newest first), filters offer fixed choices only, and the search
looks up exact values through an index.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import ADMINISTRATION, has_role
from casework.references import normalise_reference
from kim.pagination import CappedAdminPaginator

from .admin_mixins import AuditedAdminMixin
from .models import AuditEntry


def may_read_audit_trail(user) -> bool:
    """Superusers and the Administration role read the trail; nobody else, not even Koordination."""
    return bool(user.is_active and user.is_staff and (user.is_superuser or has_role(user, ADMINISTRATION)))


class ObjectTypeFilter(admin.SimpleListFilter):
    """The kinds of object the trail records, from the admins that record them.

    A fixed list: the field's own filter would run `SELECT DISTINCT` over the whole table.
    """

    title = _("Objektart")
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        audited = {
            model._meta.label_lower: model._meta.verbose_name
            for model, model_admin in model_admin.admin_site._registry.items()
            if isinstance(model_admin, AuditedAdminMixin)
        }
        return sorted(audited.items(), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(object_type=self.value())
        return queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "action", "object_type", "object_id", "case_reference", "field_names")
    list_filter = ("action", ObjectTypeFilter, ("at", admin.DateFieldListFilter))
    search_fields = ("=case_reference", "=username", "=object_id")
    search_help_text = _("Genau ein Aktenzeichen, ein Benutzername oder eine Objekt-ID.")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedAdminPaginator
    list_per_page = 50
    # Newest first along the primary key; sorting by a column would sort the whole table.
    ordering = ("-id",)
    sortable_by = ()
    actions = None
    fields = (
        "at",
        "user",
        "username",
        "action",
        "object_type",
        "object_id",
        "case_reference",
        "fields",
        "detail",
    )
    readonly_fields = fields

    @admin.display(description=_("geänderte Felder"))
    def field_names(self, obj: AuditEntry) -> str:
        return ", ".join(obj.fields)

    def get_search_results(self, request, queryset, search_term):
        """One exact lookup, chosen by what the term looks like, so one index answers it.

        An Aktenzeichen goes to `case_reference`, a number to `object_id` (the index starts
        with the type: the chosen Objektart, or each type in turn), anything else is a user:
        by account through the (user, at) index, by the stored name only for accounts that
        no longer exist (a partial index). An OR across columns would scan the whole table.
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        reference = normalise_reference(term)
        if reference is not None:
            return queryset.filter(case_reference=reference), False
        if term.isdigit():
            if request.GET.get(ObjectTypeFilter.parameter_name):
                return queryset.filter(object_id=term), False
            # Without the Objektart filter, each type the trail holds is one probe of the
            # (object_type, object_id, at) index; `object_id` alone would scan the table.
            types = AuditEntry.objects.object_types()
            return queryset.filter(object_type__in=types, object_id=term), False
        user_pk = User.objects.filter(username=term).values_list("pk", flat=True).first()
        if user_pk is not None:
            return queryset.filter(user_id=user_pk), False
        # An account that no longer exists: its entries keep the name, their user is NULL.
        return queryset.filter(user__isnull=True, username=term), False

    def has_module_permission(self, request):
        return may_read_audit_trail(request.user)

    def has_view_permission(self, request, obj=None):
        return may_read_audit_trail(request.user)

    # Append-only: not even a superuser adds, changes or deletes an entry here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
