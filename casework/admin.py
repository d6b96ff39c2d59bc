"""Admin for the network, the catalogues, clients and cases.

The admin is for administrators, and the case tables grow to hundreds of thousands
of rows. Hence, on every big table:

- no full (unfiltered) count, no facet counts, no `date_hierarchy`: each of them
  scans the whole table on every page view;
- `list_select_related` names exactly the relations the columns show, so a page
  of results is one query;
- search uses prefix (`^`) and exact (`=`) lookups, and an Aktenzeichen typed into
  the search box is looked up exactly through its unique index;
- list filters offer small, fixed choices (catalogues, regions, dates); a filter
  whose choices come from a `SELECT DISTINCT` over the big table is never used;
- every foreign key is an autocomplete field rather than a `<select>` of all rows.

Writes follow the rule of `services.py`: a case is opened, handed over and takes
new entries only through the service functions, so the reference number, the
phase history and the handover record are written exactly as in the product.
"""

import re

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.roles import restrict_cases, restrict_clients
from audit.admin_mixins import audited
from kim.pagination import EstimatedCountPaginator

from . import services
from .concurrency import ConcurrentEditError, bump_version
from .lifecycle import CASE_IS_CLOSED
from .models import (
    Actor,
    ActorType,
    Case,
    CaseAssignment,
    Client,
    ClosureReason,
    Consent,
    Contact,
    ContactPerson,
    DataCategory,
    Document,
    FollowUp,
    Goal,
    GoalStatusChange,
    Household,
    LegalFramework,
    PhaseChange,
    Referral,
    Topic,
)
from .names import normalise_name

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

# Accepts what people type for an Aktenzeichen: "COE-2026-00042", "coe-2026-42".
REFERENCE_PATTERN = re.compile(r"^\s*([A-Za-z]{1,4})-(\d{4})-(\d{1,5})\s*$")


def normalise_reference(term: str) -> str | None:
    """The Aktenzeichen in its stored form, or None if `term` does not look like one."""
    match = REFERENCE_PATTERN.match(term or "")
    if match is None:
        return None
    code, year, sequence = match.groups()
    return f"{code.upper()}-{year}-{int(sequence):05d}"


# --- Shared building blocks ----------------------------------------------------------


class LargeTableMixin:
    """Settings for tables that grow with the casework (up to millions of rows)."""

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    paginator = EstimatedCountPaginator


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
            name for name in super().get_search_fields(request) if name.lstrip("=^@") != self.reference_lookup
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


# --- Entries inside a case: created through the services ------------------------------

ENTRY_CREATORS = {
    Contact: services.contact_create,
    Goal: services.goal_create,
    Referral: services.referral_create,
    FollowUp: services.follow_up_create,
    Consent: services.consent_create,
    Document: services.document_upload,
}
# Set by the services, never taken from a form.
ENTRY_MANAGED_FIELDS = {"id", "case", "created_by", "created_at", "updated_at"}


def _entry_values(form: forms.ModelForm) -> dict:
    """The model fields (including many-to-many) the form collected, by name."""
    model = form._meta.model
    names = {
        field.name
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False) or (field.many_to_many and not field.auto_created)
    }
    return {
        name: value
        for name, value in form.cleaned_data.items()
        if name in names and name not in ENTRY_MANAGED_FIELDS
    }


def _adopt(target: models.Model, saved: models.Model) -> None:
    """Make the form's instance the row the service saved, so the admin carries on with it."""
    for field in saved._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


def create_entry(form: forms.ModelForm, *, by) -> None:
    """Create the entry the (validated) form describes through its service."""
    instance = form.instance
    values = _entry_values(form)
    if isinstance(instance, FollowUp) and values.get("assigned_to") is None:
        # Let the service apply its default: the case manager, else the author.
        values.pop("assigned_to", None)
    created = ENTRY_CREATORS[type(instance)](case=instance.case, by=by, **values)
    _adopt(instance, created)


def save_entry_changes(instance: models.Model, *, changed: list[str], by) -> None:
    """Save edits to an existing entry; a goal's status goes through its service for the history."""
    if isinstance(instance, Goal) and "status" in changed:
        status = instance.status
        concrete = {field.name for field in Goal._meta.concrete_fields}
        others = [name for name in changed if name in concrete and name != "status"]
        if others:
            instance.save(update_fields=[*others, "updated_at"])
        services.goal_set_status(goal=instance, status=status, by=by)
        instance.status = status
    else:
        instance.save()


