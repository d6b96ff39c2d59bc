"""The data inventory and the system check that keeps it complete."""

import pytest
from django.core import checks
from django.db import models
from django.test.utils import isolate_apps

from privacy import checks as privacy_checks
from privacy.checks import check_inventory
from privacy.inventory import (
    INVENTORY,
    NONE,
    PERSONAL,
    SPECIAL,
    Entry,
    Treatment,
    client_link,
    field_key,
    inventoried_models,
    model_fields,
    none,
    project_app_configs,
)


def _ids(errors) -> list[str]:
    return [error.id for error in errors]


def test_the_check_passes_for_the_project():
    assert check_inventory() == []


def test_the_check_is_registered_with_django():
    assert check_inventory in checks.registry.registry.get_checks()


def test_every_app_of_the_project_is_inventoried():
    labels = {app_config.label for app_config in project_app_configs()}
    assert {"accounts", "regions", "casework", "audit", "privacy"} <= labels
    assert not {"auth", "admin", "contenttypes", "sessions", "django_filters"} & labels


def test_every_field_has_exactly_one_of_three_categories():
    keys = {field_key(model, f) for model in inventoried_models() for f in model_fields(model)}
    assert keys == set(INVENTORY)
    assert {entry.category for entry in INVENTORY.values()} == {PERSONAL, SPECIAL, NONE}


@pytest.mark.parametrize(
    ("key", "category"),
    [
        ("casework.client.first_name", PERSONAL),
        ("casework.client.date_of_birth", PERSONAL),
        ("casework.client.residence_status", SPECIAL),
        ("casework.client.nationality", SPECIAL),
        ("casework.client.legal_frameworks", SPECIAL),
        ("casework.contact.note", SPECIAL),
        ("casework.document.file", SPECIAL),
        ("casework.case.phase", NONE),
        ("casework.contact.channel", NONE),
        ("regions.municipality.name", NONE),
        ("audit.auditentry.detail", NONE),
    ],
)
def test_classifications(key, category):
    assert INVENTORY[key].category == category


def test_free_text_of_a_case_is_blanked_and_identity_anonymised():
    for key in (
        "casework.contact.note",
        "casework.goal.description",
        "casework.referral.outcome",
        "casework.phasechange.note",
        "casework.caseassignment.note",
        "casework.consent.purpose",
    ):
        assert INVENTORY[key].treatment == Treatment.BLANK, key
    for key in ("first_name", "last_name", "street", "postal_code", "phone", "email", "external_id"):
        assert INVENTORY[f"casework.client.{key}"].treatment == Treatment.ANONYMISE, key


def test_a_field_missing_from_the_inventory_fails_the_check():
    inventory = {key: entry for key, entry in INVENTORY.items() if key != "casework.contact.note"}
    errors = check_inventory(inventory=inventory)
    assert _ids(errors) == ["privacy.E001"]
    assert "casework.contact.note" in errors[0].msg


@isolate_apps("privacy")
def test_a_new_model_without_classification_fails_the_check():
    class HealthNote(models.Model):
        text = models.TextField()
        recorded_on = models.DateField()

        class Meta:
            app_label = "privacy"

        def __str__(self) -> str:
            return self.text

    errors = check_inventory(models=[*inventoried_models(), HealthNote])
    assert sorted(error.msg for error in errors) == [
        f"The field privacy.healthnote.{name} has no data-protection classification."
        for name in ("id", "recorded_on", "text")
    ]
    assert set(_ids(errors)) == {"privacy.E001"}


def test_an_entry_naming_no_field_fails_the_check():
    errors = check_inventory(inventory={**INVENTORY, "casework.client.shoe_size": none()})
    assert _ids(errors) == ["privacy.E002"]


def test_personal_data_kept_without_a_reason_fails_the_check():
    errors = check_inventory(inventory={**INVENTORY, "casework.contact.note": Entry(SPECIAL)})
    assert _ids(errors) == ["privacy.E003"]


def test_a_treatment_the_retention_run_cannot_reach_fails_the_check():
    entry = Entry(PERSONAL, Treatment.BLANK, "notes", "[gelöscht]")
    errors = check_inventory(inventory={**INVENTORY, "casework.contactperson.role": entry})
    assert _ids(errors) == ["privacy.E003"]


def test_a_treatment_needs_a_configured_retention_period(settings):
    settings.KIM_RETENTION = {"documents": 3, "client_identity": 5}
    errors = check_inventory()
    assert set(_ids(errors)) == {"privacy.E004"}
    assert any("casework.contact.note" in error.msg for error in errors)


def test_manage_py_check_reports_an_unclassified_field(monkeypatch):
    inventory = {key: entry for key, entry in INVENTORY.items() if key != "casework.client.languages"}
    monkeypatch.setattr(privacy_checks, "INVENTORY", inventory)
    errors = checks.run_checks(tags=[checks.Tags.models])
    assert [error.id for error in errors if error.id.startswith("privacy.")] == ["privacy.E001"]


def test_staff_data_is_kept_with_a_reason():
    staff = [
        entry
        for key, entry in INVENTORY.items()
        if key.startswith("accounts.user.") and entry.category != NONE
    ]
    assert staff
    assert all(entry.treatment == Treatment.KEEP and entry.reason for entry in staff)


def test_paths_from_case_data_to_the_client():
    from casework.models import Actor, Contact, GoalStatusChange

    assert client_link(Contact).lookup == "case"
    assert client_link(GoalStatusChange).lookup == "goal__case"
    assert client_link(Actor) is None


@isolate_apps("privacy")
def test_a_new_model_inside_a_case_is_found_by_its_foreign_keys():
    from casework.models import Case

    class CaseNote(models.Model):
        case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
        text = models.TextField()

        class Meta:
            app_label = "privacy"

        def __str__(self) -> str:
            return self.text

    class CaseNoteReply(models.Model):
        note = models.ForeignKey(CaseNote, on_delete=models.CASCADE)

        class Meta:
            app_label = "privacy"

        def __str__(self) -> str:
            return str(self.pk)

    assert client_link(CaseNote).lookup == "case"
    assert client_link(CaseNoteReply).lookup == "note__case"
