"""The audit trail in the Django admin: every read and write of client and case data there.

Reads are the change page opened with GET and a list searched or filtered; writes are
saving a page (with its inlines) and deleting. Writes the admin hands to a service
(`casework.services`) are recorded by the service; the admin records only what no
service recorded, so one change is one entry and a change the admin makes on its own
(`obj.save()`) is never missed. Entries the admin writes say "Admin" in `detail`.

Apply `AuditedAdminMixin` with `@audited` so it wraps the ModelAdmin's own
`save_model`, `save_formset` and `delete_model` overrides rather than being hidden by them.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction

from .models import Action, AuditEntry
from .services import audit_collect, audit_record, audit_record_many, audit_search

ADMIN = "Admin"

# Changelist parameters that page, sort or steer the admin rather than filter.
NOT_FILTERS = frozenset({"p", "o", "e", "_popup", "_to_field", "_changelist_filters", "all"})


def model_field_names(model: type[models.Model], names) -> list[str]:
    """The names among `names` that are fields of the model (a form also has others)."""
    fields = []
    for name in names:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if getattr(field, "concrete", False) or getattr(field, "many_to_many", False):
            fields.append(name)
    return fields


def _record_unless_recorded(user, obj, *, change: bool, changed, recorded: list[AuditEntry]) -> None:
    """Record the creation of `obj`, or the changes in `changed`, that no service recorded."""
    key = (obj._meta.label_lower, str(obj.pk))
    earlier = [entry for entry in recorded if (entry.object_type, entry.object_id) == key]
    if not change:
        if not any(entry.action == Action.CREATE for entry in earlier):
            audit_record(user=user, action=Action.CREATE, obj=obj, detail=ADMIN)
        return
    done = {name for entry in earlier if entry.action == Action.CHANGE for name in entry.fields}
    rest = [name for name in model_field_names(type(obj), changed) if name not in done]
    if rest:
        audit_record(user=user, action=Action.CHANGE, obj=obj, fields=rest, detail=ADMIN)


def _with_case(queryset: models.QuerySet) -> models.QuerySet:
    """The rows with their case joined, for the entries' case reference in one query."""
    names = {field.name for field in queryset.model._meta.concrete_fields if field.is_relation}
    for path in ("case", "goal__case"):
        if path.split("__")[0] in names:
            return queryset.select_related(path)
    return queryset


class AuditedAdminMixin:
    """Records views, searches, creations, changes and deletions made in this ModelAdmin."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Called for the change page (GET) and for a form sent back with errors (POST):
        # only the first is a read; a failed save writes nothing at all.
        if change and obj is not None and request.method == "GET":
            audit_record(user=request.user, action=Action.VIEW, obj=obj, detail=ADMIN)
        return super().render_change_form(
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and getattr(response, "status_code", None) == 200:
            # The names of the parameters ("q", "phase__exact"), never the search text.
            used = {name: request.GET.get(name) for name in request.GET if name not in NOT_FILTERS}
            audit_search(user=request.user, model=self.model, filters=used)
        return response

    def save_model(self, request, obj, form, change):
        with audit_collect() as recorded:
            super().save_model(request, obj, form, change)
        _record_unless_recorded(
            request.user, obj, change=change, changed=form.changed_data, recorded=recorded
        )

    def save_formset(self, request, form, formset, change):
        doomed = [inline.instance for inline in formset.deleted_forms if inline.instance.pk is not None]
        if doomed:
            # Before the deletion, while the rows still have their ids.
            audit_record_many(user=request.user, action=Action.DELETE, objs=doomed, detail=ADMIN)
        with audit_collect() as recorded:
            super().save_formset(request, form, formset, change)
        for obj, changed in getattr(formset, "changed_objects", None) or ():
            _record_unless_recorded(request.user, obj, change=True, changed=changed, recorded=recorded)
        for obj in getattr(formset, "new_objects", None) or ():
            _record_unless_recorded(request.user, obj, change=False, changed=(), recorded=recorded)

    def delete_model(self, request, obj):
        audit_record(user=request.user, action=Action.DELETE, obj=obj, detail=ADMIN)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # "Delete selected" runs outside the admin's transaction: keep entries and deletion together.
        with transaction.atomic(using=queryset.db):
            objs = list(_with_case(queryset))
            audit_record_many(user=request.user, action=Action.DELETE, objs=objs, detail=ADMIN)
            super().delete_queryset(request, queryset)


def audited(admin_class):
    """Class decorator: the ModelAdmin with `AuditedAdminMixin` in front of it.

    In front, so the mixin also wraps methods the class itself overrides (a
    `save_model` that calls a service instead of `super()`).
    """
    if issubclass(admin_class, AuditedAdminMixin):
        return admin_class
    return type(
        admin_class.__name__,
        (AuditedAdminMixin, admin_class),
        {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
    )
