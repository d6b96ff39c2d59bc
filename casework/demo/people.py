"""Invented people for the demo data: geography, names, origins, residence and contact data."""

from __future__ import annotations

import datetime as dt
import functools
import random
import unicodedata
from dataclasses import dataclass, field

from django_countries import countries

from ..models import (
    Gender,
    ResidenceStatus,
)
from .common import RESIDENCE_WARNING_DAYS, Weights, _weighted

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
