"""Admin for the network: actors and their contact persons."""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import (
    Actor,
    ContactPerson,
)
from .catalogues import DeactivateInsteadMixin
from .mixins import VersionedAdminForm, VersionedAdminMixin, make_active, make_inactive
from .windows import WindowedInlineMixin

# --- The network -----------------------------------------------------------------------


class ContactPersonInline(WindowedInlineMixin, admin.TabularInline):
    model = ContactPerson
    fields = ("name", "role", "phone", "email", "is_active")
    extra = 0
    show_change_link = True


class ActorAdminForm(VersionedAdminForm):
    # No Meta: ActorAdmin builds the form class with the fields of its fieldsets.

    def clean(self):
        cleaned = super().clean()
        district, municipalities = cleaned.get("district"), cleaned.get("municipalities")
        if district is not None and municipalities is not None:
            outside = municipalities.exclude(region__district=district)
            if outside:
                self.add_error(
                    "municipalities",
                    [
                        services.MUNICIPALITY_OUTSIDE_ACTOR_DISTRICT
                        % {"municipality": municipality.name, "district": district}
                        for municipality in outside
                    ],
                )
        return cleaned


@admin.register(Actor)
class ActorAdmin(VersionedAdminMixin, DeactivateInsteadMixin, admin.ModelAdmin):
    form = ActorAdminForm
    list_display = ("name", "actor_type", "district", "city", "phone", "is_active")
    list_select_related = ("actor_type", "district")
    list_filter = ("actor_type", "is_active", "district", "municipalities__region", "topics")
    search_fields = ("name", "city", "email", "=external_id")
    autocomplete_fields = ("district", "actor_type")
    filter_horizontal = ("municipalities", "topics")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("district", "name", "actor_type", "is_active")}),
        (_("Zuständigkeit und Angebot"), {"fields": ("municipalities", "topics", "description")}),
        (
            _("Anschrift und Erreichbarkeit"),
            {"fields": ("street", "postal_code", "city", "phone", "email", "website")},
        ),
        (_("Verwaltung"), {"fields": ("external_id", "created_at", "updated_at")}),
    )
    inlines = [ContactPersonInline]
    actions = (make_active, make_inactive)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(ContactPerson)
class ContactPersonAdmin(admin.ModelAdmin):
    list_display = ("name", "actor", "role", "phone", "email", "is_active")
    list_select_related = ("actor",)
    list_filter = ("is_active", "actor__actor_type")
    search_fields = ("name", "actor__name", "email")
    autocomplete_fields = ("actor",)
    fields = ("actor", "name", "role", "phone", "email", "is_active", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")
    actions = (make_active, make_inactive)

    def get_queryset(self, request):
        # str() of a contact person names the actor, also in autocomplete results.
        return super().get_queryset(request).select_related("actor")
