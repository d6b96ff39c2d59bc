"""Deterministic demo data for a district: staff, network actors, clients and cases.

`seed_demo_data()` fills the database fast enough for load tests (10,000 cases in
seconds). It does not go through the services row by row: it plans everything in
memory and writes it in bulk (`RowWriter`: COPY on PostgreSQL, multi-row INSERTs on
SQLite). It therefore keeps by itself the rules the services keep: references
continue after the highest sequence per district and year, phase histories only take
steps `lifecycle` allows, closed cases have a date and a reason, and no entry is dated
before its case was opened or after it was closed.

Everything random comes from `random.Random` instances seeded from `seed`, so the same
seed on the same database gives the same data. Staff and actors are created once
(recognised by username and `external_id`); clients and cases are added on every run.
The random stream for them also depends on how many cases the district already has,
so a second run adds new people rather than the same people again.

Names, addresses and notes are invented. E-mail addresses use the reserved `.example`
top-level domain, telephone numbers the ranges the Bundesnetzagentur keeps free for
media productions ("Drama Numbers"), so no demo record points to a real person.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import io
import itertools
import operator
import random
import sqlite3
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Max
from django.utils import timezone
from django_countries import countries

from accounts.models import User
from accounts.roles import CASE_MANAGEMENT, COORDINATION
from regions.models import District, Municipality, Region

from .lifecycle import ACTIVE_PHASES, Phase, is_transition_allowed
from .models import (
    Actor,
    ActorType,
    Case,
    CaseAssignment,
    Channel,
    Client,
    ClosureReason,
    Consent,
    Contact,
    ContactPerson,
    DataCategory,
    FollowUp,
    Gender,
    Goal,
    GoalStatus,
    GoalStatusChange,
    Household,
    HouseholdRole,
    LegalFramework,
    PhaseChange,
    Referral,
    ReferralStatus,
    ResidenceStatus,
    Topic,
)
from .names import search_key
from .services import format_reference

DEFAULT_DISTRICT_KEY = "05558"
BATCH_SIZE = 2000
COPY_BATCH = 20_000
# Cases are written and followed by their entries in chunks, which keeps memory flat.
CASE_CHUNK = 2000
HISTORY_DAYS = 3 * 365
RESIDENCE_WARNING_DAYS = 8 * 7
ACTOR_ID_PREFIX = "demo-actor-"
CASE_MANAGERS_PER_REGION = 3
FTE_CHOICES = (Decimal("1.00"), Decimal("0.75"), Decimal("0.50"))


class Weights:
    """A fixed discrete distribution; a draw costs one random number and a bisection."""

    __slots__ = ("cumulative", "total", "values")

    def __init__(self, weights: dict):
        self.values = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random):
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


_DISTRIBUTIONS: dict[tuple, Weights] = {}


def _weighted(rng: random.Random, weights: dict):
    """Draw a key of `weights`; the distribution is built once per distinct dict."""
    key = tuple(weights.items())
    table = _DISTRIBUTIONS.get(key)
    if table is None:
        table = _DISTRIBUTIONS[key] = Weights(weights)
    return table.pick(rng)


# --- Geography and contact data ------------------------------------------------------

POSTAL_CODES = {
    "Coesfeld": "48653",
    "Dülmen": "48249",
    "Lüdinghausen": "59348",
    "Senden": "48308",
    "Nottuln": "48301",
    "Billerbeck": "48727",
    "Havixbeck": "48329",
    "Rosendahl": "48720",
    "Ascheberg": "59387",
    "Olfen": "59399",
    "Nordkirchen": "59394",
}
# Rough population, so that bigger towns get more cases; other districts fall back to
# `Municipality.population` or an even spread.
POPULATION = {
    "Dülmen": 47000,
    "Coesfeld": 37000,
    "Lüdinghausen": 25000,
    "Senden": 21000,
    "Nottuln": 20000,
    "Ascheberg": 15500,
    "Olfen": 13000,
    "Havixbeck": 12000,
    "Billerbeck": 11700,
    "Rosendahl": 11000,
    "Nordkirchen": 10500,
}
STREETS = (
    "Bahnhofstraße",
    "Kirchstraße",
    "Münsterstraße",
    "Marktstraße",
    "Schulstraße",
    "Lindenstraße",
    "Gartenstraße",
    "Mühlenweg",
    "Bergstraße",
    "Ringstraße",
    "Am Stadtpark",
    "Nordring",
    "Südring",
    "Eichenweg",
    "Birkenallee",
    "Ahornweg",
    "Overbergstraße",
    "Kapellenweg",
    "Wiesenweg",
    "Feldstraße",
    "Sandweg",
    "Hauptstraße",
    "Am Kreishaus",
    "Friedhofstraße",
    "Burgstraße",
)
# Bundesnetzagentur, Mitteilung 148/2021: numbers never assigned to anyone.
DRAMA_NUMBER_PREFIXES = ("030 23125", "069 90009", "040 66969", "0221 4710", "089 99998")

# --- People --------------------------------------------------------------------------

# origin -> (female first names, male first names, last names)
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "de": (
        (
            "Anna", "Maria", "Julia", "Laura", "Sarah", "Lisa", "Katharina", "Sabine", "Petra",
            "Claudia", "Monika", "Andrea", "Stefanie", "Nicole", "Birgit", "Heike", "Lena",
            "Hannah", "Marie", "Sophie", "Johanna", "Anja", "Kerstin", "Ute", "Christiane",
        ),
        (
            "Thomas", "Michael", "Andreas", "Stefan", "Christian", "Markus", "Frank", "Jürgen",
            "Uwe", "Klaus", "Peter", "Jan", "Lukas", "Jonas", "Felix", "Tobias", "Daniel",
            "Sebastian", "Matthias", "Florian", "Paul", "Martin", "Bernd", "Hendrik", "Ludger",
        ),
        (
            "Müller", "Schulte", "Hoffmann", "Schmitz", "Schneider", "Fischer", "Weber", "Meyer",
            "Wagner", "Becker", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
            "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange", "Terhalle", "Wessels", "Hüsing",
            "Tenhumberg", "Brüggemann", "Niehues", "Overkamp", "Schulze Althoff", "Böckenholt",
        ),
    ),
    "ar": (
        (
            "Fatima", "Aisha", "Mariam", "Noor", "Layla", "Rania", "Huda", "Amal", "Yasmin",
            "Salma", "Reem", "Lina", "Hiba", "Rasha", "Dalia", "Sara", "Hala", "Zainab", "Ghada",
            "Rojda", "Dilan", "Berivan", "Nesrin", "Jiyan",
        ),
        (
            "Mohammad", "Ahmad", "Ali", "Omar", "Khaled", "Mahmoud", "Hassan", "Hussein", "Yousef",
            "Ibrahim", "Mustafa", "Abdullah", "Samer", "Bilal", "Karim", "Tarek", "Rami", "Fadi",
            "Walid", "Jamal", "Azad", "Rojhat", "Dilshad", "Baran",
        ),
        (
            "Ahmad", "Haddad", "Al-Hassan", "Khalil", "Mansour", "Hamdan", "Saleh", "Othman",
            "Darwish", "Kassem", "Najjar", "Sabbagh", "Al-Ali", "Hamoud", "Ibrahim", "Mustafa",
            "Abdallah", "Aziz", "Hijazi", "Al-Khatib", "Youssef", "Kurdi", "Hamo", "Sheikho",
            "Mamo", "Rashid",
        ),
    ),
    "fa": (
        (
            "Zahra", "Maryam", "Fatemeh", "Parisa", "Shirin", "Nargis", "Mahnaz", "Farzana",
            "Laleh", "Soraya", "Marzia", "Nilofar", "Roya", "Shabnam", "Homa",
        ),
        (
            "Mohammad", "Ahmad", "Reza", "Ali", "Hamid", "Farid", "Javad", "Mehdi", "Sajad",
            "Mustafa", "Jawad", "Hamed", "Navid", "Omid", "Abdul",
        ),
        (
            "Ahmadi", "Rahimi", "Hosseini", "Karimi", "Mohammadi", "Sultani", "Rezai", "Noori",
            "Haidari", "Sadiqi", "Azizi", "Jafari", "Rahmani", "Safi", "Rostami", "Mousavi",
            "Sadeghi", "Kazemi",
        ),
    ),
    "tr": (
        (
            "Ayşe", "Fatma", "Emine", "Elif", "Zeynep", "Merve", "Esra", "Büşra", "Hatice",
            "Derya", "Songül", "Gülsüm", "Melek", "Sibel", "Yasemin",
        ),
        (
            "Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "İbrahim", "Murat", "Emre",
            "Yusuf", "Osman", "Kemal", "Serkan", "Burak", "Cem",
        ),
        (
            "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın",
            "Özdemir", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt",
            "Özkan", "Polat",
        ),
    ),
    "ua": (
        (
            "Olena", "Tetiana", "Iryna", "Natalia", "Oksana", "Yuliia", "Svitlana", "Kateryna",
            "Anastasiia", "Olha", "Viktoriia", "Mariia", "Halyna", "Liudmyla", "Daria",
        ),
        (
            "Oleksandr", "Andrii", "Serhii", "Volodymyr", "Dmytro", "Mykola", "Ivan", "Yurii",
            "Oleh", "Vasyl", "Maksym", "Artem", "Bohdan", "Taras", "Vitalii",
        ),
        (
            "Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Kravchenko", "Boiko", "Melnyk",
            "Shevchuk", "Polishchuk", "Lysenko", "Marchenko", "Savchenko", "Rudenko", "Moroz",
            "Pavlenko", "Kovalchuk", "Oliinyk", "Tkachuk",
        ),
    ),
    "er": (
        (
            "Helen", "Semhar", "Luwam", "Senait", "Mebrat", "Tsega", "Yordanos", "Selam", "Saba",
            "Winta", "Feven", "Rahel",
        ),
        (
            "Tesfay", "Yonas", "Dawit", "Merhawi", "Filmon", "Samuel", "Haile", "Mehari", "Kidane",
            "Robel", "Berhane", "Tekle",
        ),
        (
            "Tesfay", "Gebremedhin", "Haile", "Tesfamariam", "Berhane", "Kidane", "Mehari", "Habte",
            "Tekle", "Woldu", "Andemariam", "Asmerom", "Yohannes",
        ),
    ),
    "ro": (
        (
            "Maria", "Elena", "Ioana", "Andreea", "Mihaela", "Alina", "Cristina", "Florentina",
            "Gabriela", "Daniela", "Roxana", "Simona",
        ),
        (
            "Ion", "Gheorghe", "Vasile", "Constantin", "Andrei", "Mihai", "Alexandru", "Florin",
            "Marius", "Adrian", "Cătălin", "Bogdan",
        ),
        (
            "Popescu", "Ionescu", "Popa", "Pop", "Radu", "Dumitru", "Stan", "Stoica", "Gheorghe",
            "Matei", "Ciobanu", "Rusu", "Munteanu", "Lazăr", "Constantin",
        ),
    ),
    "pl": (
        (
            "Anna", "Katarzyna", "Agnieszka", "Małgorzata", "Joanna", "Magdalena", "Ewa", "Monika",
            "Aleksandra", "Natalia", "Dorota", "Justyna",
        ),
        (
            "Piotr", "Krzysztof", "Tomasz", "Paweł", "Michał", "Marcin", "Jakub", "Łukasz",
            "Grzegorz", "Adam", "Mateusz", "Kamil",
        ),
        (
            "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
            "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Mazur", "Jankowski",
            "Krawczyk",
        ),
    ),
    "bg": (
        (
            "Maria", "Ivanka", "Elena", "Yordanka", "Desislava", "Gergana", "Petya", "Radka",
            "Silvia", "Teodora",
        ),
        (
            "Georgi", "Ivan", "Dimitar", "Nikolay", "Petar", "Hristo", "Stoyan", "Todor", "Angel",
            "Vasil",
        ),
        (
            "Ivanov", "Georgiev", "Dimitrov", "Petrov", "Nikolov", "Hristov", "Stoyanov", "Todorov",
            "Iliev", "Atanasov",
        ),
    ),
    "sq": (
        (
            "Arta", "Blerta", "Drita", "Vjosa", "Fatime", "Shqipe", "Valbona", "Mimoza", "Lindita",
            "Donika",
        ),
        (
            "Arben", "Bekim", "Driton", "Fatmir", "Agim", "Besnik", "Valon", "Ilir", "Luan",
            "Shkelzen",
        ),
        (
            "Krasniqi", "Gashi", "Berisha", "Morina", "Shala", "Hoxha", "Bytyqi", "Kastrati",
            "Rexhepi", "Hyseni", "Zeqiri", "Osmani",
        ),
    ),
    "ng": (
        (
            "Blessing", "Chioma", "Ngozi", "Funmilayo", "Adaeze", "Esther", "Grace", "Joy",
            "Precious", "Amaka",
        ),
        (
            "Chinedu", "Emeka", "Oluwaseun", "Tunde", "Ifeanyi", "Samuel", "Daniel", "Godwin",
            "Uche", "Babatunde",
        ),
        (
            "Okafor", "Adeyemi", "Okonkwo", "Eze", "Nwosu", "Balogun", "Okoro", "Adebayo",
            "Ogunleye", "Obi", "Olaniyan", "Chukwu",
        ),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Origin:
    """What a nationality implies for names, languages and residence."""

    names: str
    languages: tuple[str, ...]
    statuses: dict[str, int]
    interpreter_share: float


_ASYLUM = {
    ResidenceStatus.TEMPORARY: 45,
    ResidenceStatus.SETTLEMENT: 18,
    ResidenceStatus.GESTATTUNG: 17,
    ResidenceStatus.DULDUNG: 12,
    ResidenceStatus.UNCLEAR: 3,
}
_EU = {ResidenceStatus.EU: 97, ResidenceStatus.UNCLEAR: 3}

# nationality (ISO 3166-1 alpha-2) -> (weight among clients, origin)
NATIONALITIES: dict[str, tuple[int, Origin]] = {
    "SY": (20, Origin("ar", ("Arabisch", "Arabisch, Kurdisch", "Kurmandschi, Arabisch"), _ASYLUM, 0.45)),
    "UA": (
        16,
        Origin(
            "ua",
            ("Ukrainisch, Russisch", "Ukrainisch", "Russisch, Ukrainisch, Englisch"),
            {
                ResidenceStatus.TEMPORARY_PROTECTION: 85,
                ResidenceStatus.TEMPORARY: 10,
                ResidenceStatus.SETTLEMENT: 5,
            },
            0.6,
        ),
    ),
    "AF": (10, Origin("fa", ("Dari", "Paschtu", "Dari, Paschtu", "Dari, Englisch"), _ASYLUM, 0.55)),
    "IQ": (8, Origin("ar", ("Arabisch", "Sorani, Arabisch", "Kurmandschi"), _ASYLUM, 0.45)),
    "TR": (
        8,
        Origin(
            "tr",
            ("Türkisch", "Türkisch, Kurdisch", "Türkisch, Deutsch"),
            {
                ResidenceStatus.SETTLEMENT: 40,
                ResidenceStatus.TEMPORARY: 30,
                ResidenceStatus.GESTATTUNG: 25,
                ResidenceStatus.UNCLEAR: 5,
            },
            0.35,
        ),
    ),
    "RO": (6, Origin("ro", ("Rumänisch", "Rumänisch, Romanes", "Rumänisch, Englisch"), _EU, 0.4)),
    "PL": (5, Origin("pl", ("Polnisch", "Polnisch, Deutsch", "Polnisch, Englisch"), _EU, 0.3)),
    "BG": (4, Origin("bg", ("Bulgarisch", "Bulgarisch, Türkisch", "Bulgarisch, Romanes"), _EU, 0.45)),
    "XK": (4, Origin("sq", ("Albanisch", "Albanisch, Serbisch", "Albanisch, Deutsch"), _ASYLUM, 0.3)),
    "ER": (3, Origin("er", ("Tigrinya", "Tigrinya, Arabisch", "Tigrinya, Englisch"), _ASYLUM, 0.6)),
    "IR": (3, Origin("fa", ("Persisch", "Persisch, Englisch", "Persisch, Kurdisch"), _ASYLUM, 0.4)),
    "NG": (2, Origin("ng", ("Englisch", "Englisch, Yoruba", "Englisch, Igbo"), _ASYLUM, 0.1)),
    "DE": (
        8,
        Origin(
            "de",
            ("Deutsch",),  # see FAMILY_LANGUAGES
            {ResidenceStatus.GERMAN: 100},
            0.0,
        ),
    ),
}
# Kosovo's code is user-assigned in ISO 3166; django-countries offers it only when the
# settings add it (COUNTRIES_OVERRIDE). Until then Kosovars are recorded as unknown.
COUNTRY_FALLBACKS = {"XK": ""}


@functools.cache
def _known_country(code: str) -> str:
    return code if code in countries else COUNTRY_FALLBACKS.get(code, "")


NATIONALITY_WEIGHTS = Weights({code: weight for code, (weight, _origin) in NATIONALITIES.items()})
# German citizens who came to Germany themselves often keep the names of their first country.
NATURALISED_NAME_ORIGINS = ("de", "de", "tr", "ar", "pl", "sq", "fa")
FAMILY_LANGUAGES = {
    "de": "Deutsch",
    "tr": "Deutsch, Türkisch",
    "ar": "Deutsch, Arabisch",
    "pl": "Deutsch, Polnisch",
    "sq": "Deutsch, Albanisch",
    "fa": "Deutsch, Persisch",
}

EXPIRING = {
    ResidenceStatus.TEMPORARY,
    ResidenceStatus.TEMPORARY_PROTECTION,
    ResidenceStatus.GESTATTUNG,
    ResidenceStatus.DULDUNG,
}
# Longest plausible validity of a document, in days.
VALIDITY_DAYS = {
    ResidenceStatus.TEMPORARY: 3 * 365,
    ResidenceStatus.TEMPORARY_PROTECTION: 480,
    ResidenceStatus.GESTATTUNG: 180,
    ResidenceStatus.DULDUNG: 180,
}


@dataclass
class Person:
    """A planned client, kept free of the database so it can be tested on its own."""

    first_name: str
    last_name: str
    gender: str
    date_of_birth: dt.date
    nationality: str
    origin_code: str  # key of NATIONALITIES; differs from `nationality` where that is unknown
    languages: str
    needs_interpreter: bool
    residence_status: str
    residence_valid_until: dt.date | None
    name_origin: str
    family_name: str  # the last name before a feminine form, which children inherit
    frameworks: list[str] = field(default_factory=list)


def _ascii(text: str) -> str:
    text = text.lower().translate(
        str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i", "ł": "l"})
    )
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch if ch.isalnum() else "-" for ch in text).strip("-")


def _slug(text: str) -> str:
    return "-".join(part for part in _ascii(text).split("-") if part)


def drama_phone(rng: random.Random) -> str:
    return f"{rng.choice(DRAMA_NUMBER_PREFIXES)} {rng.randrange(1000):03d}"


def _feminine(last_name: str, origin: str) -> str:
    """Polish and Bulgarian surnames take a feminine form."""
    if origin == "pl":
        for male, female in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
            if last_name.endswith(male):
                return last_name[: -len(male)] + female
    if origin == "bg" and last_name.endswith("v"):
        return last_name + "a"
    return last_name


def _first_name(rng: random.Random, origin: str, gender: str) -> str:
    female, male, _last = NAMES[origin]
    if gender == Gender.FEMALE:
        return rng.choice(female)
    if gender == Gender.MALE:
        return rng.choice(male)
    return rng.choice(female + male)


def _birth_date(rng: random.Random, today: dt.date, age: int) -> dt.date:
    return dt.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))


def _age_on(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _frameworks_for(rng: random.Random, status: str, age: int) -> list[str]:
    """LegalFramework codes a person with this status and age typically falls under."""
    codes: list[str] = []
    if age < 18:
        if rng.random() < 0.3:
            codes.append("sgb-viii")
    elif status in (ResidenceStatus.GESTATTUNG, ResidenceStatus.DULDUNG):
        codes.append("asylblg")
    elif age >= 67:
        codes.append("sgb-xii")
    else:
        roll = rng.random()
        if roll < 0.62:
            codes.append("sgb-ii")
        elif roll < 0.8:
            codes.append("sgb-iii")
    if status in EXPIRING and age >= 16 and rng.random() < 0.5:
        codes.append("aufenthg")
    if rng.random() < 0.04:
        codes.append("sgb-ix")
    return codes or ["none"]


def make_person(
    rng: random.Random,
    *,
    today: dt.date,
    nationality: str | None = None,
    name_origin: str | None = None,
    gender: str | None = None,
    last_name: str | None = None,
    age: int | None = None,
) -> Person:
    """One invented person: name, birth date, nationality, languages and residence status."""
    if nationality is None:
        nationality = NATIONALITY_WEIGHTS.pick(rng)
    origin_code, origin = nationality, NATIONALITIES[nationality][1]
    nationality = _known_country(nationality)
    if name_origin is None:
        name_origin = rng.choice(NATURALISED_NAME_ORIGINS) if origin_code == "DE" else origin.names
    if gender is None:
        gender = _weighted(
            rng, {Gender.FEMALE: 520, Gender.MALE: 460, Gender.DIVERSE: 5, Gender.UNSPECIFIED: 15}
        )
    if age is None:
        band = _weighted(
            rng, {(18, 25): 20, (26, 35): 30, (36, 45): 25, (46, 55): 13, (56, 66): 8, (67, 80): 4}
        )
        age = rng.randint(*band)
    family_name = last_name or rng.choice(NAMES[name_origin][2])
    last_name = _feminine(family_name, name_origin) if gender == Gender.FEMALE else family_name
    status = _weighted(rng, origin.statuses)
    valid_until = None
    if status in EXPIRING:
        roll = rng.random()
        if roll < 0.15:  # runs out within the warning period: the case shows a warning
            valid_until = today + dt.timedelta(days=rng.randint(0, RESIDENCE_WARNING_DAYS - 1))
        elif roll < 0.18:  # already expired; a Fiktionsbescheinigung is pending
            valid_until = today - dt.timedelta(days=rng.randint(1, 60))
        else:
            valid_until = today + dt.timedelta(
                days=rng.randint(RESIDENCE_WARNING_DAYS, VALIDITY_DAYS[status])
            )
    languages = rng.choice(origin.languages)
    if origin_code == "DE":
        languages = FAMILY_LANGUAGES[name_origin] if rng.random() < 0.7 else "Deutsch"
    if age < 18 and origin_code != "DE" and "Deutsch" not in languages:
        languages += ", Deutsch"
    needs_interpreter = age >= 16 and rng.random() < origin.interpreter_share
    return Person(
        first_name=_first_name(rng, name_origin, gender),
        last_name=last_name,
        gender=gender,
        date_of_birth=_birth_date(rng, today, age),
        nationality=nationality,
        origin_code=origin_code,
        languages=languages,
        needs_interpreter=needs_interpreter,
        residence_status=status,
        residence_valid_until=valid_until,
        name_origin=name_origin,
        family_name=family_name,
        frameworks=_frameworks_for(rng, status, age),
    )


def person_names(*, seed: int, count: int, today: dt.date | None = None) -> list[str]:
    """The names `make_person` draws for a seed: a cheap check that generation is repeatable."""
    rng = random.Random(seed)
    today = today or dt.date(2026, 1, 1)
    return [f"{p.first_name} {p.last_name}" for p in (make_person(rng, today=today) for _ in range(count))]


# --- Texts ---------------------------------------------------------------------------

CONTACT_NOTES = {
    "Sprache": (
        "Anmeldung zum Integrationskurs besprochen.",
        "Stand des Sprachkurses besprochen, die B1-Prüfung ist geplant.",
        "Berufsbezogene Sprachförderung erläutert.",
    ),
    "Bildung": (
        "Schulanmeldung der Kinder vorbereitet.",
        "Anerkennung des Schulabschlusses besprochen.",
        "Fragen zur Ganztagsbetreuung geklärt.",
    ),
    "Arbeit": (
        "Bewerbungsunterlagen gemeinsam überarbeitet.",
        "Anerkennung des Berufsabschlusses besprochen.",
        "Termin beim Jobcenter vorbereitet.",
        "Praktikumsmöglichkeiten besprochen.",
    ),
    "Wohnen": (
        "Wohnungssuche besprochen, Unterlagen für den Wohnberechtigungsschein erläutert.",
        "Fragen zur Nebenkostenabrechnung geklärt.",
        "Umzug in eine eigene Wohnung vorbereitet.",
    ),
    "Gesundheit": (
        "Suche nach einer Hausarztpraxis unterstützt.",
        "Fragen zur Krankenversicherung geklärt.",
        "Psychosoziale Beratung angeboten.",
    ),
    "Aufenthalt": (
        "Verlängerung des Aufenthaltstitels besprochen, Unterlagen gesichtet.",
        "Termin bei der Ausländerbehörde vorbereitet.",
        "Fragen zur Einbürgerung beantwortet.",
    ),
    "Familie": (
        "Suche nach einem Kita-Platz besprochen.",
        "Antrag auf Kindergeld vorbereitet.",
        "Stand des Familiennachzugs erläutert.",
    ),
    "Soziales": (
        "Antrag auf Bürgergeld gemeinsam ausgefüllt.",
        "Bescheid des Jobcenters erläutert.",
        "Antrag auf Leistungen für Bildung und Teilhabe vorbereitet.",
    ),
    "Finanzen / Schulden": (
        "Übersicht über offene Forderungen erstellt, Schuldnerberatung empfohlen.",
        "Ratenzahlung besprochen.",
        "Eröffnung eines Girokontos unterstützt.",
    ),
    "Freizeit / Teilhabe": (
        "Angebote im Sportverein vorgestellt.",
        "Kontakt zum Begegnungscafé hergestellt.",
        "Ehrenamtliche Patenschaft angeboten.",
    ),
}
CHANNEL_OPENINGS = {
    Channel.IN_PERSON: "Beratungsgespräch im Büro.",
    Channel.PHONE: "Telefonat.",
    Channel.VIDEO: "Videogespräch.",
    Channel.EMAIL: "Schriftliche Rückmeldung.",
    Channel.MESSENGER: "Kurze Abstimmung per Messenger.",
    Channel.OUTREACH: "Hausbesuch.",
    Channel.ACCOMPANIMENT: "Begleitung zu einem Termin.",
}
CHANNEL_WEIGHTS = {
    Channel.IN_PERSON: 45,
    Channel.PHONE: 25,
    Channel.EMAIL: 8,
    Channel.MESSENGER: 8,
    Channel.VIDEO: 3,
    Channel.OUTREACH: 6,
    Channel.ACCOMPANIMENT: 5,
}
CONTACT_CLOSINGS = (
    "Nächster Termin vereinbart.",
    "Rückmeldung folgt.",
    "",
    "",
    "Unterlagen werden nachgereicht.",
)
FIRST_CONTACT_NOTE = "Erstgespräch: Anliegen und Lebenssituation aufgenommen, Einwilligung besprochen."

GOALS = {
    "Sprache": (
        ("Integrationskurs bis Niveau B1 abschließen", "Anmeldung beim Kursträger, regelmäßige Teilnahme."),
        ("Berufssprachkurs beginnen", "Zugang über das Jobcenter klären, Kursplatz suchen."),
    ),
    "Bildung": (
        ("Schulplatz für die Kinder sichern", "Anmeldung an der Schule, Schulweg klären."),
        ("Schulabschluss anerkennen lassen", "Zeugnisse übersetzen lassen, Antrag stellen."),
    ),
    "Arbeit": (
        ("Anerkennung des Berufsabschlusses beantragen", "Unterlagen übersetzen, Antrag einreichen."),
        ("Beschäftigung aufnehmen", "Bewerbungen schreiben, Vorstellungsgespräche vorbereiten."),
        ("Praktikum im Wunschberuf absolvieren", "Betriebe ansprechen, Praktikumsvertrag klären."),
    ),
    "Wohnen": (("Eigene Wohnung finden", "Angebote sichten, Unterlagen für Vermieter zusammenstellen."),),
    "Gesundheit": (("Hausärztliche Versorgung sicherstellen", "Praxis finden, Ersttermin vereinbaren."),),
    "Aufenthalt": (
        (
            "Aufenthaltstitel verlängern",
            "Termin bei der Ausländerbehörde, Unterlagen vollständig einreichen.",
        ),
        ("Passbeschaffung klären", "Zuständige Auslandsvertretung ermitteln, Termin vorbereiten."),
    ),
    "Familie": (
        ("Kita-Platz für das jüngste Kind sichern", "Anmeldung im Kita-Portal, Rückfragen begleiten."),
        ("Kindergeld beantragen", "Antrag mit Nachweisen bei der Familienkasse stellen."),
    ),
    "Soziales": (("Leistungsansprüche klären", "Anträge vollständig stellen, Bescheide prüfen."),),
    "Finanzen / Schulden": (("Schulden regulieren", "Termin bei der Schuldnerberatung, Haushaltsplan."),),
    "Freizeit / Teilhabe": (
        ("Anschluss an einen Verein finden", "Angebote vorstellen, ersten Besuch begleiten."),
    ),
}
REFERRAL_OUTCOMES = {
    ReferralStatus.TAKEN_UP: (
        "Termin wahrgenommen.",
        "Anmeldung erfolgt.",
        "Aufnahme in das Angebot bestätigt.",
    ),
    ReferralStatus.DECLINED: (
        "Kein freier Platz, Warteliste.",
        "Angebot passt nicht, Alternative wird gesucht.",
    ),
    ReferralStatus.CANCELLED: ("Termin abgesagt.", "Vermittlung nach Umzug abgebrochen."),
}
FOLLOW_UP_TITLES = (
    "Rückmeldung des Jobcenters einholen",
    "Unterlagen für den Antrag prüfen",
    "Termin bei der Ausländerbehörde nachhalten",
    "Zielvereinbarung überprüfen",
    "Stand des Sprachkurses nachfragen",
    "Wohnungsangebote besprechen",
    "Rückruf vereinbaren",
    "Bescheid prüfen",
)
RESIDENCE_FOLLOW_UP = "Verlängerung des Aufenthaltstitels begleiten"
CONSENT_PURPOSE = "Austausch mit den genannten Stellen zur Abstimmung der Unterstützung im Case Management."
# Authorities may receive data without consent on a statutory basis.
AUTHORITY_TYPES = ("Jobcenter", "Agentur für Arbeit", "Ausländerbehörde", "Sozialamt", "Jugendamt")
STATUTORY_BASIS = "§ 69 Abs. 1 Nr. 1 SGB X (Erfüllung einer gesetzlichen Aufgabe)"

# Which actor types a topic usually leads to.
TOPIC_ACTOR_TYPES = {
    "Sprache": ("Sprach- / Integrationskursträger", "Beratungsstelle"),
    "Bildung": ("Schule", "Kita", "Beratungsstelle"),
    "Arbeit": ("Jobcenter", "Agentur für Arbeit", "Arbeitgeber"),
    "Wohnen": ("Sozialamt", "Freier Träger"),
    "Gesundheit": ("Gesundheitswesen",),
    "Aufenthalt": ("Ausländerbehörde", "Beratungsstelle"),
    "Familie": ("Jugendamt", "Kita", "Beratungsstelle"),
    "Soziales": ("Sozialamt", "Jobcenter", "Freier Träger"),
    "Finanzen / Schulden": ("Freier Träger",),
    "Freizeit / Teilhabe": ("Ehrenamt", "Migrantenorganisation"),
}
TOPIC_WEIGHTS = {
    "Sprache": 16,
    "Arbeit": 16,
    "Aufenthalt": 12,
    "Wohnen": 12,
    "Soziales": 12,
    "Familie": 10,
    "Bildung": 9,
    "Gesundheit": 6,
    "Finanzen / Schulden": 4,
    "Freizeit / Teilhabe": 3,
}


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


# --- Helpers for dates ---------------------------------------------------------------


def _rand_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _weekday(day: dt.date, earliest: dt.date) -> dt.date:
    """Move a weekend date back to Friday, unless that is before `earliest`."""
    if day.weekday() >= 5:
        friday = day - dt.timedelta(days=day.weekday() - 4)
        if friday >= earliest:
            return friday
    return day


@dataclass
class CaseSpec:
    """A case planned in memory before anything is written."""

    municipality: Municipality
    opened_on: dt.date
    phase: str
    client: Client | None = None
    household: Household | None = None
    closed_on: dt.date | None = None
    locked: bool = False  # the first case of a returning client must stay closed
    frameworks: set[str] = field(default_factory=set)
    needs_interpreter: bool = False
    residence_client: Client | None = None


@dataclass(slots=True)
class NewCase:
    """A case about to be written: lighter than a model instance when there are thousands."""

    reference: str
    year: int
    sequence: int
    client: Client | None
    household: Household | None
    municipality: Municipality
    case_manager: User | None
    phase: str
    opened_on: dt.date
    closed_on: dt.date | None
    closure_reason: ClosureReason | None
    pk: int | None = None

    @property
    def closure_reason_id(self) -> int | None:
        return self.closure_reason.pk if self.closure_reason else None

    def row(self, district: District) -> dict:
        return {
            "reference": self.reference,
            "district_id": district.pk,
            "year": self.year,
            "sequence": self.sequence,
            "client_id": self.client.pk if self.client else None,
            "household_id": self.household.pk if self.household else None,
            "municipality_id": self.municipality.pk,
            "case_manager_id": self.case_manager.pk if self.case_manager else None,
            "phase": self.phase,
            "opened_on": self.opened_on,
            "closed_on": self.closed_on,
            "closure_reason_id": self.closure_reason_id,
            "search_name": self.client.search_key if self.client else search_key(self.household.name),
        }


@dataclass(slots=True)
class CasePlan:
    """Everything decided about one case before its entries are written."""

    spec: CaseSpec
    case: NewCase
    path: list[str]  # the phases it went through, ending in its current one
    reached: str  # the furthest working phase (for a closed or paused case: before that)
    moments: list[dt.datetime]  # when each step of `path` happened
    end: dt.date  # the last day anything can be dated: closing day or today
    team: dict
    handover: tuple[User, User, dt.datetime] | None
    focus: list[str]  # topic names the case is mostly about
    opened_by: User
    writer_id: int


class DemoBuilder:
    """Plans and writes the demo data for one district; `run()` does everything."""

    def __init__(self, *, district: District, cases: int, seed: int, today: dt.date, now: dt.datetime):
        self.district = district
        self.cases = cases
        self.seed = seed
        self.today = today
        self.now = now
        self.tz = timezone.get_current_timezone()
        self.writer = RowWriter(now=now)
        self.counts: dict[str, int] = defaultdict(int)
        regions = list(Region.objects.filter(district=district).order_by("name"))
        municipalities = list(
            Municipality.objects.filter(region__district=district).select_related("region").order_by("ags")
        )
        self.regions: dict[Region, list[Municipality]] = {
            r: [m for m in municipalities if m.region_id == r.pk] for r in regions
        }
        self.regions = {r: ms for r, ms in self.regions.items() if ms}
        self.municipalities = [m for ms in self.regions.values() for m in ms]
        if self.municipalities:
            self.municipality_weights = Weights({m: _population(m) for m in self.municipalities})
        self._manager_weights: dict[tuple, Weights] = {}
        self._actor_pools: dict[tuple, list[Actor]] = {}
        self.topics = {t.name: t for t in Topic.objects.order_by("sort_order", "name")}
        self.actor_types = {t.name: t for t in ActorType.objects.all()}
        self.closure_reasons = {r.name: r for r in ClosureReason.objects.all()}
        self.frameworks = {f.code: f for f in LegalFramework.objects.all()}
        self.data_categories = list(DataCategory.objects.order_by("sort_order", "name"))

    def rng(self, *parts) -> random.Random:
        """An independent random stream per purpose, so one part does not shift another."""
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))

    def _at(self, rng: random.Random, day: dt.date) -> dt.datetime:
        moment = dt.datetime(
            day.year, day.month, day.day, rng.randint(8, 16), rng.randrange(0, 60, 5), tzinfo=self.tz
        )
        return min(moment, self.now)

    def _bulk(self, model: type[models.Model], objs: list, key: str | None = None) -> list:
        """Small sets (staff, actors) go through the ORM; they are few and need no speed."""
        if objs:
            model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        self.counts[key or model._meta.model_name] += len(objs)
        return objs

    def _objects(self, model: type[models.Model], objs: list, key: str) -> None:
        self.writer.insert_objects(model, objs)
        self.counts[key] += len(objs)

    def _rows(
        self, model: type[models.Model], rows: list[dict], key: str, *, returning: bool = False
    ) -> list[int]:
        self.counts[key] += len(rows)
        return self.writer.insert(model, rows, returning=returning)

    def _bulk_m2m(self, descriptor, pairs: Iterable[tuple[int, int]]) -> None:
        m2m = descriptor.field
        source, target = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
        self.writer.insert(descriptor.through, [{source: a, target: b} for a, b in pairs])

    # --- staff ---------------------------------------------------------------------

    def ensure_staff(self) -> dict[int, dict]:
        """A coordinator and case managers per region; existing accounts are left alone."""
        prefix = "" if self.district.key == DEFAULT_DISTRICT_KEY else f"{self.district.code.lower()}."
        domain = f"{_slug(self.district.name)}.example"
        groups = {name: Group.objects.get_or_create(name=name)[0] for name in (CASE_MANAGEMENT, COORDINATION)}
        wanted: list[tuple[str, Region, str, Municipality | None]] = []
        for region, municipalities in self.regions.items():
            slug = _slug(region.name)
            municipalities = sorted(municipalities, key=lambda m: (-_population(m), m.pk))
            wanted.append((f"{prefix}koord.{slug}", region, COORDINATION, None))
            for n in range(1, CASE_MANAGERS_PER_REGION + 1):
                # Every other case manager is employed by a municipality, the others by the KI.
                employer = municipalities[(n // 2) % len(municipalities)] if n % 2 else None
                wanted.append((f"{prefix}cm.{slug}.{n}", region, CASE_MANAGEMENT, employer))
        existing = {u.username: u for u in User.objects.filter(username__in=[w[0] for w in wanted])}
        staff: dict[int, dict] = {r.pk: {"coordinator": None, "case_managers": []} for r in self.regions}
        for username, region, role, employer in wanted:
            user = existing.get(username)
            if user is None:
                rng = random.Random(f"staff:{username}")
                person = make_person(
                    rng, today=self.today, nationality=rng.choice(("DE", "DE", "DE", "TR", "PL"))
                )
                user = User(
                    username=username,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    email=f"{username}@{domain}",
                    district=self.district,
                    employing_municipality=employer,
                    fte=rng.choice(FTE_CHOICES),
                )
                user.set_unusable_password()
                user.save()
                user.regions.set([region])
                user.groups.add(groups[role])
                self.counts["users"] += 1
            if role == COORDINATION:
                staff[region.pk]["coordinator"] = user
            else:
                staff[region.pk]["case_managers"].append(user)
        return staff

    # --- actors --------------------------------------------------------------------

    def ensure_actors(self) -> list[Actor]:
        specs = actor_specs(self.district, self.regions, extra_actor_count(self.cases))
        existing = set(
            Actor.objects.filter(district=self.district, external_id__startswith=ACTOR_ID_PREFIX).values_list(
                "external_id", flat=True
            )
        )
        new: list[tuple[Actor, ActorSpec]] = []
        persons: list[ContactPerson] = []
        for index, spec in enumerate(specs, start=1):
            external_id = f"{ACTOR_ID_PREFIX}{index:04d}"
            if external_id in existing or spec.actor_type not in self.actor_types:
                continue
            rng = self.rng("actor", external_id)
            domain = f"{_slug(spec.name)[:50].strip('-')}.example"
            actor = Actor(
                district=self.district,
                name=spec.name,
                actor_type=self.actor_types[spec.actor_type],
                street=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
                postal_code=POSTAL_CODES.get(spec.location.name, ""),
                city=spec.location.name,
                phone=drama_phone(rng),
                email=f"info@{domain}",
                website=f"https://www.{domain}/",
                description=spec.description,
                external_id=external_id,
            )
            new.append((actor, spec))
            for _ in range(rng.randint(1, 3)):
                person = make_person(
                    rng, today=self.today, nationality=rng.choice(("DE", "DE", "DE", "TR", "SY"))
                )
                local = f"{_ascii(person.first_name)}.{_ascii(person.last_name)}".replace("--", "-")
                persons.append(
                    ContactPerson(
                        actor=actor,
                        name=f"{person.first_name} {person.last_name}",
                        role=rng.choice(spec.roles),
                        phone=drama_phone(rng),
                        email=f"{local}@{domain}",
                    )
                )
        self._bulk(Actor, [a for a, _ in new], "actors")
        self._bulk(ContactPerson, persons, "contact_persons")
        self._bulk_m2m(Actor.municipalities, [(a.pk, m.pk) for a, s in new for m in s.serves])
        self._bulk_m2m(
            Actor.topics, [(a.pk, self.topics[t].pk) for a, s in new for t in s.topics if t in self.topics]
        )
        return list(
            Actor.objects.filter(
                district=self.district, external_id__startswith=ACTOR_ID_PREFIX, is_active=True
            )
            .select_related("actor_type")
            .prefetch_related("municipalities", "contact_persons")
            .order_by("external_id")
        )

    # --- clients and the shape of each case ---------------------------------------

    def _client(
        self,
        person: Person,
        municipality: Municipality,
        rng: random.Random,
        street: str | None = None,
        **extra,
    ) -> Client:
        adult = _age_on(person.date_of_birth, self.today) >= 16
        email = ""
        if adult and rng.random() < 0.3:
            email = f"{_ascii(person.first_name)}.{_ascii(person.last_name)}{rng.randint(1, 99)}@post.example"
        if street is None:
            street = self._street(rng)
        client = Client(
            first_name=person.first_name,
            last_name=person.last_name,
            date_of_birth=person.date_of_birth,
            gender=person.gender,
            nationality=person.nationality,
            languages=person.languages,
            needs_interpreter=person.needs_interpreter,
            residence_status=person.residence_status,
            residence_valid_until=person.residence_valid_until,
            municipality=municipality,
            street=street,
            postal_code=POSTAL_CODES.get(municipality.name, "") if street else "",
            phone=drama_phone(rng) if adult and rng.random() < 0.8 else "",
            email=email,
            **extra,
        )
        client._demo_frameworks = [code for code in person.frameworks if code in self.frameworks]
        return client

    def _street(self, rng: random.Random) -> str:
        # Some people have no fixed address (yet): shared accommodation, staying with relatives.
        return f"{rng.choice(STREETS)} {rng.randint(1, 150)}" if rng.random() < 0.9 else ""

    def _household(
        self, rng: random.Random, municipality: Municipality, adults_with_cases: int
    ) -> tuple[Household, list[Client]]:
        size = _weighted(rng, {2: 20, 3: 30, 4: 30, 5: 20})
        head = make_person(rng, today=self.today, age=rng.randint(24, 55))
        origin = head.name_origin
        household = Household(name=f"Familie {head.family_name}", municipality=municipality)
        street = self._street(rng)

        def member(person: Person, role: str) -> Client:
            return self._client(person, municipality, rng, street, household=household, household_role=role)

        members = [member(head, HouseholdRole.HEAD)]
        head_age = _age_on(head.date_of_birth, self.today)
        has_partner = size >= 2 and (adults_with_cases > 1 or rng.random() < 0.8)
        if has_partner:
            gender = Gender.MALE if head.gender == Gender.FEMALE else Gender.FEMALE
            partner = make_person(
                rng,
                today=self.today,
                nationality=head.origin_code,
                name_origin=origin,
                gender=gender,
                last_name=head.family_name if rng.random() < 0.8 else None,
                age=max(18, head_age + rng.randint(-6, 6)),
            )
            members.append(member(partner, HouseholdRole.PARTNER))
        with_relative = size >= 4 and rng.random() < 0.15
        while len(members) < size - (1 if with_relative else 0):
            child = make_person(
                rng,
                today=self.today,
                nationality=head.origin_code,
                name_origin=origin,
                last_name=head.family_name,
                age=rng.randint(0, max(0, min(17, head_age - 18))),
            )
            members.append(member(child, HouseholdRole.CHILD))
        if with_relative:
            relative = make_person(
                rng,
                today=self.today,
                nationality=head.origin_code,
                name_origin=origin,
                age=rng.randint(58, 80),
            )
            members.append(member(relative, HouseholdRole.RELATIVE))
        return household, members

    def _choose_municipality(self, rng: random.Random) -> Municipality:
        return self.municipality_weights.pick(rng)

    def _opened_on(self, rng: random.Random, earliest_days_ago: int = 0, latest_days_ago: int = HISTORY_DAYS):
        # More cases in recent years: KIM teams grew, and so did the number of referrals.
        span = latest_days_ago - earliest_days_ago
        days_ago = earliest_days_ago + int(span * (1 - rng.random() ** 0.8))
        day = self.today - dt.timedelta(days=days_ago)
        return _weekday(day, self.today - dt.timedelta(days=latest_days_ago))

    def _phase_for_age(self, rng: random.Random, age_days: int) -> str:
        if age_days < 30:
            weights = {"intake": 50, "assessment": 30, "planning": 10, "paused": 4, "closed": 6}
        elif age_days < 120:
            weights = {
                "intake": 8,
                "assessment": 28,
                "planning": 25,
                "monitoring": 22,
                "paused": 6,
                "closed": 11,
            }
        elif age_days < 365:
            weights = {
                "intake": 2,
                "assessment": 7,
                "planning": 14,
                "monitoring": 37,
                "paused": 9,
                "closed": 31,
            }
        else:
            weights = {
                "intake": 1,
                "assessment": 2,
                "planning": 5,
                "monitoring": 17,
                "paused": 6,
                "closed": 69,
            }
        return _weighted(rng, weights)

    def plan_cases(self, rng: random.Random) -> tuple[list[CaseSpec], list[Household], list[Client]]:
        specs: list[CaseSpec] = []
        households: list[Household] = []
        clients: list[Client] = []

        def spec_for(members: list[Client], household: Household | None, opened_on: dt.date, **kw) -> None:
            """A case for one client (`members` is that client) or for a whole household."""
            phase = kw.pop("phase", None) or self._phase_for_age(rng, (self.today - opened_on).days)
            client = None if household else members[0]
            spec = CaseSpec(members[0].municipality, opened_on, phase, client, household, **kw)
            for member in members:
                spec.frameworks.update(member._demo_frameworks)
            if household is not None and any(m.household_role == HouseholdRole.CHILD for m in members):
                spec.frameworks.add("sgb-viii")
            if len(spec.frameworks) > 1:
                spec.frameworks.discard("none")
            spec.needs_interpreter = any(m.needs_interpreter for m in members)
            if members[0].residence_valid_until and members[0].residence_status in EXPIRING:
                spec.residence_client = members[0]
            specs.append(spec)

        remaining = self.cases
        while remaining > 0:
            kind = _weighted(rng, {"single": 88, "returning": 4, "household": 3, "family": 4, "head": 1})
            if kind in ("returning", "family") and remaining < 2:
                kind = "single"
            municipality = self._choose_municipality(rng)
            if kind in ("single", "returning"):
                client = self._client(make_person(rng, today=self.today), municipality, rng)
                clients.append(client)
                if kind == "single":
                    spec_for([client], None, self._opened_on(rng))
                else:
                    # Came back after an earlier case was closed; the earlier case stays closed.
                    first_opened = self._opened_on(rng, 420, HISTORY_DAYS)
                    closed_on = min(self.today, first_opened + dt.timedelta(days=rng.randint(60, 300)))
                    spec_for(
                        [client], None, first_opened, phase=Phase.CLOSED, closed_on=closed_on, locked=True
                    )
                    second = min(self.today, closed_on + dt.timedelta(days=rng.randint(30, 240)))
                    spec_for([client], None, second)
                remaining -= 1 if kind == "single" else 2
                continue
            household, members = self._household(rng, municipality, 2 if kind == "family" else 1)
            households.append(household)
            clients.extend(members)
            opened_on = self._opened_on(rng)
            if kind == "household":
                spec_for(members, household, opened_on)
                remaining -= 1
            elif kind == "head":
                spec_for(members[:1], None, opened_on)
                remaining -= 1
            else:
                adults = [
                    m for m in members if m.household_role in (HouseholdRole.HEAD, HouseholdRole.PARTNER)
                ]
                for offset, adult in enumerate(adults[:2]):
                    day = min(self.today, opened_on + dt.timedelta(days=offset * rng.randint(0, 60)))
                    spec_for([adult], None, day)
                remaining -= len(adults[:2])
        self._ensure_every_phase(rng, specs)
        return specs, households, clients

    def _ensure_every_phase(self, rng: random.Random, specs: list[CaseSpec]) -> None:
        """Small runs must still show every phase, so lists and statistics have something in each."""
        if len(specs) < len(Phase):
            return
        for phase in Phase:
            counts = defaultdict(int)
            for spec in specs:
                counts[spec.phase] += 1
            if counts[phase]:
                continue
            candidates = [s for s in specs if not s.locked and counts[s.phase] > 1]
            if candidates:
                rng.choice(candidates).phase = phase

    # --- the life of one case -----------------------------------------------------

    def _path(self, rng: random.Random, phase: str, days: int) -> tuple[list[str], str]:
        """The phases a case went through to reach `phase` in `days`, and the furthest working phase."""
        order = list(ACTIVE_PHASES)
        if phase in ACTIVE_PHASES:
            reached = phase
        elif days < 45:  # a short case ends (or stops) before there is a plan
            reached = _weighted(rng, {"intake": 50, "assessment": 50})
        elif days < 120:
            reached = _weighted(rng, {"intake": 10, "assessment": 35, "planning": 35, "monitoring": 20})
        elif phase == Phase.PAUSED:
            reached = _weighted(rng, {"intake": 5, "assessment": 25, "planning": 30, "monitoring": 40})
        else:
            reached = _weighted(rng, {"intake": 4, "assessment": 12, "planning": 14, "monitoring": 70})
        path = order[: order.index(reached) + 1]
        if reached == Phase.MONITORING and rng.random() < 0.15:
            path += [Phase.PLANNING, Phase.MONITORING]  # the plan was revised
        elif reached == Phase.PLANNING and rng.random() < 0.08:
            path += [Phase.ASSESSMENT, Phase.PLANNING]  # back to clearing after new information
        if phase == Phase.PAUSED:
            path.append(Phase.PAUSED)
        elif phase == Phase.CLOSED:
            if rng.random() < 0.1:
                path += [Phase.PAUSED, reached]
            path.append(Phase.CLOSED)
        return path, reached

    def _closure_reason(self, rng: random.Random, reached: str) -> ClosureReason:
        """Goals are only reached by cases that got as far as carrying out a plan."""
        if reached in (Phase.INTAKE, Phase.ASSESSMENT):
            weights = {
                "Übergabe an Regelangebot / andere Stelle": 40,
                "Wegzug aus dem Kreis": 15,
                "Kontaktabbruch durch Klient/in": 30,
                "Mitwirkung beendet / Einwilligung widerrufen": 8,
                "Verstorben": 0.5,
                "Sonstiger Grund": 6.5,
            }
        elif reached == Phase.MONITORING:
            weights = {
                "Ziele erreicht": 45,
                "Ziele teilweise erreicht": 25,
                "Übergabe an Regelangebot / andere Stelle": 14,
                "Wegzug aus dem Kreis": 6,
                "Kontaktabbruch durch Klient/in": 5,
                "Mitwirkung beendet / Einwilligung widerrufen": 2,
                "Verstorben": 0.5,
                "Sonstiger Grund": 2.5,
            }
        else:
            weights = {
                "Ziele erreicht": 8,
                "Ziele teilweise erreicht": 8,
                "Übergabe an Regelangebot / andere Stelle": 32,
                "Wegzug aus dem Kreis": 14,
                "Kontaktabbruch durch Klient/in": 25,
                "Mitwirkung beendet / Einwilligung widerrufen": 7,
                "Verstorben": 0.5,
                "Sonstiger Grund": 5.5,
            }
        known = {k: v for k, v in weights.items() if k in self.closure_reasons}
        if not known:  # the catalogue was renamed: any reason will do
            return rng.choice(sorted(self.closure_reasons.values(), key=lambda r: r.pk))
        return self.closure_reasons[_weighted(rng, known)]

    def _pick_manager(self, rng: random.Random, managers: list[User]) -> User:
        key = tuple(m.pk for m in managers)
        if key not in self._manager_weights:
            # Part-time staff get fewer cases.
            self._manager_weights[key] = Weights({m: float(m.fte or 0) + 0.05 for m in managers})
        return self._manager_weights[key].pick(rng)

    def _actor_for(self, rng: random.Random, topic: str, municipality: Municipality, authorities_only: bool):
        key = (municipality.pk, topic, authorities_only)
        if key not in self._actor_pools:
            pool = self.actors_by_municipality[municipality.pk]
            if authorities_only:
                pool = [a for a in pool if a.actor_type.name in AUTHORITY_TYPES]
            preferred = [a for a in pool if a.actor_type.name in TOPIC_ACTOR_TYPES.get(topic, ())]
            self._actor_pools[key] = preferred or pool
        choices = self._actor_pools[key]
        return rng.choice(choices) if choices else None

    def write_cases(self, rng: random.Random, specs: list[CaseSpec], staff: dict[int, dict]) -> None:
        specs.sort(key=lambda s: s.opened_on)  # stable: ties keep the planning order
        current = dict(
            Case.objects.filter(district=self.district)
            .values("year")
            .annotate(m=Max("sequence"))
            .values_list("year", "m")
        )
        for start in range(0, len(specs), CASE_CHUNK):
            self._write_chunk(rng, specs[start : start + CASE_CHUNK], staff, current)

    def _write_chunk(
        self, rng: random.Random, specs: list[CaseSpec], staff: dict[int, dict], current: dict
    ) -> None:
        today = self.today
        topic_weights = Weights({t: w for t, w in TOPIC_WEIGHTS.items() if t in self.topics})
        cases: list[NewCase] = []
        plans: list[CasePlan] = []
        for spec in specs:
            year = spec.opened_on.year
            current[year] = current.get(year, 0) + 1
            team = staff[spec.municipality.region_id]
            age = (today - spec.opened_on).days
            closed_on = closure_reason = None
            if spec.phase == Phase.CLOSED:
                closed_on = spec.closed_on or min(
                    today, spec.opened_on + dt.timedelta(days=int(rng.triangular(14, 540, 180)))
                )
                closed_on = max(closed_on, spec.opened_on)
            end = closed_on or today
            path, reached = self._path(rng, spec.phase, (end - spec.opened_on).days)
            if closed_on is not None:
                closure_reason = self._closure_reason(rng, reached)
            # When each step happened: the first on the opening day, a closure on the closing day.
            days = sorted(_rand_date(rng, spec.opened_on, end) for _ in path[1:])
            if closed_on is not None:
                days[-1] = closed_on
            moments = sorted(self._at(rng, d) for d in [spec.opened_on, *days])
            unassigned = spec.phase == Phase.INTAKE and age <= 10 and rng.random() < 0.3
            managers = team["case_managers"]
            manager = None if unassigned or not managers else self._pick_manager(rng, managers)
            handover = None
            if manager is not None and len(managers) > 1 and age > 90 and rng.random() < 0.06:
                successor = rng.choice([m for m in managers if m.pk != manager.pk])
                handover = (manager, successor, self._at(rng, _rand_date(rng, spec.opened_on, end)))
                manager = successor
            case = NewCase(
                reference=format_reference(self.district, year, current[year]),
                year=year,
                sequence=current[year],
                client=spec.client,
                household=spec.household,
                municipality=spec.municipality,
                case_manager=manager,
                phase=spec.phase,
                opened_on=spec.opened_on,
                closed_on=closed_on,
                closure_reason=closure_reason,
            )
            cases.append(case)
            focus = []
            for _ in range(rng.randint(1, 3)):
                name = topic_weights.pick(rng)
                if name not in focus:
                    focus.append(name)
            if (
                spec.residence_client is not None
                and "Aufenthalt" in self.topics
                and "Aufenthalt" not in focus
            ):
                focus.append("Aufenthalt")
            plans.append(
                CasePlan(
                    spec=spec,
                    case=case,
                    path=path,
                    reached=reached,
                    moments=moments,
                    end=end,
                    team=team,
                    handover=handover,
                    focus=focus,
                    opened_by=handover[0] if handover else (manager or team["coordinator"]),
                    # Entries are written by the case manager, or by Koordination while unassigned.
                    writer_id=(manager or team["coordinator"]).pk,
                )
            )
        ids = self._rows(Case, [case.row(self.district) for case in cases], "cases", returning=True)
        for case, pk in zip(cases, ids, strict=True):
            case.pk = pk
        self._bulk_m2m(
            Case.legal_frameworks,
            [
                (p.case.pk, self.frameworks[code].pk)
                for p in plans
                for code in sorted(p.spec.frameworks)
                if code in self.frameworks
            ],
        )
        Case.objects.filter(district=self.district).refresh_legal_framework_bits()
        self._write_history(rng, plans)
        self._write_consents_and_referrals(rng, plans)
        self._write_contacts(rng, plans)
        self._write_goals(rng, plans)
        self._write_follow_ups(rng, plans)

    def _write_history(self, rng: random.Random, plans: list[CasePlan]) -> None:
        changes, assignments = [], []
        for p in plans:
            case, path, moments = p.case, p.path, p.moments
            coordinator = p.team["coordinator"]
            previous = ""
            for step, (phase, moment) in enumerate(zip(path, moments, strict=True)):
                assert previous == "" or is_transition_allowed(previous, phase), (previous, phase)
                by = p.opened_by if step == 0 else (case.case_manager or coordinator)
                changes.append(
                    {
                        "case_id": case.pk,
                        "from_phase": previous,
                        "to_phase": phase,
                        "changed_at": moment,
                        "changed_by_id": by.pk,
                        "closure_reason_id": case.closure_reason_id if phase == Phase.CLOSED else None,
                        "note": "",
                    }
                )
                previous = phase
            first = p.handover[0] if p.handover else case.case_manager
            if first is not None:
                assignments.append(
                    {
                        "case_id": case.pk,
                        "from_manager_id": None,
                        "to_manager_id": first.pk,
                        "assigned_at": moments[0],
                        "assigned_by_id": coordinator.pk,
                        "note": "",
                    }
                )
            if p.handover:
                before, after, moment = p.handover
                assignments.append(
                    {
                        "case_id": case.pk,
                        "from_manager_id": before.pk,
                        "to_manager_id": after.pk,
                        "assigned_at": max(moment, moments[0]),
                        "assigned_by_id": coordinator.pk,
                        "note": "Übergabe wegen Zuständigkeitswechsel im Team.",
                    }
                )
        self._rows(PhaseChange, changes, "phase_changes")
        self._rows(CaseAssignment, assignments, "assignments")

    def _write_consents_and_referrals(self, rng: random.Random, plans: list[CasePlan]) -> None:
        consents: list[dict] = []
        consent_actors: list[list[Actor]] = []
        referrals: list[tuple[dict, int | None]] = []  # (row, index of its consent)
        withdrawn = self.closure_reasons.get("Mitwirkung beendet / Einwilligung widerrufen")
        for p in plans:
            case, end = p.case, p.end
            has_consent = rng.random() < 0.65
            wanted = _weighted(
                rng, {0: 70, 1: 25, 2: 5} if case.phase == Phase.INTAKE else {0: 30, 1: 45, 2: 25}
            )
            given_on = _rand_date(rng, case.opened_on, min(end, case.opened_on + dt.timedelta(days=14)))
            chosen: list[tuple[Actor, str]] = []
            for _ in range(wanted):
                topic = rng.choice(p.focus)
                actor = self._actor_for(rng, topic, case.municipality, authorities_only=not has_consent)
                if actor is not None and actor not in [a for a, _ in chosen]:
                    chosen.append((actor, topic))
            consent_index = None
            if has_consent:
                # Whoever receives data through a referral is named in the consent.
                actors = [a for a, _ in chosen]
                if not actors or rng.random() < 0.3:
                    extra = self._actor_for(
                        rng, rng.choice(p.focus), case.municipality, authorities_only=True
                    )
                    if extra is not None and extra not in actors:
                        actors.append(extra)
                withdrawn_on = None
                if withdrawn is not None and case.closure_reason_id == withdrawn.pk:
                    withdrawn_on = case.closed_on
                consent_index = len(consents)
                consents.append(
                    {
                        "case_id": case.pk,
                        "created_by_id": p.writer_id,
                        "purpose": CONSENT_PURPOSE,
                        "given_on": given_on,
                        "valid_until": given_on + dt.timedelta(days=730) if rng.random() < 0.8 else None,
                        "withdrawn_on": withdrawn_on,
                    }
                )
                consent_actors.append(actors)
            # A referral under a consent is made while the consent is valid (casework/consent.py).
            last_day = end
            if has_consent:
                consent = consents[consent_index]
                if consent["valid_until"]:
                    last_day = min(last_day, consent["valid_until"])
                if consent["withdrawn_on"]:
                    last_day = min(last_day, consent["withdrawn_on"] - dt.timedelta(days=1))
            for actor, topic in chosen:
                if last_day < (given_on if has_consent else case.opened_on):
                    break  # withdrawn on the day it was given: no referral under it
                referred_on = _rand_date(rng, given_on if has_consent else case.opened_on, last_day)
                waited = (self.today - referred_on).days
                if case.phase == Phase.CLOSED:
                    status = _weighted(rng, {"taken_up": 60, "declined": 15, "cancelled": 15, "referred": 10})
                elif waited < 21:
                    status = _weighted(rng, {"planned": 30, "referred": 70})
                else:
                    status = _weighted(
                        rng, {"taken_up": 55, "referred": 20, "declined": 12, "cancelled": 8, "planned": 5}
                    )
                people = self.contact_person_ids[actor.pk]
                row = {
                    "case_id": case.pk,
                    "created_by_id": p.writer_id,
                    "actor_id": actor.pk,
                    "contact_person_id": rng.choice(people) if people and rng.random() < 0.6 else None,
                    "topic_id": self.topics[topic].pk if topic in self.topics else None,
                    "referred_on": referred_on,
                    "status": status,
                    "outcome": rng.choice(REFERRAL_OUTCOMES[status]) if status in REFERRAL_OUTCOMES else "",
                    "legal_basis": "" if has_consent else STATUTORY_BASIS,
                }
                referrals.append((row, consent_index))
        consent_ids = self._rows(Consent, consents, "consents", returning=True)
        self._bulk_m2m(
            Consent.actors,
            [
                (pk, actor.pk)
                for pk, actors in zip(consent_ids, consent_actors, strict=True)
                for actor in actors
            ],
        )
        categories = []
        for pk in consent_ids:
            chosen_categories = self.data_categories[:2] + [
                c for c in self.data_categories[2:] if rng.random() < (0.1 if c.is_special_category else 0.4)
            ]
            categories += [(pk, c.pk) for c in chosen_categories]
        self._bulk_m2m(Consent.data_categories, categories)
        for row, index in referrals:
            row["consent_id"] = consent_ids[index] if index is not None else None
        self._rows(Referral, [row for row, _ in referrals], "referrals")

    def _write_contacts(self, rng: random.Random, plans: list[CasePlan]) -> None:
        contacts: list[dict] = []
        topics: list[list[int]] = []
        bounds = {
            Phase.INTAKE: (1, 2),
            Phase.ASSESSMENT: (1, 4),
            Phase.PLANNING: (2, 5),
            Phase.MONITORING: (3, 8),
        }
        all_topics = list(self.topics)
        for p in plans:
            case = p.case
            low, high = bounds[p.reached]
            # A paused case saw no contacts after it was paused.
            last = p.moments[-1].date() if case.phase == Phase.PAUSED else p.end
            count = rng.randint(low, high)
            days = [case.opened_on] + sorted(
                _weekday(_rand_date(rng, case.opened_on, last), case.opened_on) for _ in range(count - 1)
            )
            for number, day in enumerate(days):
                channel = Channel.IN_PERSON if number == 0 else _weighted(rng, CHANNEL_WEIGHTS)
                names = [rng.choice(p.focus)]
                if rng.random() < 0.35:
                    other = rng.choice(all_topics)
                    if other not in names:
                        names.append(other)
                if number == 0:
                    note = FIRST_CONTACT_NOTE
                else:
                    sentence = rng.choice(CONTACT_NOTES.get(names[0], ("Anliegen besprochen.",)))
                    parts = (CHANNEL_OPENINGS[channel], sentence, rng.choice(CONTACT_CLOSINGS))
                    note = " ".join(part for part in parts if part)
                contacts.append(
                    {
                        "case_id": case.pk,
                        "created_by_id": p.writer_id,
                        "contacted_on": day,
                        "channel": channel,
                        "duration_minutes": rng.choice((15, 20, 30, 30, 45, 45, 60, 60, 75, 90, 120)),
                        "with_interpreter": p.spec.needs_interpreter
                        and channel not in (Channel.EMAIL, Channel.MESSENGER)
                        and rng.random() < 0.8,
                        "note": note,
                    }
                )
                topics.append([self.topics[n].pk for n in names])
        ids = self._rows(Contact, contacts, "contacts", returning=True)
        self._bulk_m2m(Contact.topics, [(pk, t) for pk, ts in zip(ids, topics, strict=True) for t in ts])

    def _goal_status(self, rng: random.Random, case: NewCase) -> str:
        if case.phase == Phase.PLANNING:
            return _weighted(rng, {"open": 70, "in_progress": 30})
        if case.phase == Phase.PAUSED:
            return _weighted(rng, {"open": 30, "in_progress": 50, "dropped": 20})
        if case.phase == Phase.CLOSED:
            reason = case.closure_reason.name
            if reason == "Ziele erreicht":
                return _weighted(rng, {"achieved": 80, "partly": 20})
            if reason == "Ziele teilweise erreicht":
                return _weighted(rng, {"achieved": 30, "partly": 40, "not_achieved": 30})
            return _weighted(rng, {"achieved": 15, "partly": 15, "not_achieved": 35, "dropped": 35})
        return _weighted(rng, {"open": 10, "in_progress": 50, "achieved": 25, "partly": 10, "dropped": 5})

    def _write_goals(self, rng: random.Random, plans: list[CasePlan]) -> None:
        goals: list[dict] = []
        histories: list[list[tuple[str, str, dt.datetime]]] = []
        for p in plans:
            case = p.case
            if Phase.PLANNING not in p.path:
                continue  # goals are agreed in Hilfeplanung
            planned_at = p.moments[p.path.index(Phase.PLANNING)]
            used = set()
            for _ in range(_weighted(rng, {0: 10, 1: 35, 2: 35, 3: 20})):
                topic = rng.choice(p.focus)
                title, description = rng.choice(GOALS.get(topic, (("Situation stabilisieren", ""),)))
                if title in used:
                    continue
                used.add(title)
                status = self._goal_status(rng, case)
                goals.append(
                    {
                        "case_id": case.pk,
                        "created_by_id": p.writer_id,
                        "title": title,
                        "description": description,
                        "topic_id": self.topics[topic].pk if topic in self.topics else None,
                        "status": status,
                        "target_date": planned_at.date() + dt.timedelta(days=rng.randint(90, 365)),
                    }
                )
                steps = [""]
                if status != GoalStatus.OPEN:
                    steps.append(GoalStatus.OPEN)
                    if status != GoalStatus.IN_PROGRESS and (
                        status != GoalStatus.DROPPED or rng.random() < 0.5
                    ):
                        steps.append(GoalStatus.IN_PROGRESS)
                steps.append(status)
                days = sorted(_rand_date(rng, planned_at.date(), p.end) for _ in steps[2:])
                moments = [planned_at] + sorted(max(planned_at, self._at(rng, d)) for d in days)
                histories.append(list(zip(steps[:-1], steps[1:], moments, strict=True)))
        ids = self._rows(Goal, goals, "goals", returning=True)
        changes = [
            {
                "goal_id": pk,
                "from_status": before,
                "to_status": after,
                "changed_at": moment,
                "changed_by_id": goal["created_by_id"],
            }
            for pk, goal, history in zip(ids, goals, histories, strict=True)
            for before, after, moment in history
        ]
        self._rows(GoalStatusChange, changes, "goal_status_changes")

    def _write_follow_ups(self, rng: random.Random, plans: list[CasePlan]) -> None:
        follow_ups: list[dict] = []
        today = self.today
        for p in plans:
            case, spec = p.case, p.spec
            owner = case.case_manager or p.team["coordinator"]
            wanted: list[str] = []
            if case.phase != Phase.CLOSED:
                if case.case_manager is None:
                    wanted.append("Fall einer Case Managerin oder einem Case Manager zuweisen")
                resident = spec.residence_client
                if resident is not None and resident.residence_expires_within(
                    RESIDENCE_WARNING_DAYS, today=today
                ):
                    wanted.append(RESIDENCE_FOLLOW_UP)
                if case.phase == Phase.PAUSED:
                    wanted.append("Wiederaufnahme des Falls prüfen")
            count = _weighted(rng, {0: 30, 1: 45, 2: 25})
            while len(wanted) < count:
                title = rng.choice(FOLLOW_UP_TITLES)
                if title not in wanted:
                    wanted.append(title)
            for title in wanted[:2]:
                done_at = None
                if case.phase == Phase.CLOSED:
                    due = _rand_date(rng, case.opened_on, case.closed_on)
                    done_at = self._at(rng, due)
                elif title == RESIDENCE_FOLLOW_UP:
                    due = max(
                        case.opened_on, spec.residence_client.residence_valid_until - dt.timedelta(days=14)
                    )
                else:
                    kind = _weighted(rng, {"overdue": 25, "today": 12, "future": 45, "done": 18})
                    if kind == "overdue":
                        due = max(case.opened_on, today - dt.timedelta(days=rng.randint(1, 30)))
                    elif kind == "today":
                        due = today
                    elif kind == "future":
                        due = today + dt.timedelta(days=rng.randint(1, 45))
                    else:
                        due = _rand_date(rng, case.opened_on, today)
                        done_at = self._at(rng, due)
                follow_ups.append(
                    {
                        "case_id": case.pk,
                        "district_id": self.district.pk,
                        "created_by_id": p.writer_id,
                        "title": title,
                        "due_on": due,
                        "assigned_to_id": owner.pk,
                        "done_at": done_at,
                        "done_by_id": owner.pk if done_at else None,
                    }
                )
        self._rows(FollowUp, follow_ups, "follow_ups")

    # --- everything ----------------------------------------------------------------

    def run(self) -> dict[str, int]:
        # Lock the district as `case_open` does, so no case opened meanwhile takes a number.
        District.objects.select_for_update().filter(pk=self.district.pk).first()
        for key in ("users", "actors", "contact_persons"):
            self.counts[key] = 0
        staff = self.ensure_staff()
        actors = self.ensure_actors()
        self.actors_by_municipality: dict[int, list[Actor]] = defaultdict(list)
        self.contact_person_ids: dict[int, list[int]] = {}
        for actor in actors:
            self.contact_person_ids[actor.pk] = [c.pk for c in actor.contact_persons.all()]
            for municipality in actor.municipalities.all():
                self.actors_by_municipality[municipality.pk].append(actor)
        if self.cases <= 0 or not self.regions:
            return dict(self.counts)
        existing_cases = Case.objects.filter(district=self.district).count()
        rng = self.rng("cases", existing_cases)
        specs, households, clients = self.plan_cases(rng)
        self._objects(Household, households, "households")
        self._objects(Client, clients, "clients")
        self._bulk_m2m(
            Client.legal_frameworks,
            [(c.pk, self.frameworks[code].pk) for c in clients for code in c._demo_frameworks],
        )
        self.write_cases(rng, specs, staff)
        return dict(self.counts)


def _copy_escape(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


class RowWriter:
    """Writes many rows fast: COPY on PostgreSQL, multi-row INSERTs elsewhere.

    `bulk_create` prepares every value through the field API, which for a few hundred
    thousand rows is most of the run. Here each column gets one converter, chosen from
    its field once: dates and datetimes go through the backend's `ops` (SQLite stores
    them as UTC text) or into COPY's text format, plain values pass as they are, and
    anything else (such as a `CountryField`) through `get_db_prep_save`. Statements go
    to the DB-API cursor directly: the debug cursor would re-quote every parameter
    under DEBUG. Columns not given take the field default; `auto_now` fields get `now`.
    """

    PLAIN_FIELDS = (
        models.CharField,
        models.TextField,
        models.EmailField,
        models.SlugField,
        models.URLField,
        models.BooleanField,
        models.IntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.SmallIntegerField,
        models.BigIntegerField,
        models.ForeignKey,
    )

    def __init__(self, *, now: dt.datetime, using: str = DEFAULT_DB_ALIAS):
        self.now = now
        self.connection = connections[using]
        self.copy = self.connection.vendor == "postgresql"

    def _converter(self, model_field: models.Field):
        """value -> what the statement takes; None where a value can be passed as it is."""
        internal = model_field.get_internal_type()
        ops = self.connection.ops
        if self.copy:
            if internal in ("DateTimeField", "DateField"):
                base = operator.methodcaller("isoformat")  # datetimes keep their UTC offset
            elif internal == "BooleanField":
                base = {True: "t", False: "f"}.__getitem__
            elif (
                isinstance(model_field, models.CharField | models.TextField)
                and type(model_field) in self.PLAIN_FIELDS
            ):
                base = _copy_escape
            elif type(model_field) in self.PLAIN_FIELDS:
                base = str
            else:
                return lambda v: (
                    "\\N"
                    if v is None
                    else _copy_escape(str(model_field.get_db_prep_save(v, self.connection)))
                )
            return lambda v: "\\N" if v is None else base(v)
        if internal == "DateTimeField":
            return ops.adapt_datetimefield_value
        if internal == "DateField":
            return ops.adapt_datefield_value
        if type(model_field) in self.PLAIN_FIELDS:
            return None
        return lambda v: model_field.get_db_prep_save(v, self.connection)

    def insert(self, model: type[models.Model], rows: list[dict], *, returning: bool = False) -> list[int]:
        """Write `rows` (dicts keyed by attname); with `returning`, their new primary keys in order."""
        if not rows:
            return []
        given = rows[0].keys()
        columns: list[str] = []
        keys: list[str] = []
        converters = []
        constants: dict[str, object] = {}
        for f in model._meta.concrete_fields:
            if f.primary_key:
                continue
            convert = self._converter(f)
            if f.attname not in given:
                auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                value = self.now if auto else f.get_default()
                constants[f.attname] = (
                    value if convert is None or (value is None and not self.copy) else convert(value)
                )
                convert = None
            columns.append(f.column)
            keys.append(f.attname)
            converters.append(convert)
        pairs = list(zip(keys, converters, strict=True))
        values = [
            [
                constants[key] if key in constants else (row[key] if convert is None else convert(row[key]))
                for key, convert in pairs
            ]
            for row in rows
        ]
        if self.copy:
            return self._copy(model, columns, values, returning=returning)
        return self._insert(model, columns, values, returning=returning)

    def _max_params(self) -> int:
        connection = self.connection
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            getlimit = getattr(connection.connection, "getlimit", None)  # Python 3.11+
            if getlimit is not None:
                return getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        return connection.features.max_query_params or 65535

    def _insert(self, model: type[models.Model], columns: list[str], values: list[list], *, returning: bool):
        if returning and not self.connection.features.can_return_rows_from_bulk_insert:
            raise NotImplementedError("The demo data needs INSERT … RETURNING (SQLite 3.35+ or PostgreSQL).")
        quote = self.connection.ops.quote_name
        prefix = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) VALUES "
        suffix = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
        placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
        batch = max(1, min(BATCH_SIZE, self._max_params() // len(columns)))
        ids: list[int] = []
        with self.connection.cursor() as wrapper:
            cursor = wrapper.cursor
            for start in range(0, len(values), batch):
                part = values[start : start + batch]
                cursor.execute(
                    prefix + ", ".join([placeholder] * len(part)) + suffix, [v for r in part for v in r]
                )
                if returning:
                    ids.extend(row[0] for row in cursor.fetchall())
        return ids

    def _copy(self, model: type[models.Model], columns: list[str], values: list[list], *, returning: bool):
        """COPY cannot return keys, so they are drawn from the table's sequence first."""
        quote = self.connection.ops.quote_name
        table = model._meta.db_table
        ids: list[int] = []
        with self.connection.cursor() as wrapper:
            cursor = wrapper.cursor
            if returning:
                pk = model._meta.pk.column
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [quote(table), pk, len(values)],
                )
                ids = sorted(row[0] for row in cursor.fetchall())
                columns = [pk, *columns]
                values = [[str(pk_value), *row] for pk_value, row in zip(ids, values, strict=True)]
            sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
            for start in range(0, len(values), COPY_BATCH):
                data = "".join("\t".join(row) + "\n" for row in values[start : start + COPY_BATCH])
                if hasattr(cursor, "copy_expert"):  # psycopg2
                    cursor.copy_expert(sql, io.StringIO(data))
                else:  # psycopg 3
                    with cursor.copy(sql) as copy:
                        copy.write(data)
        return ids

    def insert_objects(self, model: type[models.Model], objs: list[models.Model]) -> None:
        """Write unsaved model instances and give them their primary keys."""
        if not objs:
            return
        fields = [
            f
            for f in model._meta.concrete_fields
            if not f.primary_key and not (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
        ]
        rows = []
        for obj in objs:
            # Takes the keys of related objects saved since this one was built.
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
            rows.append({f.attname: f.pre_save(obj, True) for f in fields})
        for obj, pk in zip(objs, self.insert(model, rows, returning=True), strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = self.connection.alias


@transaction.atomic
def seed_demo_data(
    *,
    cases: int,
    seed: int = 42,
    district: District | None = None,
    today: dt.date | None = None,
) -> dict[str, int]:
    """Create demo staff, actors, clients and `cases` cases in `district`; return the counts."""
    district = district or District.objects.get(key=DEFAULT_DISTRICT_KEY)
    builder = DemoBuilder(
        district=district,
        cases=cases,
        seed=seed,
        today=today or timezone.localdate(),
        now=timezone.now(),
    )
    return builder.run()
