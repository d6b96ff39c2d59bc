"""Building blocks shared by the casework admins: messages, reference search, case scope,
large tables, the version check of change forms."""

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.roles import restrict_cases
from kim.pagination import CappedAdminPaginator

from ..concurrency import ConcurrentEditError, bump_version
from ..models import (
    Case,
)
from ..references import normalise_reference

CASE_MUNICIPALITY_OUTSIDE_DISTRICT = _(
    "Die Kommune gehört nicht zum Kreis dieses Falls (%(district)s). "
    "Das Aktenzeichen bleibt beim Kreis, in dem der Fall eröffnet wurde."
)
OPENED_AFTER_CLOSED = _("Das Eröffnungsdatum darf nicht nach dem Abschlussdatum (%(closed_on)s) liegen.")
OPENED_AFTER_FIRST_ENTRY = _(
    "Das Eröffnungsdatum darf nicht nach dem ersten Kontakt oder der ersten Vermittlung (%(date)s) liegen."
)
DOCUMENT_TOO_LARGE = _("Die Datei ist zu groß: höchstens %(max)s sind erlaubt.")
SUBJECT_HELP = _("Ein Fall gehört entweder zu einer Person oder zu einem Haushalt, nie zu beiden.")

# --- Shared building blocks ----------------------------------------------------------


def leads_an_index(model, name: str) -> bool:
    """Whether a column of `model` can be sorted by along an index: its own column (not a join to
    another table's) that is the key, unique, indexed, or the first column of a Meta index."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    if not getattr(field, "concrete", False) or field.is_relation:
        return False
    if field.primary_key or field.unique or field.db_index:
        return True
    return any(index.fields and index.fields[0].lstrip("-") == name for index in model._meta.indexes)


class IndexedSortChangeList(ChangeList):
    """A changelist that sorts only by the columns its admin offers (`sortable_by`): the admin's
    own changelist hides the other columns' sort links but still follows `?o=` for them."""

    def get_ordering_field(self, field_name):
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)


class LargeTableMixin:
    """Settings for tables that grow with the casework (up to millions of rows).

    Sorting is offered only by columns an index leads with: any other sort (a municipality's or
    a case manager's name through a join, an unindexed date) sorts the whole table, which took
    longer than ten seconds on a million cases. Pages end at 200 (CappedAdminPaginator).
    """

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    paginator: type[Paginator] = CappedAdminPaginator

    def get_changelist(self, request, **kwargs):
        return IndexedSortChangeList

    def get_sortable_by(self, request):
        if self.sortable_by is not None:  # an admin's own choice
            return self.sortable_by
        sortable = []
        for name in self.get_list_display(request):
            order_field = getattr(getattr(self, name, None), "admin_order_field", None) or name
            if isinstance(order_field, str) and leads_an_index(self.model, order_field.lstrip("-")):
                sortable.append(name)
        return sortable


class ReferenceSearchMixin:
    """Search by Aktenzeichen through the unique index instead of a case-insensitive scan.

    `=reference` in `search_fields` becomes `UPPER(reference) = UPPER(...)`, which
    no plain index serves; an exact match on the normalised reference does.
    """

    reference_lookup = "case__reference"

    def get_search_results(self, request, queryset, search_term):
        reference = normalise_reference(search_term)
        if reference is not None:
            return queryset.filter(**{self.reference_lookup: reference}), False
        if search_term.strip() and not self._other_search_fields(request):
            # What is no Aktenzeichen matches none: no need to compare every row's.
            return queryset.none(), False
        request._kim_search_without_reference = True
        return super().get_search_results(request, queryset, search_term)

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if getattr(request, "_kim_search_without_reference", False):
            return self._other_search_fields(request)
        return fields

    def _other_search_fields(self, request) -> list[str]:
        return [
            name
            # A mixin for ModelAdmin: the search fields come from the admin it is mixed into.
            for name in super().get_search_fields(request)  # type: ignore[misc]
            if name.lstrip("=^@") != self.reference_lookup
        ]


class CaseScopeMixin:
    """Staff other than superusers see the case data of their regions only.

    Who may read which case is decided in `accounts.roles`; the admin only asks.
    `case_path` leads from the model to its case ("" for the case itself).
    """

    case_path = "case"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        if not self.case_path:
            return restrict_cases(queryset, request.user)
        visible = restrict_cases(Case.objects.all(), request.user)
        return queryset.filter(**{f"{self.case_path}__in": visible})


@admin.action(description=_("Ausgewählte Einträge aktivieren"), permissions=["change"])
def make_active(modeladmin, request, queryset):
    count = queryset.update(is_active=True, updated_at=timezone.now())
    message = ngettext("%(count)d Eintrag aktiviert.", "%(count)d Einträge aktiviert.", count)
    modeladmin.message_user(request, message % {"count": count})


@admin.action(description=_("Ausgewählte Einträge deaktivieren"), permissions=["change"])
def make_inactive(modeladmin, request, queryset):
    count = queryset.update(is_active=False, updated_at=timezone.now())
    message = ngettext("%(count)d Eintrag deaktiviert.", "%(count)d Einträge deaktiviert.", count)
    modeladmin.message_user(request, message % {"count": count})


# --- No lost updates: the version check of the change forms (casework/concurrency.py) ---

ADMIN_VERSION_FIELD = "edit_version"


class VersionedAdminForm(forms.ModelForm):
    """A change form that carries the row's version and refuses a save that started from an
    older one. The admin validates and saves in one transaction: the row is read here under
    a lock, so nobody can save it between this check and this save."""

    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields[ADMIN_VERSION_FIELD].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        expected = cleaned.get(ADMIN_VERSION_FIELD)
        if self.instance.pk and expected is not None:
            model = type(self.instance)
            stored = model.objects.select_for_update().get(pk=self.instance.pk)
            if stored.version != expected:
                # Shown with the form, which keeps the input; it now carries the current
                # version, so saving again (after checking) goes through.
                data = self.data.copy()
                data[self.add_prefix(ADMIN_VERSION_FIELD)] = str(stored.version)
                self.data = data
                raise ConcurrentEditError(stored)
        return cleaned


class VersionedAdminMixin:
    """Adds the hidden version to the change form and counts the version up on save."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None or not fieldsets:
            return fieldsets
        name, options = fieldsets[0]
        return [(name, {**options, "fields": (*options["fields"], ADMIN_VERSION_FIELD)}), *fieldsets[1:]]

    def save_model(self, request, obj, form, change):
        if change:
            bump_version(obj)
        super().save_model(request, obj, form, change)