class GoalForm(VersionedAdminForm):
    """A goal's status is frozen with its case: `services.goal_set_status` refuses it then."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and "status" in self.changed_data:
            case = cleaned.get("case") or self.instance.case
            if case is not None and case.is_closed:
                raise ValidationError(CASE_IS_CLOSED)
        return cleaned


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

    list_display = ("name", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)
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


# --- The network -----------------------------------------------------------------------


class ContactPersonInline(admin.TabularInline):
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


class SubjectCaseInline(ReadOnlyInline):
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


# --- Cases -----------------------------------------------------------------------------


class CaseAdminForm(VersionedAdminForm):
    assignment_note = forms.CharField(
        label=_("Bemerkung zur Übergabe"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Wird mit der Fallübergabe gespeichert, wenn die Zuständigkeit wechselt."),
    )

    # No Meta: CaseAdmin builds the form class with the fields of its fieldsets.

    def clean(self):
        cleaned = super().clean()
        subject_fields_ok = "client" in self.fields and not ({"client", "household"} & set(self.errors))
        if subject_fields_ok and (cleaned.get("client") is None) == (cleaned.get("household") is None):
            # On the field, not the form: that also keeps the database constraint's
            # untranslated message from being shown a second time.
            self.add_error("client", services.CASE_NEEDS_SUBJECT)
        case = self.instance
        if case.pk:
            municipality = cleaned.get("municipality")
            if municipality is not None and municipality.region.district_id != case.district_id:
                self.add_error(
                    "municipality", CASE_MUNICIPALITY_OUTSIDE_DISTRICT % {"district": case.district}
                )
            opened_on = cleaned.get("opened_on")
            if opened_on and case.closed_on and opened_on > case.closed_on:
                self.add_error("opened_on", OPENED_AFTER_CLOSED % {"closed_on": f"{case.closed_on:%d.%m.%Y}"})
            elif opened_on and "opened_on" in self.changed_data:
                first_entry, _last = case.entry_dates()
                if first_entry is not None and opened_on > first_entry:
                    self.add_error(
                        "opened_on", OPENED_AFTER_FIRST_ENTRY % {"date": f"{first_entry:%d.%m.%Y}"}
                    )
        return cleaned


class CaseEntryInline(admin.TabularInline):
    """Entries recorded inside a case; new ones are created through the services."""

    extra = 0
    show_change_link = True
    readonly_fields = ("created_by",)
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})}}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")


class ContactInline(CaseEntryInline):
    model = Contact
    fields = (
        "contacted_on",
        "channel",
        "duration_minutes",
        "topics",
        "with_interpreter",
        "note",
        "created_by",
    )
    autocomplete_fields = ("topics",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics")


class GoalInline(CaseEntryInline):
    model = Goal
    form = GoalForm
    fields = ("title", "topic", "status", "target_date", "created_by")
    autocomplete_fields = ("topic",)


class ReferralInline(CaseEntryInline):
    model = Referral
    # A referral needs a consent or a legal basis (casework/consent.py): offer both here too.
    fields = (
        "referred_on",
        "actor",
        "contact_person",
        "topic",
        "status",
        "consent",
        "legal_basis",
        "created_by",
    )
    autocomplete_fields = ("actor", "contact_person", "topic", "consent")

    def get_queryset(self, request):
        # str() of a referral, shown with its change link, names the actor.
        return super().get_queryset(request).select_related("actor")


class FollowUpInline(CaseEntryInline):
    model = FollowUp
    fields = ("title", "due_on", "assigned_to", "done_at", "done_by", "created_by")
    autocomplete_fields = ("assigned_to", "done_by")


class PhaseChangeInline(ReadOnlyInline):
    model = PhaseChange
    fields = ("changed_at", "from_phase", "to_phase", "closure_reason", "changed_by", "note")
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("closure_reason", "changed_by")


class CaseAssignmentInline(ReadOnlyInline):
    model = CaseAssignment
    fields = ("assigned_at", "from_manager", "to_manager", "assigned_by", "note")
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("from_manager", "to_manager", "assigned_by")


def save_entry_formset(request, formset) -> None:
    """Save an inline formset of case entries: new ones through their service."""
    formset.save(commit=False)  # sorts the forms into new, changed and deleted objects
    form_of = {id(form.instance): form for form in formset.forms}
    for obj in formset.deleted_objects:
        obj.delete()
    for obj, changed in formset.changed_objects:
        save_entry_changes(obj, changed=changed, by=request.user)
        form_of[id(obj)].save_m2m()
    for obj in formset.new_objects:
        create_entry(form_of[id(obj)], by=request.user)


@admin.register(Case)
@audited
class CaseAdmin(VersionedAdminMixin, CaseScopeMixin, ReferenceSearchMixin, LargeTableMixin, admin.ModelAdmin):
    form = CaseAdminForm
    case_path = ""
    reference_lookup = "reference"
    list_display = (
        "reference",
        "subject",
        "municipality",
        "region",
        "case_manager",
        "phase",
        "opened_on",
        "closed_on",
    )
    list_select_related = ("client", "household", "municipality__region", "case_manager")
    # No filter by case manager or municipality: at state scale those lists run to
    # thousands of entries; search and the region filter narrow the list instead.
    list_filter = (
        "phase",
        "district",
        "municipality__region",
        "legal_frameworks",
        "closure_reason",
        "opened_on",
        "closed_on",
    )
    # An Aktenzeichen, or words of the client's or household's name (Case.search_name).
    search_fields = ("=reference", "search_name")
    autocomplete_fields = ("client", "household", "municipality", "case_manager")
    filter_horizontal = ("legal_frameworks",)
    # Written only by services.case_open and services.case_change_phase.
    service_fields = ("reference", "phase", "district", "year", "sequence", "closed_on", "closure_reason")
    add_fieldsets = (
        (_("Person oder Haushalt"), {"fields": ("client", "household"), "description": SUBJECT_HELP}),
        (_("Zuständigkeit"), {"fields": ("municipality", "case_manager", "opened_on", "legal_frameworks")}),
    )
    fieldsets = (
        (_("Fall"), {"fields": ("reference", "phase", "district", ("year", "sequence"))}),
        (_("Person oder Haushalt"), {"fields": ("client", "household"), "description": SUBJECT_HELP}),
        (
            _("Zuständigkeit"),
            {"fields": ("municipality", "case_manager", "assignment_note", "opened_on", "legal_frameworks")},
        ),
        (_("Abschluss"), {"fields": ("closed_on", "closure_reason")}),
        (_("Verwaltung"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = [
        ContactInline,
        GoalInline,
        ReferralInline,
        FollowUpInline,
        PhaseChangeInline,
        CaseAssignmentInline,
    ]

    @admin.display(description=_("Klient/in bzw. Haushalt"))
    def subject(self, obj: Case) -> str:
        return str(obj.subject)

    def get_search_results(self, request, queryset, search_term):
        reference = normalise_reference(search_term)
        if reference is not None:
            return queryset.filter(reference=reference), False
        for word in normalise_name(search_term).split():
            queryset = queryset.filter(search_name__contains=word)
        return queryset, False

    @admin.display(description=_("Teilregion"), ordering="municipality__region__name")
    def region(self, obj: Case) -> str:
        return obj.municipality.region.name

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (*self.service_fields, "created_at", "updated_at")

    def get_inlines(self, request, obj=None):
        # Entries need a case to belong to: they are added once the case exists.
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            case = services.case_open(
                by=request.user,
                municipality=data["municipality"],
                client=data.get("client"),
                household=data.get("household"),
                case_manager=data.get("case_manager"),
                opened_on=data.get("opened_on"),
                legal_frameworks=data.get("legal_frameworks") or (),
            )
            _adopt(obj, case)
            return
        concrete = {field.name for field in Case._meta.concrete_fields if field.editable}
        changed = [name for name in form.changed_data if name in concrete and name != "case_manager"]
        if changed:
            # Only what the form changed: the phase may have moved since the page was loaded.
            obj.save(update_fields=[*changed, "version", "updated_at"])
        if "case_manager" in form.changed_data:
            services.case_reassign(
                case=obj,
                to_manager=data.get("case_manager"),
                by=request.user,
                note=data.get("assignment_note", ""),
            )

    def save_related(self, request, form, formsets, change):
        if change:
            # On add, services.case_open has already set the legal frameworks.
            form.save_m2m()
            if "legal_frameworks" in form.changed_data:
                form.instance.refresh_legal_framework_bits()
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        if formset.model in ENTRY_CREATORS:
            save_entry_formset(request, formset)
        else:
            super().save_formset(request, form, formset, change)


# --- History: written by the services, never edited -------------------------------------


class HistoryAdmin(CaseScopeMixin, ReferenceSearchMixin, LargeTableMixin, admin.ModelAdmin):
    """An audit trail: readable, not writable. Only superusers may delete (with a case)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(PhaseChange)
