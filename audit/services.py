"""Writing the audit trail. Called by services (writes) and views (reads, exports),
inside the same transaction as what they record."""

from collections.abc import Iterable

from django.db import models

from .models import Action, AuditEntry


def _case_reference(obj: models.Model) -> str:
    reference = getattr(obj, "reference", None)
    if isinstance(reference, str):
        return reference
    case = getattr(obj, "case", None) if hasattr(obj, "case_id") else None
    return getattr(case, "reference", "") if case is not None else ""


def audit_record(
    *,
    user,
    action: Action | str,
    obj: models.Model,
    fields: Iterable[str] = (),
    detail: str = "",
) -> AuditEntry:
    """Record one access. `fields` are field names only; values are never stored."""
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AuditEntry.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk or ""),
        case_reference=_case_reference(obj),
        fields=sorted(set(fields)),
        detail=detail[:200],
    )


def changed_fields(before: models.Model | None, after: models.Model, names: Iterable[str]) -> list[str]:
    """The names among `names` whose values differ between two versions of an object."""
    if before is None:
        return list(names)
    return [name for name in names if getattr(before, name) != getattr(after, name)]
