"""A case's contacts in timeline order: the case page reads its newest 20 contacts along this
index instead of sorting all of a case's contacts. It replaces the (case, contacted_on) index
the statistics count contacts by, which keeps working on its first two columns."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0011_case_district_manager_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                fields=["case", "contacted_on", "created_at", "id"],
                include=("channel",),
                name="contact_case_timeline_idx",
            ),
        ),
        migrations.RemoveIndex(
            model_name="contact",
            name="contact_case_date_channel_idx",
        ),
    ]
