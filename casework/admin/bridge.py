"""From admin saves to the services: entries inside a case are created and changed
through casework/services.py."""

from collections.abc import Callable

from django import forms
from django.db import models

from .. import services
from ..models import (
    Consent,
    Contact,
    Document,
    FollowUp,
    Goal,
    Referral,
)

# --- Entries inside a case: created through the services ------------------------------

ENTRY_CREATORS: dict[type[models.Model], Callable[..., models.Model]] = {
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
