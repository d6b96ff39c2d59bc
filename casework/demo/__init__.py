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

from .actors import (
    EXTRA_ACTOR_TEMPLATES,
    ActorSpec,
    _main_municipality,
    _population,
    actor_specs,
    extra_actor_count,
)
from .common import (
    _DISTRIBUTIONS,
    ACTOR_ID_PREFIX,
    BATCH_SIZE,
    CASE_CHUNK,
    CASE_MANAGERS_PER_REGION,
    COPY_BATCH,
    DEFAULT_DISTRICT_KEY,
    FTE_CHOICES,
    HISTORY_DAYS,
    RESIDENCE_WARNING_DAYS,
    Weights,
    _weighted,
)
from .entries import CaseLifeWriter
from .people import (
    _ASYLUM,
    _EU,
    COUNTRY_FALLBACKS,
    DRAMA_NUMBER_PREFIXES,
    EXPIRING,
    FAMILY_LANGUAGES,
    NAMES,
    NATIONALITIES,
    NATIONALITY_WEIGHTS,
    NATURALISED_NAME_ORIGINS,
    POPULATION,
    POSTAL_CODES,
    STREETS,
    VALIDITY_DAYS,
    Origin,
    Person,
    _age_on,
    _ascii,
    _birth_date,
    _feminine,
    _first_name,
    _frameworks_for,
    _known_country,
    _slug,
    drama_phone,
    make_person,
    person_names,
)
from .planner import DemoBuilder, seed_demo_data
from .plans import CasePlan, CaseSpec, NewCase, _rand_date, _weekday
from .texts import (
    AUTHORITY_TYPES,
    CHANNEL_OPENINGS,
    CHANNEL_WEIGHTS,
    CONSENT_PURPOSE,
    CONTACT_CLOSINGS,
    CONTACT_NOTES,
    FIRST_CONTACT_NOTE,
    FOLLOW_UP_TITLES,
    GOALS,
    REFERRAL_OUTCOMES,
    RESIDENCE_FOLLOW_UP,
    STATUTORY_BASIS,
    TOPIC_ACTOR_TYPES,
    TOPIC_WEIGHTS,
)
from .writer import RowWriter, _copy_escape

__all__ = [
    "ACTOR_ID_PREFIX",
    "AUTHORITY_TYPES",
    "ActorSpec",
    "BATCH_SIZE",
    "CASE_CHUNK",
    "CASE_MANAGERS_PER_REGION",
    "CHANNEL_OPENINGS",
    "CHANNEL_WEIGHTS",
    "CONSENT_PURPOSE",
    "CONTACT_CLOSINGS",
    "CONTACT_NOTES",
    "COPY_BATCH",
    "COUNTRY_FALLBACKS",
    "CaseLifeWriter",
    "CasePlan",
    "CaseSpec",
    "DEFAULT_DISTRICT_KEY",
    "DRAMA_NUMBER_PREFIXES",
    "DemoBuilder",
    "EXPIRING",
    "EXTRA_ACTOR_TEMPLATES",
    "FAMILY_LANGUAGES",
    "FIRST_CONTACT_NOTE",
    "FOLLOW_UP_TITLES",
    "FTE_CHOICES",
    "GOALS",
    "HISTORY_DAYS",
    "NAMES",
    "NATIONALITIES",
    "NATIONALITY_WEIGHTS",
    "NATURALISED_NAME_ORIGINS",
    "NewCase",
    "Origin",
    "POPULATION",
    "POSTAL_CODES",
    "Person",
    "REFERRAL_OUTCOMES",
    "RESIDENCE_FOLLOW_UP",
    "RESIDENCE_WARNING_DAYS",
    "RowWriter",
    "STATUTORY_BASIS",
    "STREETS",
    "TOPIC_ACTOR_TYPES",
    "TOPIC_WEIGHTS",
    "VALIDITY_DAYS",
    "Weights",
    "_ASYLUM",
    "_DISTRIBUTIONS",
    "_EU",
    "_age_on",
    "_ascii",
    "_birth_date",
    "_copy_escape",
    "_feminine",
    "_first_name",
    "_frameworks_for",
    "_known_country",
    "_main_municipality",
    "_population",
    "_rand_date",
    "_slug",
    "_weekday",
    "_weighted",
    "actor_specs",
    "drama_phone",
    "extra_actor_count",
    "make_person",
    "person_names",
    "seed_demo_data",
]
