"""No lost updates: optimistic locking for the rows two people may edit at the same time.

Case, Client, Goal and Actor carry a `version` (`models.VersionedModel`). An edit form
carries the version it was loaded with; the update service re-reads the row under a lock
(`select_for_update`) and refuses the save with `ConcurrentEditError` when the stored
version differs, so the second of two concurrent edits never silently overwrites the first.
Every service write counts the version up (`bump_version`).

The form also carries a signed snapshot of the values it started from, so a refused save
can say which fields the other person changed (`conflict_changes`). Entries added to a
case (contacts, goals, ...) are new rows and never conflict.
"""

import datetime as dt

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import Action, AuditEntry

CHANGED_BY_OTHER = _(
    "Dieser Datensatz wurde inzwischen von %(name)s geändert (%(time)s). "
    "Ihre Eingaben sind unten erhalten; bitte prüfen und erneut speichern."
)
SOMEONE_ELSE = _("einer anderen Person")
FIELD_CHANGED = _("Geändert: %(field)s – jetzt „%(value)s“")
EMPTY_VALUE = _("leer")

VERSION_FIELD = "version"
START_FIELD = "version_start"
_SALT = "casework.concurrency.start"


class ConcurrentEditError(ValidationError):
    """The row was saved by someone else since the form was loaded. Nothing was written."""

    def __init__(self, current: models.Model):
        self.current = current
        name, time = last_change_of(current)
        super().__init__(CHANGED_BY_OTHER, code="concurrent_edit", params={"name": name, "time": time})


def last_change_of(obj: models.Model) -> tuple[str, str]:
    """Who changed the row last and when, from the audit trail (name, "27.11.2026, 14:05 Uhr")."""
    entry = (
        AuditEntry.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk), action=Action.CHANGE
        )
        .select_related("user")
        .order_by("-at", "-id")
        .first()
    )
    at = entry.at if entry is not None else getattr(obj, "updated_at", None) or timezone.now()
    name = SOMEONE_ELSE
    if entry is not None and entry.user is not None:
        name = entry.user.get_full_name() or entry.user.get_username()
    elif entry is not None and entry.username:
        name = entry.username
    return str(name), f"{timezone.localtime(at):%d.%m.%Y, %H:%M} Uhr"


def check_version(locked: models.Model, expected_version: int | None) -> None:
    """Refuse the write if `locked` (read under a row lock) is no longer the version the
    user started from. `None` means the caller does not know a version: no check."""
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(locked)


def bump_version(obj: models.Model) -> None:
    obj.version = (obj.version or 0) + 1


# --- Forms ---------------------------------------------------------------------------------


def _normalise(value) -> object:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (list, tuple, set, models.QuerySet)):
        return sorted(str(_normalise(item)) for item in value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


def snapshot(instance: models.Model, names) -> dict[str, object]:
    """The values of the named fields of a row, comparable across requests (pks, ISO dates)."""
    opts = instance._meta
    values = {}
    for name in names:
        field = opts.get_field(name)
        if field.many_to_many:
            values[name] = _normalise(list(getattr(instance, name).values_list("pk", flat=True)))
        else:
            values[name] = _normalise(getattr(instance, field.attname))
    return values


def add_version_fields(form: forms.BaseForm, instance: models.Model, names) -> None:
    """Give a form the hidden version and the signed snapshot of the values it starts from."""
    form.version_names = list(names)
    form.fields[VERSION_FIELD] = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, initial=instance.version
    )
    form.fields[START_FIELD] = forms.CharField(
        widget=forms.HiddenInput,
        required=False,
        initial=signing.dumps(snapshot(instance, names), salt=_SALT, compress=True),
    )


def expected_version(form: forms.BaseForm) -> int | None:
    return form.cleaned_data.get(VERSION_FIELD)


def _display(instance: models.Model, name: str) -> str:
    field = instance._meta.get_field(name)
    if field.many_to_many:
        value = ", ".join(str(item) for item in getattr(instance, name).all())
    elif field.choices:
        value = getattr(instance, f"get_{name}_display")()
    elif isinstance(getattr(instance, name), dt.date):
        value = f"{getattr(instance, name):%d.%m.%Y}"
    else:
        value = getattr(instance, name)
    return str(value) if value not in (None, "") else str(EMPTY_VALUE)


def conflict_changes(form: forms.BaseForm, current: models.Model) -> list[str]:
    """One line per field the other person changed: its label and its stored value now."""
    raw = form.data.get(form.add_prefix(START_FIELD), "") if form.is_bound else ""
    try:
        start = signing.loads(raw, salt=_SALT)
    except signing.BadSignature:
        return []
    now = snapshot(current, form.version_names)
    lines = []
    for name in form.version_names:
        if name in start and start[name] != now[name]:
            field = form.fields.get(name)
            label = field.label if field is not None else current._meta.get_field(name).verbose_name
            lines.append(str(FIELD_CHANGED % {"field": label, "value": _display(current, name)}))
    return lines


def show_conflict(form: forms.BaseForm, error: ConcurrentEditError) -> None:
    """Put the conflict on the form: the message, what changed, and the current version,
    so that saving again (after checking) goes through. The user's input stays as typed."""
    current = error.current
    form.add_error(None, [error, *conflict_changes(form, current)])
    data = form.data.copy()
    data[form.add_prefix(VERSION_FIELD)] = str(current.version)
    data[form.add_prefix(START_FIELD)] = signing.dumps(
        snapshot(current, form.version_names), salt=_SALT, compress=True
    )
    form.data = data
