"""Default catalogues; administrators extend or deactivate them in the admin."""

from django.db import migrations

TOPICS = [
    "Sprache",
    "Bildung",
    "Arbeit",
    "Wohnen",
    "Gesundheit",
    "Aufenthalt",
    "Familie",
    "Soziales",
    "Finanzen / Schulden",
    "Freizeit / Teilhabe",
]

ACTOR_TYPES = [
    "Jobcenter",
    "Agentur für Arbeit",
    "Ausländerbehörde",
    "Sozialamt",
    "Jugendamt",
    "sonstige Behörde",
    "Freier Träger",
    "Beratungsstelle",
    "Schule",
    "Kita",
    "Sprach- / Integrationskursträger",
    "Migrantenorganisation",
    "Ehrenamt",
    "Arbeitgeber",
    "Gesundheitswesen",
]

CLOSURE_REASONS = [
    "Ziele erreicht",
    "Ziele teilweise erreicht",
    "Übergabe an Regelangebot / andere Stelle",
    "Wegzug aus dem Kreis",
    "Kontaktabbruch durch Klient/in",
    "Mitwirkung beendet / Einwilligung widerrufen",
    "Verstorben",
    "Sonstiger Grund",
]

LEGAL_FRAMEWORKS = [
    ("sgb-ii", "SGB II"),
    ("sgb-iii", "SGB III"),
    ("sgb-viii", "SGB VIII"),
    ("sgb-ix", "SGB IX"),
    ("sgb-xii", "SGB XII"),
    ("asylblg", "AsylbLG"),
    ("aufenthg", "AufenthG"),
    ("none", "kein Rechtskreis"),
]

DATA_CATEGORIES = [
    ("Stammdaten (Name, Geburtsdatum, Anschrift)", False),
    ("Kontaktdaten", False),
    ("Aufenthaltsstatus", False),
    ("Familie und Haushalt", False),
    ("Leistungsbezug", False),
    ("Schule, Ausbildung und Beruf", False),
    ("Sprachkenntnisse", False),
    ("Gesundheit", True),
]


def load(apps, schema_editor):
    for model_name, names in [
        ("Topic", TOPICS),
        ("ActorType", ACTOR_TYPES),
        ("ClosureReason", CLOSURE_REASONS),
    ]:
        model = apps.get_model("casework", model_name)
        for order, name in enumerate(names, start=1):
            model.objects.get_or_create(name=name, defaults={"sort_order": order * 10})
    LegalFramework = apps.get_model("casework", "LegalFramework")
    for order, (code, name) in enumerate(LEGAL_FRAMEWORKS, start=1):
        LegalFramework.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order * 10})
    DataCategory = apps.get_model("casework", "DataCategory")
    for order, (name, special) in enumerate(DATA_CATEGORIES, start=1):
        DataCategory.objects.get_or_create(
            name=name, defaults={"sort_order": order * 10, "is_special_category": special}
        )


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
