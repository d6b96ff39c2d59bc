"""The trail is append-only: no update, no delete, not even through the ORM."""

import pytest

from audit.models import Action, AuditEntry
from audit.services import audit_record
from casework.models import Case
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(case_manager) -> AuditEntry:
    return audit_record(user=case_manager, action=Action.VIEW, obj=CaseFactory())


def test_an_entry_cannot_be_saved_again(entry):
    entry.action = Action.DELETE
    with pytest.raises(PermissionError):
        entry.save()
    entry.refresh_from_db()
    assert entry.action == Action.VIEW


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_queryset_neither_updates_nor_deletes(entry):
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action=Action.DELETE)
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == Action.VIEW


def test_an_entry_names_the_object_and_the_case_but_no_person(entry, case_manager):
    case = Case.objects.get(pk=entry.object_id)
    assert entry.object_type == "casework.case"
    assert entry.case_reference == case.reference
    assert (entry.user, entry.username) == (case_manager, case_manager.username)
    assert case.client.last_name not in str(entry)