@audited
class PhaseChangeAdmin(HistoryAdmin):
    list_display = ("case", "from_phase", "to_phase", "changed_at", "changed_by", "closure_reason")
    list_select_related = ("case", "changed_by", "closure_reason")
    list_filter = ("to_phase", "from_phase", "closure_reason", "changed_at")
    search_fields = ("=case__reference",)
    autocomplete_fields = ("case", "changed_by", "closure_reason")
    fields = ("case", "from_phase", "to_phase", "changed_at", "changed_by", "closure_reason", "note")


@admin.register(CaseAssignment)
@audited
class CaseAssignmentAdmin(HistoryAdmin):
    list_display = ("case", "from_manager", "to_manager", "assigned_at", "assigned_by")
    list_select_related = ("case", "from_manager", "to_manager", "assigned_by")
    list_filter = ("assigned_at", "to_manager")
    search_fields = ("=case__reference",)
    autocomplete_fields = ("case", "from_manager", "to_manager", "assigned_by")
    fields = ("case", "from_manager", "to_manager", "assigned_at", "assigned_by", "note")


@admin.register(GoalStatusChange)
@audited
class GoalStatusChangeAdmin(HistoryAdmin):
    case_path = "goal__case"
    reference_lookup = "goal__case__reference"
    list_display = ("goal", "from_status", "to_status", "changed_at", "changed_by")
    list_select_related = ("goal", "changed_by")
    list_filter = ("to_status", "changed_at")
    search_fields = ("=goal__case__reference", "^goal__title")
    autocomplete_fields = ("goal", "changed_by")
    fields = ("goal", "from_status", "to_status", "changed_at", "changed_by")


