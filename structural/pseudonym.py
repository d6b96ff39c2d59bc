"""The pseudonymised case presentation for a case conference.

Built field by field from what may be shown, never by hiding fields of a fuller view: a field
added to the client later stays out until someone adds it here on purpose. Nothing that
names or locates the person: no name, no date of birth (an age group instead), no address,
phone or e-mail, no household name, no case reference, no free text of the case (notes and
goal titles routinely name people). The municipality is shown only where it has at least
`settings.KIM_PSEUDONYM_MIN_POPULATION` inhabitants; otherwise, and where the population is
unknown, only the region.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import Case, Client

DEFAULT_MIN_POPULATION = 20000

# Upper bounds (exclusive) of the age groups and their labels.
AGE_GROUPS = (
    (6, _("unter 6 Jahre")),
    (14, _("6 bis 13 Jahre")),
    (18, _("14 bis 17 Jahre")),
    (27, _("18 bis 26 Jahre")),
    (40, _("27 bis 39 Jahre")),
    (55, _("40 bis 54 Jahre")),
    (65, _("55 bis 64 Jahre")),
    (None, _("65 Jahre und älter")),
)
AGE_UNKNOWN = _("Alter unbekannt")


def min_population() -> int:
    return getattr(settings, "KIM_PSEUDONYM_MIN_POPULATION", DEFAULT_MIN_POPULATION)


def age_in_years(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def age_group(born: dt.date | None, *, today: dt.date | None = None) -> str:
    if born is None:
        return str(AGE_UNKNOWN)
    age = age_in_years(born, today or timezone.localdate())
    for bound, label in AGE_GROUPS:
        if bound is None or age < bound:
            return str(label)
    return str(AGE_UNKNOWN)  # pragma: no cover


def place_label(municipality) -> str:
    """The municipality with its region where it is large enough, else the region alone."""
    region = municipality.region.name
    if municipality.population is not None and municipality.population >= min_population():
        return f"{municipality.name} ({_('Teilregion')} {region})"
    return f"{_('Teilregion')} {region}"


@dataclass
class PersonSketch:
    role: str
    age_group: str
    gender: str
    residence_status: str = ""
    needs_interpreter: bool = False


@dataclass
class Presentation:
    place: str
    phase: str
    since: str
    persons: list[PersonSketch] = field(default_factory=list)
    legal_frameworks: list[str] = field(default_factory=list)
    contacts: int = 0
    contact_topics: list[str] = field(default_factory=list)
    goals: list[tuple[str, str]] = field(default_factory=list)
    referrals: list[tuple[str, str, str]] = field(default_factory=list)
    barriers: list[str] = field(default_factory=list)


def _sketch(client: Client, role: str, today: dt.date) -> PersonSketch:
    return PersonSketch(
        role=role,
        age_group=age_group(client.date_of_birth, today=today),
        gender=client.get_gender_display(),
        residence_status=client.get_residence_status_display(),
        needs_interpreter=client.needs_interpreter,
    )


def case_presentation(case: Case, *, today: dt.date | None = None) -> Presentation:
    today = today or timezone.localdate()
    if case.client_id:
        persons = [_sketch(case.client, str(_("Klient/in")), today)]
    else:
        persons = [
            _sketch(member, member.get_household_role_display() or str(_("Person im Haushalt")), today)
            for member in case.household.members.order_by("date_of_birth", "pk")
        ]
    topics = sorted(
        {t.name for contact in case.contacts.prefetch_related("topics") for t in contact.topics.all()}
    )
    return Presentation(
        place=place_label(case.municipality),
        phase=case.get_phase_display(),
        # Month and year are enough to tell how long the support has run.
        since=f"{case.opened_on:%m/%Y}",
        persons=persons,
        legal_frameworks=[lf.name for lf in case.legal_frameworks.all()],
        contacts=case.contacts.count(),
        contact_topics=topics,
        # A goal's handlungsfeld and status, not its title: titles are free text about the person.
        goals=[
            (goal.topic.name if goal.topic_id else str(_("ohne Handlungsfeld")), goal.get_status_display())
            for goal in case.goals.select_related("topic")
        ],
        referrals=[
            (r.actor.actor_type.name, r.topic.name if r.topic_id else "", r.get_status_display())
            for r in case.referrals.select_related("actor__actor_type", "topic")
        ],
        # Barriers by their catalogue values only; their description is free text.
        barriers=[
            b.label for b in case.barriers.select_related("actor", "legal_framework", "topic") if b.label
        ],
    )
