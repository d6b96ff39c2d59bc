"""The network actors of the demo data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from regions.models import District, Municipality, Region

from .people import POPULATION

# --- Network actors ------------------------------------------------------------------


@dataclass(frozen=True)
class ActorSpec:
    name: str
    actor_type: str
    location: Municipality
    serves: tuple[Municipality, ...]
    topics: tuple[str, ...]
    description: str = ""
    roles: tuple[str, ...] = ("Beratung",)


# Actors beyond the core, one per template and municipality: (type, name, topics, roles).
EXTRA_ACTOR_TEMPLATES = (
    ("Schule", "Gesamtschule {m}", ("Bildung", "Sprache"), ("Schulsozialarbeit", "Schulleitung")),
    ("Kita", "Familienzentrum Regenbogen {m}", ("Familie", "Bildung"), ("Kita-Leitung",)),
    (
        "Migrantenorganisation",
        "Interkultureller Verein {m} e. V.",
        ("Freizeit / Teilhabe", "Sprache"),
        ("Vorstand",),
    ),
    ("Ehrenamt", "Flüchtlingshilfe {m}", ("Freizeit / Teilhabe", "Wohnen"), ("Koordination Ehrenamt",)),
    ("Arbeitgeber", "Pflegedienst Lebenswert {m}", ("Arbeit",), ("Personalabteilung",)),
    ("Schule", "Grundschule am Park {m}", ("Bildung",), ("Schulsozialarbeit", "Klassenleitung")),
    ("Sprach- / Integrationskursträger", "Sprachschule Brücke {m}", ("Sprache",), ("Kursorganisation",)),
    ("Arbeitgeber", "Logistikzentrum {m} GmbH", ("Arbeit",), ("Ausbildungsleitung", "Personalabteilung")),
    ("Kita", "Kita Sonnenschein {m}", ("Familie",), ("Kita-Leitung",)),
    ("Gesundheitswesen", "Hausarztpraxis am Markt {m}", ("Gesundheit",), ("Praxismanagement",)),
    ("Ehrenamt", "Begegnungscafé {m}", ("Freizeit / Teilhabe", "Sprache"), ("Ansprechperson",)),
    ("Arbeitgeber", "Landgasthof zur Linde {m}", ("Arbeit",), ("Inhaber/in", "Küchenleitung")),
    ("Freier Träger", "Familienbildungsstätte {m}", ("Familie", "Bildung"), ("Fachbereichsleitung",)),
)


def extra_actor_count(cases: int) -> int:
    """Actors beyond the core grow mildly with the number of cases (about 30 for 10,000)."""
    if cases <= 0:
        return 0
    return max(6, min(200, round(31 * (cases / 10_000) ** 0.25)))


def _main_municipality(municipalities: Sequence[Municipality]) -> Municipality:
    return max(municipalities, key=lambda m: (_population(m), -m.pk))


def _population(municipality: Municipality) -> int:
    return POPULATION.get(municipality.name) or municipality.population or 10_000


def actor_specs(district: District, regions: dict[Region, list[Municipality]], extra: int) -> list[ActorSpec]:
    """The demo network of a district, in a fixed order (so `external_id`s stay stable)."""
    everywhere = tuple(m for ms in regions.values() for m in ms)
    seat = next((m for m in everywhere if m.name in district.name), _main_municipality(everywhere))
    kreis = district.name
    specs: list[ActorSpec] = []
    for region, municipalities in regions.items():
        main = _main_municipality(municipalities)
        specs.append(
            ActorSpec(
                f"Jobcenter {kreis} – Standort {main.name}",
                "Jobcenter",
                main,
                tuple(municipalities),
                ("Arbeit", "Soziales", "Sprache"),
                f"Grundsicherung für Arbeitsuchende (SGB II) für die Teilregion {region.name}.",
                ("Integrationsfachkraft", "Leistungssachbearbeitung", "Fallmanagement U25"),
            )
        )
    specs += [
        ActorSpec(
            f"Agentur für Arbeit – Geschäftsstelle {seat.name}",
            "Agentur für Arbeit",
            seat,
            everywhere,
            ("Arbeit", "Bildung"),
            "Berufsberatung, Arbeitsvermittlung und Anerkennungsberatung.",
            ("Berufsberatung", "Arbeitsvermittlung"),
        ),
        ActorSpec(
            f"Ausländerbehörde {kreis}",
            "Ausländerbehörde",
            seat,
            everywhere,
            ("Aufenthalt",),
            "Aufenthaltstitel, Duldungen, Einbürgerung.",
            ("Sachbearbeitung Aufenthalt", "Sachbearbeitung Einbürgerung"),
        ),
        ActorSpec(
            f"Jugendamt {kreis}",
            "Jugendamt",
            seat,
            everywhere,
            ("Familie", "Bildung"),
            "Hilfen zur Erziehung, Kindertagesbetreuung, Beistandschaften.",
            ("Allgemeiner Sozialer Dienst", "Kita-Bedarfsplanung"),
        ),
        ActorSpec(
            f"Gesundheitsamt {kreis}",
            "Gesundheitswesen",
            seat,
            everywhere,
            ("Gesundheit",),
            "Schuleingangsuntersuchungen, Impfberatung, sozialpsychiatrischer Dienst.",
            ("Sozialpsychiatrischer Dienst", "Kinder- und Jugendgesundheitsdienst"),
        ),
    ]
    for municipality in everywhere:
        specs.append(
            ActorSpec(
                f"Sozialamt {municipality.name}",
                "Sozialamt",
                municipality,
                (municipality,),
                ("Soziales", "Wohnen", "Finanzen / Schulden"),
                "Leistungen nach AsylbLG und SGB XII, Unterbringung, Wohngeld.",
                ("Sachbearbeitung AsylbLG", "Wohngeldstelle", "Unterbringung"),
            )
        )
    carriers = ("Caritasverband", "Diakonisches Werk", "DRK-Kreisverband")
    for index, municipalities in enumerate(regions.values()):
        main = _main_municipality(municipalities)
        specs.append(
            ActorSpec(
                f"Migrationsberatung für Erwachsene (MBE) – {carriers[index % 3]} {main.name}",
                "Beratungsstelle",
                main,
                tuple(municipalities),
                ("Aufenthalt", "Sprache", "Soziales", "Familie"),
                "Migrationsberatung für Erwachsene ab 27 Jahren.",
                ("Migrationsberatung",),
            )
        )
        specs.append(
            ActorSpec(
                f"VHS {main.name} – Integrationskurse",
                "Sprach- / Integrationskursträger",
                main,
                tuple(municipalities),
                ("Sprache", "Bildung"),
                "Integrationskurse, Alphabetisierungskurse, Berufssprachkurse.",
                ("Kursberatung", "Fachbereichsleitung Deutsch"),
            )
        )
    specs += [
        ActorSpec(
            f"Jugendmigrationsdienst (JMD) {seat.name}",
            "Beratungsstelle",
            seat,
            everywhere,
            ("Bildung", "Sprache", "Arbeit"),
            "Begleitung junger Menschen mit Einwanderungsgeschichte von 12 bis 27 Jahren.",
            ("Beratung JMD",),
        ),
        ActorSpec(
            f"Schuldner- und Insolvenzberatung {kreis}",
            "Freier Träger",
            seat,
            everywhere,
            ("Finanzen / Schulden",),
            "Kostenlose Schuldnerberatung, Haushaltsplanung.",
            ("Schuldnerberatung",),
        ),
        ActorSpec(
            f"Psychosoziales Zentrum für Geflüchtete {kreis}",
            "Gesundheitswesen",
            seat,
            everywhere,
            ("Gesundheit",),
            "Beratung und Therapievermittlung für geflüchtete Menschen.",
            ("Psychosoziale Beratung",),
        ),
        ActorSpec(
            f"Wohnungsnotfallhilfe {kreis}",
            "Freier Träger",
            seat,
            everywhere,
            ("Wohnen",),
            "Beratung bei drohendem Wohnungsverlust.",
            ("Sozialarbeit",),
        ),
    ]
    by_size = sorted(everywhere, key=lambda m: (-_population(m), m.pk))
    for index in range(extra):
        actor_type, pattern, topics, roles = EXTRA_ACTOR_TEMPLATES[index % len(EXTRA_ACTOR_TEMPLATES)]
        municipality = by_size[(index // len(EXTRA_ACTOR_TEMPLATES) + index) % len(by_size)]
        round_ = index // (len(EXTRA_ACTOR_TEMPLATES) * len(by_size))
        name = pattern.format(m=municipality.name) + (f" {round_ + 1}" if round_ else "")
        specs.append(ActorSpec(name, actor_type, municipality, (municipality,), topics, "", roles))
    return specs
