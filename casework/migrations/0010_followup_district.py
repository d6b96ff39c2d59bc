"""Follow-ups carry their case's district, for "Wiedervorlage überfällig" per district."""

import django.db.models.deletion
from django.db import migrations, models


def copy_case_districts(apps, schema_editor):
    # One statement for every existing follow-up (a million in the benchmark data set).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE casework_followup AS f SET district_id = c.district_id "
            "FROM casework_case AS c WHERE c.id = f.case_id"
        )
    else:
        schema_editor.execute(
            "UPDATE casework_followup SET district_id = "
            "(SELECT c.district_id FROM casework_case AS c WHERE c.id = casework_followup.case_id)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0009_case_order_index"),
        ("regions", "0002_load_kreis_coesfeld"),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="district",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="regions.district",
                verbose_name="Kreis",
            ),
        ),
        migrations.RunPython(copy_case_districts, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="followup",
            name="district",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="regions.district",
                verbose_name="Kreis",
            ),
        ),
        migrations.AddIndex(
            model_name="followup",
            index=models.Index(
                condition=models.Q(("done_at__isnull", True)),
                fields=["district", "due_on"],
                include=("case",),
                name="followup_district_open_due_idx",
            ),
        ),
    ]
