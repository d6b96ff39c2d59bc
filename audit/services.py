"""Writing the audit trail. Called by services (writes) and views (reads, searches, exports),
inside the same transaction as what they record.

The rule for what goes into an entry: the object's type and id, a case's reference
number, the names of changed fields and the names of the filters a search used.
Never a value: not a name typed into a search box, not the old or new value of a field.
"""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .models import Action, AuditEntry

# The lists of entries being collected (see `audit_collect`), innermost last.
_collectors: ContextVar[tuple[list[AuditEntry], ...]] = ContextVar("audit_collectors", default=())


def _case_reference(obj: models.Model | type[models.Model]) -> str:
    if isinstance(obj, type):
        return ""
    reference = getattr(obj, "reference", None)
    if isinstance(reference, str):
        return reference
    for path in ("case", "goal"):
        # An entry inside a case, or a goal's status change: one step more to the case.
        if getattr(obj, f"{path}_id", None) is not None:
            return _case_reference(getattr(obj, path))
    return ""


def _entry(*, user, action, obj, fields: Iterable[str] = (), detail: str = "") -> AuditEntry:
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    is_model = isinstance(obj, type)
    return AuditEntry(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        action=action,
        object_type=obj._meta.label_lower,
        object_id="" if is_model else str(obj.pk or ""),
        case_reference=_case_reference(obj),
        fields=sorted(set(fields)),
        detail=str(detail)[:200],
    )


def _collected(entries: Iterable[AuditEntry]) -> None:
    for collector in _collectors.get():
        collector.extend(entries)


def audit_record(
    *,
    user,
    action: Action | str,
    obj: models.Model | type[models.Model],
    fields: Iterable[str] = (),
    detail: str = "",
) -> AuditEntry:
    """Record one access. `obj` is an instance, or a model class for an access to many
    (a search). `fields` are field names only; values are never stored."""
    entry = _entry(user=user, action=action, obj=obj, fields=fields, detail=detail)
    entry.save()
    _collected([entry])
    return entry


def audit_record_list_export(*, user, model: type[models.Model], detail: str = "") -> AuditEntry:
    """Record the export of a list (CSV/XLSX) of `model`: one entry for the whole file.
    `detail` names the format and the filters used, never a value."""
    return audit_record(user=user, action=Action.EXPORT, obj=model, detail=detail)


def audit_record_many(
    *, user, action: Action | str, objs: Iterable[models.Model], detail: str = ""
) -> list[AuditEntry]:
    """Record the same access to many objects in one INSERT (e.g. a bulk deletion)."""
    entries = [_entry(user=user, action=action, obj=obj, detail=detail) for obj in objs]
    AuditEntry.objects.bulk_create(entries)
    _collected(entries)
    return entries


def used_filter_names(values: Mapping[str, object], *, ignore: Iterable[str] = ()) -> list[str]:
    """The names of the filters that hold a value: what a search entry records instead of its text."""
    ignored = set(ignore)
    return sorted(
        name for name, value in values.items() if name not in ignored and value not in (None, "", [], ())
    )


def audit_search(
    *, user, model: type[models.Model], filters: Mapping[str, object], ignore: Iterable[str] = ()
) -> AuditEntry | None:
    """Record a search over `model` by the names of the filters used, never by their values.

    `filters` maps filter names to the values entered (a filter form's `cleaned_data`).
    Nothing is recorded when no filter was used: a plain list is not a search.
    """
    names = used_filter_names(filters, ignore=ignore)
    if not names:
        return None
    return audit_record(user=user, action=Action.SEARCH, obj=model, detail=", ".join(names))


def audit_filterset_search(*, user, filterset) -> AuditEntry | None:
    """`audit_search` for a django-filter FilterSet; sorting ("o") and paging are not filters."""
    if not filterset.is_bound:
        return None
    values = getattr(filterset.form, "cleaned_data", None)
    if values is None:
        filterset.form.is_valid()
        values = getattr(filterset.form, "cleaned_data", {})
    return audit_search(user=user, model=filterset.queryset.model, filters=values, ignore=("o",))


@contextmanager
def audit_collect() -> Iterator[list[AuditEntry]]:
    """Collect the entries recorded inside the block.

    The admin uses it to record only what the services it called did not record
    already, so one change is one entry, not two.
    """
    collected: list[AuditEntry] = []
    token = _collectors.set((*_collectors.get(), collected))
    try:
        yield collected
    finally:
        _collectors.reset(token)


def _value_name(model: type[models.Model], name: str) -> str:
    """The attribute holding a field's own value: `municipality_id` for `municipality`, so
    comparing two versions never loads a related row."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return getattr(field, "attname", name) if getattr(field, "concrete", False) else name


def changed_fields(before: models.Model | None, after: models.Model, names: Iterable[str]) -> list[str]:
    """The names among `names` whose values differ between two versions of an object."""
    names = list(names)
    if before is None:
        return names
    model = type(after)
    return [
        name
        for name in names
        if getattr(before, _value_name(model, name)) != getattr(after, _value_name(model, name))
    ]
