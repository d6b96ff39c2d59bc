"""On PostgreSQL the database itself keeps the trail append-only (audit migration 0003): an
UPDATE or DELETE through any path (a queryset, raw SQL, another program with the
application's database user) is refused. The one change let through is the one Django makes
when a staff account is deleted: `user` becomes NULL, the entry keeps the username."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet

from audit.models import Action, AuditEntry
from audit.services import audit_record
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only (DATABASE_URL=postgres://…)")


@pytest.fixture
def entry(case_manager) -> AuditEntry:
    return audit_record(user=case_manager, action=Action.VIEW, obj=CaseFactory())


def _rows():
    """A plain queryset: the application's own guard (AuditEntryQuerySet) is not asked, as
    another program with the same database user would not ask it."""
    return QuerySet(model=AuditEntry)


def _refused(statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        statement()


def test_a_queryset_update_is_refused(entry):
    _refused(lambda: _rows().filter(pk=entry.pk).update(action=Action.DELETE))
    entry.refresh_from_db()
    assert entry.action == Action.VIEW


def test_a_queryset_delete_is_refused(entry):
    _refused(lambda: _rows().filter(pk=entry.pk).delete())
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_raw_sql_is_refused(entry):
    def update():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditentry SET username = 'jemand' WHERE id = %s", [entry.pk])

    def delete():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditentry")

    _refused(update)
    _refused(delete)
    assert AuditEntry.objects.get(pk=entry.pk).username == entry.username


def test_pointing_an_entry_at_another_account_is_refused(entry):
    other = UserFactory()
    _refused(lambda: _rows().filter(pk=entry.pk).update(user=other))


def test_deleting_a_staff_account_keeps_its_entries_with_the_username(entry, case_manager):
    username = case_manager.username
    case_manager.delete()

    entry.refresh_from_db()
    assert entry.user_id is None and entry.username == username


def test_new_entries_are_still_written(case_manager):
    case = CaseFactory()
    before = AuditEntry.objects.count()
    audit_record(user=case_manager, action=Action.VIEW, obj=case)
    assert AuditEntry.objects.count() == before + 1
