"""The system check that keeps the data inventory complete (registered in PrivacyConfig.ready)."""

from django.conf import settings
from django.core import checks

from .inventory import (
    INVENTORY,
    NONE,
    Category,
    Treatment,
    client_link,
    field_key,
    inventoried_models,
    model_fields,
)

UNCLASSIFIED_HINT = (
    "Add it to INVENTORY in privacy/inventory.py as PERSONAL, SPECIAL or NONE, "
    "with what happens to it when its retention period ends."
)


def check_inventory(app_configs=None, *, models=None, inventory=None, **kwargs) -> list[checks.CheckMessage]:
    """Every field of the project's models is classified, and every entry names a real field.

    `models` and `inventory` default to the project's models and `INVENTORY`; tests pass others.
    """
    models = inventoried_models() if models is None else models
    inventory = INVENTORY if inventory is None else inventory
    errors = []
    existing = set()
    for model in models:
        linked = client_link(model) is not None
        for field in model_fields(model):
            key = field_key(model, field)
            existing.add(key)
            entry = inventory.get(key)
            if entry is None or entry.category not in set(Category):
                errors.append(
                    checks.Error(
                        f"The field {key} has no data-protection classification.",
                        hint=UNCLASSIFIED_HINT,
                        obj=field,
                        id="privacy.E001",
                    )
                )
                continue
            errors.extend(_treatment_errors(key, entry, linked=linked, obj=field))
    for key in sorted(set(inventory) - existing):
        errors.append(
            checks.Error(
                f"The data inventory names {key}, which is no field of any model.",
                hint="Remove or rename the entry in privacy/inventory.py.",
                id="privacy.E002",
            )
        )
    return errors


def _treatment_errors(key: str, entry, *, linked: bool, obj) -> list[checks.CheckMessage]:
    errors = []
    if entry.category != NONE and entry.treatment == Treatment.KEEP and not entry.reason:
        errors.append(
            checks.Error(
                f"The personal field {key} is kept forever without a reason.",
                hint="Give it a retention treatment (blank, delete_row, anonymise) or keep() with a reason.",
                obj=obj,
                id="privacy.E003",
            )
        )
    if entry.treatment != Treatment.KEEP and not linked:
        errors.append(
            checks.Error(
                f"{key} is to be {entry.treatment}d, but its model leads to no client, case or household.",
                hint="The retention run finds rows only through a foreign key chain to one of them.",
                obj=obj,
                id="privacy.E003",
            )
        )
    if entry.treatment != Treatment.KEEP and entry.kind not in settings.KIM_RETENTION:
        errors.append(
            checks.Error(
                f"{key} names the retention kind {entry.kind!r}, which settings.KIM_RETENTION lacks.",
                obj=obj,
                id="privacy.E004",
            )
        )
    return errors
