"""Kreis Coesfeld, its three Teilregionen and eleven municipalities.

Every installation ships with this data; other districts are added as data.
"""

from django.db import migrations

COESFELD = {
    "name": "Kreis Coesfeld",
    "key": "05558",
    "code": "COE",
    "regions": {
        "Nord": [
            ("Coesfeld", "05558012"),
            ("Rosendahl", "05558040"),
            ("Billerbeck", "05558008"),
            ("Havixbeck", "05558020"),
        ],
        "Mitte": [
            ("Dülmen", "05558016"),
            ("Nottuln", "05558032"),
        ],
        "Süd": [
            ("Ascheberg", "05558004"),
            ("Lüdinghausen", "05558024"),
            ("Olfen", "05558036"),
            ("Nordkirchen", "05558028"),
            ("Senden", "05558044"),
        ],
    },
}


def load(apps, schema_editor):
    District = apps.get_model("regions", "District")
    Region = apps.get_model("regions", "Region")
    Municipality = apps.get_model("regions", "Municipality")
    district, _ = District.objects.get_or_create(
        key=COESFELD["key"], defaults={"name": COESFELD["name"], "code": COESFELD["code"]}
    )
    for region_name, municipalities in COESFELD["regions"].items():
        region, _ = Region.objects.get_or_create(district=district, name=region_name)
        for name, ags in municipalities:
            Municipality.objects.update_or_create(ags=ags, defaults={"name": name, "region": region})


def unload(apps, schema_editor):
    Municipality = apps.get_model("regions", "Municipality")
    Region = apps.get_model("regions", "Region")
    District = apps.get_model("regions", "District")
    Municipality.objects.filter(region__district__key=COESFELD["key"]).delete()
    Region.objects.filter(district__key=COESFELD["key"]).delete()
    District.objects.filter(key=COESFELD["key"]).delete()


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