# --- Entries inside a case, one table each ----------------------------------------------


class CaseEntryAdmin(CaseScopeMixin, ReferenceSearchMixin, LargeTableMixin, admin.ModelAdmin):
    """An entry is added to an open case through its service and stays in its case."""

    entry_meta_fields = ("created_by", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly = ["case", *readonly, *self.entry_meta_fields]
        return readonly

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is not None:
            fields += [name for name in self.entry_meta_fields if name not in fields]
        return fields

    def save_model(self, request, obj, form, change):
        if change:
            save_entry_changes(obj, changed=form.changed_data, by=request.user)
        else:
            create_entry(form, by=request.user)

    def save_related(self, request, form, formsets, change):
        if change:
            # On add, the service has already set the many-to-many fields.
            form.save_m2m()
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Contact)
@audited
class ContactAdmin(CaseEntryAdmin):
    list_display = ("contacted_on", "case", "channel", "duration_minutes", "with_interpreter", "created_by")
    list_select_related = ("case", "created_by")
    list_filter = ("channel", "with_interpreter", "contacted_on", "topics", "case__municipality__region")
    search_fields = ("=case__reference",)
    autocomplete_fields = ("case", "topics")
    fields = ("case", "contacted_on", "channel", "duration_minutes", "topics", "with_interpreter", "note")


class GoalStatusChangeInline(ReadOnlyInline):
    model = GoalStatusChange
    fields = ("changed_at", "from_status", "to_status", "changed_by")
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


@admin.register(Goal)
@audited
class GoalAdmin(VersionedAdminMixin, CaseEntryAdmin):
    form = GoalForm
    list_display = ("title", "case", "topic", "status", "target_date")
    list_select_related = ("case", "topic")
    list_filter = ("status", "topic", "target_date")
    search_fields = ("=case__reference", "^title")
    autocomplete_fields = ("case", "topic")
    fields = ("case", "title", "description", "topic", "status", "target_date")
    inlines = [GoalStatusChangeInline]


@admin.register(Referral)
@audited
class ReferralAdmin(CaseEntryAdmin):
    list_display = ("referred_on", "case", "actor", "topic", "status")
    list_select_related = ("case", "actor", "topic")
    list_filter = ("status", "referred_on", "actor__actor_type", "topic", "case__municipality__region")
    search_fields = ("=case__reference", "^actor__name")
    autocomplete_fields = ("case", "actor", "contact_person", "topic", "consent")
    fields = (
        "case",
        "actor",
        "contact_person",
        "topic",
        "referred_on",
        "status",
        "outcome",
        "consent",
        "legal_basis",
    )


