"""Admin for the entries inside a case, one table each."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.admin_mixins import audited
from casework.uploads import check_document_name, detect_document_kind

from ..lifecycle import CASE_IS_CLOSED
from ..models import (
    Consent,
    Contact,
    Document,
    FollowUp,
    Goal,
    GoalStatusChange,
    Referral,
    overdue_q,
    valid_on_q,
)
from .bridge import create_entry, save_entry_changes
from .mixins import (
    DOCUMENT_TOO_LARGE,
    CaseScopeMixin,
    LargeTableMixin,
    ReferenceSearchMixin,
    VersionedAdminForm,
    VersionedAdminMixin,
)
from .people import ReadOnlyInline


class GoalForm(VersionedAdminForm):
    """A goal's status is frozen with its case: `services.goal_set_status` refuses it then."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and "status" in self.changed_data:
            case = cleaned.get("case") or self.instance.case
            if case is not None and case.is_closed:
                raise ValidationError(CASE_IS_CLOSED)
        return cleaned


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
    # No filter by Thema: the topics are a many-to-many table of two million links beside ten
    # million contacts, and the filter ran past ten seconds at that size. The statistics count
    # contacts by topic; a case's contacts are on its page.
    list_filter = ("channel", "with_interpreter", "contacted_on", "case__municipality__region")
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
            return queryset.filter(overdue_q(today))
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
        if upload is not None:
            # As on the case page: the content decides, not the name (casework/uploads.py).
            check_document_name(upload.name)
            detect_document_kind(upload)
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
        valid = valid_on_q(timezone.localdate())
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
