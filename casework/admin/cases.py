"""Admin for cases and their history (phase changes, handovers, goal status changes)."""

from django import forms
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from audit.admin_mixins import audited

from .. import services
from ..models import (
    Case,
    CaseAssignment,
    Contact,
    FollowUp,
    Goal,
    GoalStatusChange,
    PhaseChange,
    Referral,
    has_legal_framework_bit,
)
from ..names import normalise_name
from ..references import normalise_reference
from ..selectors import legal_framework_catalogue
from .bridge import ENTRY_CREATORS, _adopt, create_entry, save_entry_changes
from .entries import GoalForm
from .mixins import (
    CASE_MUNICIPALITY_OUTSIDE_DISTRICT,
    OPENED_AFTER_CLOSED,
    OPENED_AFTER_FIRST_ENTRY,
    SUBJECT_HELP,
    CaseScopeMixin,
    LargeTableMixin,
    ReferenceSearchMixin,
    VersionedAdminForm,
    VersionedAdminMixin,
)
from .people import ReadOnlyInline
from .windows import WindowedInlineMixin

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


class CaseEntryInline(WindowedInlineMixin, admin.TabularInline):
    """Entries recorded inside a case, the newest ones (a case may have hundreds: the rest are
    in the entry's own list, linked from the case's "Einträge"); new ones are created through
    the services."""

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


class LegalFrameworkBitFilter(admin.SimpleListFilter):
    """Rechtskreis from the bits each case carries (Case.legal_framework_bits), read while the list
    walks its index; the field's own filter joined the 1.2 million links (6.9 s on 1M cases)."""

    title = _("Rechtskreis")
    parameter_name = "legal_framework"

    def lookups(self, request, model_admin):
        return [(str(item.pk), item.name) for item in legal_framework_catalogue()]

    def queryset(self, request, queryset):
        if not self.value() or not self.value().isdigit():
            return queryset
        framework = int(self.value())
        bit = next((item.bit for item in legal_framework_catalogue() if item.pk == framework), None)
        if bit is not None:
            return queryset.filter(has_legal_framework_bit(bit))
        return queryset.filter(legal_frameworks=framework)


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
        LegalFrameworkBitFilter,
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
        (_("Einträge"), {"fields": ("entry_lists",)}),
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

    @admin.display(description=_("alle Einträge dieses Falls"))
    def entry_lists(self, obj: Case) -> str:
        """Links to each entry list filtered to this case: the inlines below show the newest rows."""
        links = []
        for inline in (ContactInline, GoalInline, ReferralInline, FollowUpInline):
            opts = inline.model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            links.append(
                format_html('<a href="{}?case__id__exact={}">{}</a>', url, obj.pk, opts.verbose_name_plural)
            )
        return format_html_join(" · ", "{}", ((link,) for link in links))

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
        return (*self.service_fields, "created_at", "updated_at", "entry_lists")

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
