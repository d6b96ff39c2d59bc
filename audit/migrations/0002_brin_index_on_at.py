"""Indexes for a table of tens of millions of rows.

A BRIN index on `at` on PostgreSQL: entries are appended in time order, so the table
is physically sorted by `at`, and a BRIN index (a few kilobytes for millions of rows)
narrows a time range to the right blocks, where a B-tree on `at` would grow with every
row and slow every insert. Other databases (SQLite in development and tests) have no
BRIN and go without.

No index on `user` alone: the (user, at) index serves every lookup by user.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEX = "audit_auditentry_at_brin"


def create_brin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(apps.get_model("audit", "AuditEntry")._meta.db_table)
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {table} USING brin (at)")


def drop_brin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(create_brin_index, drop_brin_index, elidable=False),
        migrations.AlterField(
            model_name="auditentry",
            name="user",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="Benutzer/in",
            ),
        ),
    ]
