"""The services write their audit entry in the same transaction as their change."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from audit.models import Action, AuditEntry
from audit.services import audit_collect, audit_record, audit_search, changed_fields
from casework import services
from casework.models import Case, Client, Household
from tests.factories import CaseFactory, ClientFactory, UserFactory, municipality

pytestmark = pytest.mark.django_db


def test_a_failed_service_leaves_no_entry(case_manager, trail):
    """client_register records the client, then fails on a member: both roll back together."""
    trail.mark()
    with pytest.raises(ValidationError):
        services.client_register(
            by=case_manager,
            client_fields={"first_name": "Amina", "last_name": "Haddad", "municipality": municipality()},
            members=[{"first_name": "", "household_role": "child"}],
        )
    assert not Client.objects.exists()
    assert not Household.objects.exists()
    assert trail.new() == []


def test_opening_a_case_records_its_creation(case_manager, trail):
    trail.mark()
    case = CaseFactory(case_manager=case_manager, by=case_manager)
    case_entries = [entry for entry in trail.new() if entry.object_type == "casework.case"]
    assert [(e.action, e.object_id, e.case_reference, e.user) for e in case_entries] == [
        (Action.CREATE, str(case.pk), case.reference, case_manager)
    ]


def test_a_bulk_handover_records_each_case(coordinator, case_manager, trail):
    cases = [CaseFactory(case_manager=case_manager) for _ in range(3)]
    successor = UserFactory()
    trail.mark()
    moved = services.cases_reassign(
        cases=Case.objects.filter(case_manager=case_manager), to_manager=successor, by=coordinator
    )
    assert len(moved) == 3
    entries = trail.new()
    assert sorted(entry.object_id for entry in entries) == sorted(str(case.pk) for case in cases)
    assert {(entry.action, tuple(entry.fields), entry.user) for entry in entries} == {
        (Action.CHANGE, ("case_manager",), coordinator)
    }


def test_a_client_update_without_changes_records_no_field(case_manager, trail):
    person = ClientFactory(last_name="Haddad")
    trail.mark()
    services.client_update(client=person, by=case_manager, last_name="Haddad")
    assert trail.one().fields == []


def test_a_client_update_names_changed_legal_frameworks(case_manager, trail):
    from casework.models import LegalFramework

    person = ClientFactory()
    trail.mark()
    services.client_update(
        client=person, by=case_manager, legal_frameworks=LegalFramework.objects.filter(code="sgb-ii")
    )
    assert trail.one().fields == ["legal_frameworks"]


def test_changed_fields_compares_ids_without_loading_relations(django_assert_num_queries):
    before = ClientFactory()
    after = Client.objects.get(pk=before.pk)
    after.municipality_id = municipality("Dülmen").pk
    after.last_name = before.last_name
    with django_assert_num_queries(0):
        assert changed_fields(before, after, ["municipality", "last_name"]) == ["municipality"]


def test_a_search_without_filters_records_nothing(case_manager):
    assert audit_search(user=case_manager, model=Case, filters={"q": "", "phase": None}) is None
    assert not AuditEntry.objects.filter(action=Action.SEARCH).exists()


def test_collecting_sees_entries_of_nested_blocks(case_manager):
    case = CaseFactory()
    with audit_collect() as outer:
        audit_record(user=case_manager, action=Action.VIEW, obj=case)
        with audit_collect() as inner:
            audit_record(user=case_manager, action=Action.VIEW, obj=case)
    assert (len(outer), len(inner)) == (2, 1)


def test_an_anonymous_user_is_recorded_without_a_name(trail):
    case = CaseFactory()
    trail.mark()
    entry = audit_record(user=None, action=Action.VIEW, obj=case)
    assert (entry.user, entry.username) == (None, "")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="BRIN exists on PostgreSQL only")
def test_the_time_column_has_a_brin_index_and_no_btree():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [AuditEntry._meta.db_table]
        )
        indexes = dict(cursor.fetchall())
    assert "USING brin (at)" in indexes["audit_auditentry_at_brin"]
    assert not [name for name, definition in indexes.items() if definition.endswith("USING btree (at)")]
    assert not [name for name, definition in indexes.items() if definition.endswith("(user_id)")]
    assert "audit_object_idx" in indexes
    assert "audit_case_reference_idx" in indexes
