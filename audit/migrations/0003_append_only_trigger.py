"""The database keeps the audit trail append-only, not only the application (PostgreSQL).

AuditEntry.save() and delete() refuse to change a stored entry, but a queryset's update() or
delete(), raw SQL or another program with the application's database user would not ask
them. A trigger refuses every UPDATE and DELETE of a row, with one exception: Django's
on_delete=SET_NULL when a staff account is deleted, which sets `user_id` to NULL and changes
nothing else (the entry keeps the username).

No retention job deletes or anonymises audit entries (privacy.services leaves the trail
alone: it names objects by id and reference, never a person), so there is no other path. A
purge, if the deletion concept ever asks for one, is the database owner's job:
`ALTER TABLE audit_auditentry DISABLE TRIGGER audit_auditentry_append_only` in the same
transaction as the DELETE. TRUNCATE (the test suite's flush, bench/ --reset) is not a row
change and stays possible for whoever holds that privilege.

SQLite (development, tests by default) has no such trigger.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_auditentry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.user_id IS NOT NULL AND NEW.user_id IS NULL
       AND (to_jsonb(NEW) - 'user_id') = (to_jsonb(OLD) - 'user_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_auditentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry;
CREATE TRIGGER audit_auditentry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_auditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_auditentry_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Through the cursor without parameters: the function's "%" is PL/pgSQL's, not a placeholder.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_brin_index_on_at")]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]