class FollowUpStateFilter(admin.SimpleListFilter):
    title = _("Stand")
    parameter_name = "stand"

    def lookups(self, request, model_admin):
        return [("open", _("offen")), ("overdue", _("überfällig")), ("done", _("erledigt"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "open":
            return queryset.filter(done_at__isnull=True)
        if self.value() == "overdue":
            return queryset.filter(done_at__isnull=True, due_on__lt=today)
        if self.value() == "done":
            return queryset.filter(done_at__isnull=False)
        return queryset


@admin.register(FollowUp)
@audited
class FollowUpAdmin(CaseEntryAdmin):
    list_display = ("title", "case", "due_on", "assigned_to", "done_at", "overdue")
    list_select_related = ("case", "assigned_to")
    list_filter = (FollowUpStateFilter, "due_on", "assigned_to")
    search_fields = ("=case__reference", "^title")
    autocomplete_fields = ("case", "assigned_to", "done_by")
    fields = ("case", "title", "due_on", "assigned_to", "done_at", "done_by")

    @admin.display(description=_("überfällig"), boolean=True)
    def overdue(self, obj: FollowUp) -> bool:
        return obj.is_overdue()


class DocumentAddForm(forms.ModelForm):
    class Meta:
        model = Document
        fields = ("case", "title", "file")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        limit = settings.DOCUMENT_MAX_UPLOAD_BYTES
        if upload is not None and getattr(upload, "size", 0) > limit:
            raise ValidationError(DOCUMENT_TOO_LARGE % {"max": filesizeformat(limit)})
        return upload


def _delete_files_after_commit(names: list[str]) -> None:
    """Remove stored files once the rows are gone for good (not if the deletion rolls back)."""
    storage = Document._meta.get_field("file").storage
    names = [name for name in names if name]

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


@admin.register(Document)
@audited
class DocumentAdmin(CaseEntryAdmin):
    """Documents live in private storage without a URL: the file field is shown only on upload."""

    list_display = ("title", "case", "original_filename", "file_size", "created_by", "created_at")
    list_select_related = ("case", "created_by")
    list_filter = ("created_at",)
    search_fields = ("=case__reference", "^title")
    autocomplete_fields = ("case",)
    add_form = DocumentAddForm

    @admin.display(description=_("Größe"), ordering="size")
    def file_size(self, obj: Document) -> str:
        return filesizeformat(obj.size)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["case", "title", "file"]
        return [
            "case",
            "title",
            "original_filename",
            "content_type",
            "file_size",
            "created_by",
            "created_at",
            "updated_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "case",
            "original_filename",
            "content_type",
            "file_size",
            "created_by",
            "created_at",
            "updated_at",
        ]

    def delete_model(self, request, obj):
        name = obj.file.name
        super().delete_model(request, obj)
        _delete_files_after_commit([name])

    def delete_queryset(self, request, queryset):
        names = list(queryset.values_list("file", flat=True))
        super().delete_queryset(request, queryset)
        _delete_files_after_commit(names)


class ConsentValidityFilter(admin.SimpleListFilter):
    title = _("Gültigkeit")
    parameter_name = "gueltig"

    def lookups(self, request, model_admin):
        return [("yes", _("heute gültig")), ("no", _("nicht (mehr) gültig"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        valid = (
            Q(given_on__lte=today)
            & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
            & (Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        )
        if self.value() == "yes":
            return queryset.filter(valid)
        if self.value() == "no":
            return queryset.exclude(valid)
        return queryset


@admin.register(Consent)
@audited
class ConsentAdmin(CaseEntryAdmin):
    list_display = ("short_purpose", "case", "given_on", "valid_until", "withdrawn_on", "is_valid")
    list_select_related = ("case",)
    list_filter = (ConsentValidityFilter, "given_on", "valid_until", "withdrawn_on", "data_categories")
    search_fields = ("=case__reference", "^purpose")
    autocomplete_fields = ("case", "actors", "data_categories")
    fields = ("case", "purpose", "actors", "data_categories", "given_on", "valid_until", "withdrawn_on")

    @admin.display(description=_("Zweck"))
    def short_purpose(self, obj: Consent) -> str:
        return obj.purpose if len(obj.purpose) <= 80 else obj.purpose[:79] + "…"

    @admin.display(description=_("heute gültig"), boolean=True)
    def is_valid(self, obj: Consent) -> bool:
        return obj.is_valid_on()
