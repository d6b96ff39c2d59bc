"""Admin for the catalogues maintained by administrators."""

from typing import ClassVar

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from ..models import (
    ActorType,
    ClosureReason,
    DataCategory,
    LegalFramework,
    Topic,
)
from .mixins import make_active, make_inactive

# --- Catalogues ------------------------------------------------------------------------

STILL_IN_USE = _(
    "Einträge, die noch verwendet werden, können nicht gelöscht werden: sonst gingen Angaben in "
    "Fällen verloren. Deaktivieren Sie sie stattdessen (Häkchen „aktiv“ entfernen oder Aktion "
    "„Ausgewählte Einträge deaktivieren“): Sie werden dann nicht mehr zur Auswahl angeboten."
)


LEGAL_FRAMEWORK_IN_USE = _("%(name)s – eingetragen bei Fällen: %(cases)d, bei Klient/innen: %(clients)d")


class DeactivateInsteadMixin:
    """Rows that protected foreign keys still point to are deactivated, not deleted.

    The admin's confirmation page lists what prevents the deletion; this adds what to do instead.
    """

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = [*protected, *self.in_use(objs)]
        if protected:
            messages.warning(request, STILL_IN_USE)
        return deleted, model_count, perms_needed, protected

    def in_use(self, objs) -> list:
        """Rows in use that no protected foreign key guards (many-to-many links)."""
        return []


class CatalogueAdmin(DeactivateInsteadMixin, admin.ModelAdmin):
    """Values administrators maintain; once in use they are deactivated, not deleted."""

    list_display: tuple[str, ...] = ("name", "sort_order", "is_active")
    list_editable: ClassVar[tuple[str, ...]] = ("sort_order", "is_active")
    list_filter: ClassVar[tuple[str, ...]] = ("is_active",)
    search_fields: ClassVar[tuple[str, ...]] = ("name",)
    readonly_fields = ("created_at", "updated_at")
    actions = (make_active, make_inactive)


@admin.register(Topic)
class TopicAdmin(CatalogueAdmin):
    pass


@admin.register(ActorType)
class ActorTypeAdmin(CatalogueAdmin):
    pass


@admin.register(ClosureReason)
class ClosureReasonAdmin(CatalogueAdmin):
    pass


@admin.register(LegalFramework)
class LegalFrameworkAdmin(CatalogueAdmin):
    list_display = ("name", "code", "sort_order", "is_active")
    search_fields = ("name", "code")

    def in_use(self, objs) -> list:
        # Deleting would drop the links of cases and clients without a trace, and leave its bit
        # in the cases' legal_framework_bits for a later framework to inherit. Named with what
        # uses it: a framework is linked to thousands of cases, too many to list.
        uses = []
        for framework in objs:
            cases, clients = framework.cases.count(), framework.clients.count()
            if cases or clients:
                uses.append(
                    LEGAL_FRAMEWORK_IN_USE % {"name": framework.name, "cases": cases, "clients": clients}
                )
        return uses


@admin.register(DataCategory)
class DataCategoryAdmin(CatalogueAdmin):
    list_display = ("name", "is_special_category", "sort_order", "is_active")
    list_filter = ("is_active", "is_special_category")
