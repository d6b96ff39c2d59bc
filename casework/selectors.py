"""Reads of casework data: querysets that say what they fetch, scoped to the user."""

import datetime as dt
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import (
    CASE_MANAGEMENT,
    COORDINATION,
    ScopeMunicipality,
    region_ids,
    restrict_cases,
    restrict_to_district,
    restrict_to_regions,
    user_municipalities,
    works_with_cases,
)
from kim.links import UrlForPks
from kim.sql import fetch_all
from regions.models import Municipality, Region

from .consent import ACTORS_WITHOUT_BASIS, actors_without_basis, recent_ongoing_referrals
from .lifecycle import OPEN_PHASES, Phase
from .models import (
    EXPIRING_RESIDENCE_STATUSES,
    Actor,
    Case,
    Client,
    Consent,
    Contact,
    ContactPerson,
    FollowUp,
    Goal,
    LegalFramework,
    Referral,
    ReferralStatus,
    Topic,
)
from .names import normalise_name, person_name
from .timeline import as_date, case_timeline, choice_labels  # noqa: F401 (the case page reads case_timeline here)


def residence_warning_days() -> int:
    return settings.KIM_RESIDENCE_WARNING_WEEKS * 7


def case_list(*, user) -> QuerySet[Case]:
    """The cases a user may see, for the case list's filters and sorting.

    Only the case table: the list's indexes answer the filters, the count and the page's ids
    from it (Case.Meta.indexes). `with_list_columns` adds what a row shows, for one page.
    """
    return Case.objects.visible_to(user)


def with_list_columns(cases: QuerySet[Case]) -> QuerySet[Case]:
    """What a row of the case list (and its export) shows, fetched with the cases."""
    today = timezone.localdate()
    overdue = FollowUp.objects.filter(case=OuterRef("pk"), done_at__isnull=True, due_on__lt=today)
    return (
        cases.with_header()
        .annotate(has_overdue_follow_up=Exists(overdue))
        .prefetch_related(Prefetch("legal_frameworks", queryset=LegalFramework.objects.only("name")))
    )


def case_subject_name(first_name: str | None, last_name: str | None, household_name: str | None) -> str:
    """A case's client or household as `str(case.subject)` names it, from plain columns (a case
    has either a client or a household: Case.Meta.constraints)."""
    if household_name is not None:
        return household_name
    return f"{first_name} {last_name}".strip()


def case_label(reference: str, subject: str) -> str:
    """A case as its choices name it: "Aktenzeichen – Klient/in oder Haushalt"."""
    return f"{reference} – {subject}"


def my_open_cases(user) -> QuerySet[Case]:
    """The open cases the user manages (Mein Arbeitsplatz, its quick-contact form)."""
    return Case.objects.visible_to(user).filter(case_manager=user, phase__in=OPEN_PHASES)


@dataclass(frozen=True, slots=True)
class CaseListRow:
    """One row of the case list, every value ready to print."""

    pk: int
    reference: str
    url: str
    subject: str
    has_overdue_follow_up: bool
    phase: str
    phase_label: str
    municipality: str
    region: str
    legal_frameworks: str
    case_manager: str
    opened_on: str


class CatalogueItem(NamedTuple):
    pk: int
    name: str
    is_active: bool
    bit: int | None = None  # a legal framework's position in Case.legal_framework_bits


def legal_framework_catalogue() -> list[CatalogueItem]:
    """All legal frameworks in their display order, as plain values."""
    rows = LegalFramework.objects.order_by("sort_order", "name").values_list("pk", "name", "is_active", "bit")
    return [CatalogueItem(*row) for row in rows]


def framework_ids(value) -> list[int]:
    """The legal framework ids of a case list row: an array on PostgreSQL, "1,3" on SQLite."""
    if not value:
        return []
    return [int(pk) for pk in (value.split(",") if isinstance(value, str) else value)]


# One page of the case list (the ids come from the list's filters), with each case's legal
# frameworks and whether a follow-up is overdue, read in the rows' own statement. Plain SQL:
# through the ORM this read cost ~3 ms of Python per page, the same statement run directly
# 0.1 ms (the list is the page opened most). Municipality and region names come from the
# scope the list has read already.
CASE_LIST_ROWS_SQL = """
    SELECT c.id, c.reference, c.phase, c.opened_on, client.first_name, client.last_name, household.name,
           c.case_manager_id,
           EXISTS (
               SELECT 1 FROM casework_followup follow_up
               WHERE follow_up.case_id = c.id AND follow_up.done_at IS NULL AND follow_up.due_on < %s
           ),
           (SELECT {framework_ids} FROM casework_case_legal_frameworks link WHERE link.case_id = c.id),
           c.municipality_id
    FROM casework_case c
    LEFT JOIN casework_client client ON client.id = c.client_id
    LEFT JOIN casework_household household ON household.id = c.household_id
    WHERE c.id IN ({ids})
"""


def case_list_rows(
    ids: list[int],
    *,
    legal_frameworks: list[CatalogueItem] | None = None,
    municipalities: list[ScopeMunicipality] | None = None,
    case_managers: dict[int, str] | None = None,
) -> list[CaseListRow]:
    """The rows of one page of the case list, in no particular order (the caller orders them).

    Plain values, no model instances: a page is 50 rows of a dozen short texts each.
    `legal_frameworks`: the catalogue, `municipalities`: the user's municipalities with their
    regions, `case_managers`: names by user id, when the caller has read them already (the
    list's filters have); names the rows need beyond these are read in one more query each.
    (Joining the users instead makes PostgreSQL hash all of them for 50 rows.)"""
    if not ids:
        return []
    detail = UrlForPks("cases:detail")
    phase_labels = choice_labels(Case, "phase")
    catalogue = legal_frameworks if legal_frameworks is not None else legal_framework_catalogue()
    position = {item.pk: index for index, item in enumerate(catalogue)}
    aggregate = "array_agg" if connection.vendor == "postgresql" else "group_concat"
    sql = CASE_LIST_ROWS_SQL.format(
        framework_ids=f"{aggregate}(link.legalframework_id)", ids=", ".join(["%s"] * len(ids))
    )
    rows = fetch_all(sql, [timezone.localdate(), *ids])
    places = {m.pk: (m.name, m.region_name) for m in municipalities or ()}
    missing = {row[-1] for row in rows} - places.keys()
    if missing:
        for pk, name, region in Municipality.objects.filter(pk__in=missing).values_list(
            "pk", "name", "region__name"
        ):
            places[pk] = (name, region)
    managers = dict(case_managers or {})
    missing = {row[7] for row in rows} - managers.keys() - {None}
    if missing:
        for pk, first_name, last_name, username in User.objects.filter(pk__in=missing).values_list(
            "pk", "first_name", "last_name", "username"
        ):
            managers[pk] = person_name(first_name, last_name, username)
    result = []
    for (
        pk,
        reference,
        phase,
        opened_on,
        first_name,
        last_name,
        household,
        case_manager_id,
        has_overdue,
        linked,
        municipality_id,
    ) in rows:
        frameworks = sorted(position[pk] for pk in framework_ids(linked) if pk in position)
        municipality, region = places[municipality_id]
        result.append(
            CaseListRow(
                pk=pk,
                reference=reference,
                url=detail(pk),
                subject=case_subject_name(first_name, last_name, household),
                has_overdue_follow_up=bool(has_overdue),
                phase=phase,
                phase_label=phase_labels.get(phase, phase),
                municipality=municipality,
                region=region,
                legal_frameworks=", ".join(catalogue[index].name for index in frameworks),
                case_manager=managers.get(case_manager_id, ""),
                opened_on=f"{as_date(opened_on):%d.%m.%Y}",
            )
        )
    return result


def case_goals(case: Case) -> QuerySet[Goal]:
    return Goal.objects.filter(case=case)


def case_open_follow_ups(case: Case) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(case=case, done_at__isnull=True)


def case_consents(case: Case) -> list[Consent]:
    """The consents of a case with the names of the actors they cover (what the case page shows
    and its alerts check)."""
    actors = Prefetch("actors", queryset=Actor.objects.only("pk", "name"))
    return list(Consent.objects.filter(case=case).prefetch_related(actors).order_by("-given_on"))


def case_alerts(case: Case, consents: list[Consent]) -> list[tuple[str, str]]:
    """Warnings shown at the top of a case: deadlines and missing consent."""
    alerts: list[tuple[str, str]] = []
    today = timezone.localdate()
    client = case.client
    expiring = client and client.residence_expires_within(residence_warning_days(), today=today)
    if expiring and not case.is_closed:
        level = "danger" if client.residence_valid_until < today else "warning"
        alerts.append(
            (
                level,
                _("%(status)s gültig bis %(date)s – Verlängerung rechtzeitig klären.")
                % {
                    "status": client.get_residence_status_display(),
                    "date": client.residence_valid_until.strftime("%d.%m.%Y"),
                },
            )
        )
    if not case.is_closed:
        valid = [c for c in consents if c.is_valid_on(today)]
        if not valid:
            alerts.append(("warning", _("Es liegt keine gültige Einwilligung vor.")))
        elif any(c.valid_until and c.valid_until <= today + dt.timedelta(days=30) for c in valid):
            alerts.append(("warning", _("Eine Einwilligung läuft in den nächsten 30 Tagen ab.")))
        uncovered = actors_without_basis(
            referrals=recent_ongoing_referrals(case, today).select_related("actor"),
            consents=consents,
            on=today,
        )
        if uncovered:
            alerts.append(("danger", ACTORS_WITHOUT_BASIS % {"actors": ", ".join(a.name for a in uncovered)}))
    return alerts


@dataclass(frozen=True, slots=True)
class DashboardCase:
    """A case as the lists of Mein Arbeitsplatz show it, ready to print."""

    pk: int
    reference: str
    subject: str
    detail_url: str
    municipality: str = ""
    opened_on_text: str = ""


@dataclass(frozen=True, slots=True)
class DueItem:
    """Something due on Mein Arbeitsplatz: a stored follow-up or a residence deadline."""

    due_on: dt.date
    title: str
    case: DashboardCase
    is_overdue: bool
    # The follow-up's "erledigt" action; none for a residence deadline.
    done_url: str = ""

    @property
    def due_on_text(self) -> str:
        return f"{self.due_on:%d.%m.%Y}"


@dataclass(frozen=True, slots=True)
class RecentContact:
    contacted_on: dt.date
    channel: str
    case: DashboardCase


# What Mein Arbeitsplatz shows of a case in its lists: reference and client or household.
DASHBOARD_CASE_COLUMNS = ("pk", "reference", "client__first_name", "client__last_name", "household__name")


def _dashboard_case(detail: UrlForPks, pk, reference, first_name, last_name, household, *rest):
    return DashboardCase(
        pk, reference, case_subject_name(first_name, last_name, household), detail(pk), *rest
    )


def dashboard_for(user) -> dict:
    """Everything Mein Arbeitsplatz shows, in a fixed number of queries (one more when a
    follow-up or contact belongs to a case outside the user's open cases).

    Plain values, no model instances: the page is lists of short texts and links. The
    follow-ups, deadlines and contacts name their cases by id; the cases come from the open
    cases read first, so those reads join no client or household tables."""
    today = timezone.localdate()
    detail, done = UrlForPks("cases:detail"), UrlForPks("cases:follow_up_done", 2)
    my_open = my_open_cases(user)
    phase_counts = dict(my_open.values_list("phase").annotate(n=Count("pk")).values_list("phase", "n"))
    open_rows = my_open.order_by("phase", "-opened_on").values_list(
        *DASHBOARD_CASE_COLUMNS, "municipality__name", "opened_on", "phase"
    )[:200]
    cases: dict[int, DashboardCase] = {}
    cases_by_phase: dict[str, list[DashboardCase]] = {}
    for *columns, municipality, opened_on, phase in open_rows:
        case = _dashboard_case(detail, *columns, municipality, f"{opened_on:%d.%m.%Y}")
        cases[case.pk] = case
        cases_by_phase.setdefault(phase, []).append(case)
    by_phase = [
        {"phase": Phase(phase), "count": phase_counts.get(phase, 0), "cases": cases_by_phase.get(phase, [])}
        for phase in OPEN_PHASES
    ]

    # Scoped by the case's district and municipality (the case list's rule) rather than
    # `case__in=<every case the user may see>`: the user's own follow-ups are few.
    follow_ups = list(
        restrict_cases(
            FollowUp.objects.filter(
                assigned_to=user, done_at__isnull=True, due_on__lte=today, case__phase__in=OPEN_PHASES
            ),
            user,
            case_path="case__",
        )
        .order_by("due_on", "pk")
        .values_list("pk", "due_on", "title", "case_id")[:100]
    )
    horizon = today + dt.timedelta(days=residence_warning_days())
    expiring = list(
        my_open.filter(
            client__residence_status__in=EXPIRING_RESIDENCE_STATUSES,
            client__residence_valid_until__lte=horizon,
        )
        .order_by("client__residence_valid_until")
        .values_list("client__residence_valid_until", "client__residence_status", "pk")[:100]
    )
    contacts = list(
        restrict_cases(Contact.objects.filter(created_by=user), user, case_path="case__")
        .order_by("-contacted_on", "-pk")
        .values_list("contacted_on", "channel", "case_id")[:10]
    )
    elsewhere = {row[-1] for row in follow_ups + expiring + contacts} - cases.keys()
    if elsewhere:
        for columns in Case.objects.filter(pk__in=elsewhere).values_list(*DASHBOARD_CASE_COLUMNS):
            cases[columns[0]] = _dashboard_case(detail, *columns)

    statuses = choice_labels(Client, "residence_status")
    expires = _("%(status)s läuft ab – Verlängerung klären")
    channels = choice_labels(Contact, "channel")
    return {
        "by_phase": by_phase,
        "open_count": sum(phase_counts.values()),
        "open_cases": [case for group in by_phase for case in group["cases"]],
        "due": [
            DueItem(due_on, title, cases[case_id], due_on < today, done_url=done(case_id, pk))
            for pk, due_on, title, case_id in follow_ups
        ],
        "deadlines": [
            DueItem(
                valid_until,
                expires % {"status": statuses.get(status, status)},
                cases[case_id],
                valid_until < today,
            )
            for valid_until, status, case_id in expiring
        ],
        "recent_contacts": [
            RecentContact(contacted_on, channels.get(channel, channel), cases[case_id])
            for contacted_on, channel, case_id in contacts
        ],
    }


# --- Clients -------------------------------------------------------------------------
# For the client pages (list, register, detail). Every read is scoped with
# `Client.objects.visible_to(user)`, so nobody learns of clients outside their regions.


def regions_for(user) -> QuerySet[Region]:
    """The regions whose clients and cases the user works with (none for Statistik)."""
    return restrict_to_regions(Region.objects.select_related("district"), user, region_path="pk")


def municipalities_for(user) -> QuerySet[Municipality]:
    """The municipalities a user may register clients in, open cases for and filter by."""
    municipalities = Municipality.objects.select_related("region").order_by("name")
    return restrict_to_regions(municipalities, user, region_path="region")


def case_filter_municipalities(user) -> list[ScopeMunicipality]:
    """The municipalities (with their regions) the case list offers as filters."""
    if user.is_superuser:
        rows = municipalities_for(user).values_list(
            "pk", "name", "region_id", "region__name", "region__district_id"
        )
        return [ScopeMunicipality(*row, district_size=None) for row in rows]
    return user_municipalities(user)


def client_list(*, user) -> QuerySet:
    """Clients the user may see, with what the client list shows for each row."""
    open_cases = Count("cases", filter=Q(cases__phase__in=OPEN_PHASES), distinct=True)
    return (
        Client.objects.visible_to(user)
        .select_related("municipality__region", "household")
        .annotate(open_case_count=open_cases)
        .order_by("last_name", "first_name", "pk")
    )


def age_on(date_of_birth: dt.date | None, day: dt.date | None = None) -> int | None:
    if not date_of_birth:
        return None
    day = day or timezone.localdate()
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def client_residence_alert(client) -> tuple[str, str] | None:
    """A warning when a residence title runs out within the warning period or has run out."""
    today = timezone.localdate()
    if not client.residence_expires_within(residence_warning_days(), today=today):
        return None
    expired = client.residence_valid_until < today
    message = (
        _("%(status)s abgelaufen am %(date)s – bitte umgehend klären.")
        if expired
        else _("%(status)s gültig bis %(date)s – Verlängerung rechtzeitig klären.")
    )
    return (
        "danger" if expired else "warning",
        message
        % {
            "status": client.get_residence_status_display(),
            "date": client.residence_valid_until.strftime("%d.%m.%Y"),
        },
    )


def client_household_members(*, client, user) -> QuerySet:
    """The other members of the client's household that the user may see."""
    if not client.household_id:
        return Client.objects.none()
    return (
        Client.objects.visible_to(user)
        .filter(household_id=client.household_id)
        .exclude(pk=client.pk)
        .order_by("date_of_birth", "first_name", "pk")
    )


def client_cases(*, client, user) -> QuerySet[Case]:
    """The client's own cases and those of their household, newest first."""
    subject = Q(client=client)
    if client.household_id:
        subject |= Q(household_id=client.household_id)
    return Case.objects.visible_to(user).filter(subject).with_header().order_by("-opened_on", "-pk")


def staff_for_cases(regions: list[int] | None, *, superusers: bool = False) -> QuerySet:
    """Active Case Management and Koordination staff (and superusers, with `superusers`)
    working in any of these regions (any region for None): who may take over a case.

    EXISTS instead of joins: no duplicates to remove, and PostgreSQL plans and runs it in
    ~0.8 ms instead of ~1.5 (it is read on every request of the case list)."""
    in_group = User.groups.through.objects.filter(
        user=OuterRef("pk"), group__name__in=[CASE_MANAGEMENT, COORDINATION]
    )
    role = Exists(in_group) | Q(is_superuser=True) if superusers else Exists(in_group)
    staff = User.objects.filter(role, is_active=True)
    if regions is not None:
        in_region = User.regions.through.objects.filter(user=OuterRef("pk"), region_id__in=regions)
        staff = staff.filter(Exists(in_region))
    return staff.order_by("last_name", "first_name", "username")


def case_manager_candidates(*, user) -> QuerySet:
    """Active staff working with cases in any of the user's regions: who may take over a new case."""
    return staff_for_cases(None if user.is_superuser else region_ids(user), superusers=True)


# Close spellings of one name: Jusuf/Yusuf, Yılmaz/Yilmaz, Müller/Mueller.
DUPLICATE_NAME_SIMILARITY = 0.85
DUPLICATE_CANDIDATE_LIMIT = 200


def _letter_variants() -> dict[str, str]:
    """For each letter a-z, every Latin letter that `normalise_name` folds onto it, in both cases."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    variants: dict[str, set[str]] = {letter: {letter, letter.upper()} for letter in letters}
    for code in [*range(0xC0, 0x250), 0x1E9E]:
        char = chr(code)
        folded = normalise_name(char)
        if len(folded) == 1 and folded in variants:
            variants[folded] |= {c for c in (char, char.upper(), char.lower()) if len(c) == 1}
    # Typed without the dots, "Ozil" should still find "Özil".
    for letter, umlaut in (("a", "ä"), ("o", "ö"), ("u", "ü")):
        variants[letter] |= {umlaut, umlaut.upper()}
    return {letter: "".join(sorted(chars)) for letter, chars in variants.items()}


_LETTER_VARIANTS = _letter_variants()
_SPELT_OUT = {"ae": "äÄ", "oe": "öÖ", "ue": "üÜ", "ss": "ßẞ"}


def name_search_regex(text: str) -> str:
    """A regular expression finding `text` in a name however it is spelt with accents.

    "yilmaz" finds "Yılmaz", "ozil" and "oezil" find "Özil", "mueller" finds "Müller".
    Works with `__iregex` on PostgreSQL and SQLite alike (classes and groups only).
    """
    folded = normalise_name(text)
    parts: list[str] = []
    i = 0
    while i < len(folded):
        pair = folded[i : i + 2]
        if pair in _SPELT_OUT:
            first, second = (f"[{_LETTER_VARIANTS[ch]}]" for ch in pair)
            parts.append(f"({first}{second}|[{_SPELT_OUT[pair]}])")
            i += 2
            continue
        char = folded[i]
        parts.append(f"[{_LETTER_VARIANTS[char]}]" if char in _LETTER_VARIANTS else re.escape(char))
        i += 1
    return "".join(parts)


@dataclass(frozen=True)
class PossibleDuplicate:
    client: Any
    reason: str


def possible_duplicates(*, first_name: str, last_name: str, date_of_birth: dt.date | None, user):
    """Clients the user may see who could be the person about to be registered.

    A client counts when the normalised full names are at least 85 % alike and the
    dates of birth agree (or one of them is unknown), or when the names are the same
    and only the dates of birth differ (a typo there is common). Only clients visible
    to the user are searched: the check must not reveal people outside their regions.
    """
    wanted = normalise_name(f"{first_name} {last_name}")
    if not wanted:
        return []
    last = " ".join(last_name.split())
    near = Q()
    if last:
        # Yılmaz/Yilmaz, Müller/Mueller: the first letters alike, however they are spelt.
        near = Q(last_name__istartswith=last[:3]) | Q(
            last_name__iregex="^" + name_search_regex(normalise_name(last)[:3])
        )
    if date_of_birth:
        near |= Q(date_of_birth=date_of_birth)
    candidates = (
        Client.objects.visible_to(user)
        .filter(near, anonymised_at__isnull=True)
        .select_related("municipality")
        .order_by("last_name", "first_name", "pk")[:DUPLICATE_CANDIDATE_LIMIT]
    )
    found = []
    for candidate in candidates:
        name = normalise_name(candidate.full_name)
        same_name = name == wanted
        similar = same_name or SequenceMatcher(None, wanted, name).ratio() >= DUPLICATE_NAME_SIMILARITY
        if not similar:
            continue
        if date_of_birth and candidate.date_of_birth:
            if candidate.date_of_birth == date_of_birth:
                reason = (
                    _("gleicher Name und gleiches Geburtsdatum")
                    if same_name
                    else _("ähnliche Schreibweise, gleiches Geburtsdatum")
                )
            elif same_name:
                reason = _("gleicher Name, anderes Geburtsdatum")
            else:
                continue
        else:
            reason = (
                _("gleicher Name, Geburtsdatum unbekannt")
                if same_name
                else _("ähnliche Schreibweise, Geburtsdatum unbekannt")
            )
        found.append(PossibleDuplicate(candidate, reason))
    return found


# --- The network directory -------------------------------------------------------------


def actors_visible_to(user) -> QuerySet:
    """Actors of the user's district; a superuser sees every district's actors.

    The network is shared by all KIM teams of a district, so regions do not narrow it.
    """
    return restrict_to_district(Actor.objects.all(), user, district_path="district_id")


def _municipalities_in_region_order() -> QuerySet:
    return Municipality.objects.select_related("region").order_by("region__name", "name")


def actor_list(*, user) -> QuerySet:
    """The directory: what each row shows, in a fixed number of queries whatever the row count."""
    return (
        actors_visible_to(user)
        .select_related("actor_type")
        .prefetch_related(
            Prefetch("municipalities", queryset=_municipalities_in_region_order()),
            Prefetch("topics", queryset=Topic.objects.only("name", "sort_order")),
            Prefetch(
                "contact_persons",
                queryset=ContactPerson.objects.filter(is_active=True),
                to_attr="active_contact_persons",
            ),
        )
    )


def actor_detail_queryset(*, user) -> QuerySet:
    """One actor with everything its page shows; filter it by pk."""
    return (
        actors_visible_to(user)
        .select_related("actor_type", "district")
        .prefetch_related(
            Prefetch("municipalities", queryset=_municipalities_in_region_order()),
            "topics",
            Prefetch("contact_persons", queryset=ContactPerson.objects.order_by("-is_active", "name")),
        )
    )


def municipalities_by_region(municipalities) -> list[tuple[Any, list]]:
    """[(region, [municipality, ...]), ...] in the order given (region, then name)."""
    groups: dict[Any, list] = {}
    for municipality in municipalities:
        groups.setdefault(municipality.region, []).append(municipality)
    return list(groups.items())


class ContactPersonRow(NamedTuple):
    name: str
    phone: str
    email: str


@dataclass(frozen=True, slots=True)
class ActorRow:
    """One row of the network directory, every value ready to print."""

    pk: int
    url: str
    name: str
    is_active: bool
    city: str
    type_name: str
    served_areas: list[str]
    topics: list[str]
    phone: str
    email: str
    # The first active contact person, shown when the actor has no phone or e-mail of its own.
    contact_person: ContactPersonRow | None


# The directory's rows read these columns (with `actor_rows` for the rest).
ACTOR_ROW_COLUMNS = ("pk", "name", "is_active", "city", "actor_type__name", "phone", "email", "district_id")


def actor_rows(rows) -> list[ActorRow]:
    """The directory's rows from `ACTOR_ROW_COLUMNS` values of one page of actors.

    Plain values, no model instances or prefetches (which build a queryset per actor): four
    queries whatever the number of rows, for where each actor works, its topics and its first
    active contact person. Where an actor works is a short list of labels: a fully served
    Teilregion is named once instead of listing its municipalities, and an actor serving every
    municipality of its district reads "ganzer Kreis".
    """
    rows = list(rows)
    ids = [row[0] for row in rows]
    districts = {row[-1] for row in rows}
    # Every municipality of these districts: names, regions, the regions' sizes.
    places = {}
    region_sizes: dict[int, int] = {}
    district_regions: dict[int, set[int]] = {}
    for pk, name, region_id, region_name, district_id in Municipality.objects.filter(
        region__district_id__in=districts
    ).values_list("pk", "name", "region_id", "region__name", "region__district_id"):
        places[pk] = (region_name, name, region_id)
        region_sizes[region_id] = region_sizes.get(region_id, 0) + 1
        district_regions.setdefault(district_id, set()).add(region_id)
    served: dict[int, list[tuple]] = {}
    for actor_id, municipality_id in Actor.municipalities.through.objects.filter(
        actor_id__in=ids
    ).values_list("actor_id", "municipality_id"):
        if municipality_id in places:  # Actor.clean: only municipalities of the actor's district
            served.setdefault(actor_id, []).append(places[municipality_id])
    topics: dict[int, list[str]] = {}
    for actor_id, name in (
        Actor.topics.through.objects.filter(actor_id__in=ids)
        .order_by("topic__sort_order", "topic__name")
        .values_list("actor_id", "topic__name")
    ):
        topics.setdefault(actor_id, []).append(name)
    contact_persons: dict[int, ContactPersonRow] = {}
    for actor_id, *person in (
        ContactPerson.objects.filter(actor_id__in=ids, is_active=True)
        .order_by("name", "pk")
        .values_list("actor_id", "name", "phone", "email")
    ):
        contact_persons.setdefault(actor_id, ContactPersonRow(*person))
    whole_district = str(_("ganzer Kreis"))
    detail = UrlForPks("network:detail")
    result = []
    for pk, name, is_active, city, type_name, phone, email, district_id in rows:
        labels: list[str] = []
        complete: set[int] = set()
        by_region: dict[int, list[tuple]] = {}
        for place in sorted(served.get(pk, ())):
            by_region.setdefault(place[2], []).append(place)
        for region_id, municipalities in by_region.items():
            if len(municipalities) == region_sizes.get(region_id):
                complete.add(region_id)
                labels.append(_("Teilregion %(region)s") % {"region": municipalities[0][0]})
            else:
                labels.extend(municipality_name for _region, municipality_name, _id in municipalities)
        if complete and complete == district_regions.get(district_id):
            labels = [whole_district]
        result.append(
            ActorRow(
                pk=pk,
                url=detail(pk),
                name=name,
                is_active=is_active,
                city=city,
                type_name=type_name,
                served_areas=labels,
                topics=topics.get(pk, []),
                phone=phone,
                email=email,
                contact_person=contact_persons.get(pk),
            )
        )
    return result


def actor_detail_referrals(*, actor, user) -> QuerySet[Referral]:
    """Referrals to the actor from cases the user may see; none for roles without case work.

    Only the case is joined, never its client: this list must not show names.
    """
    if not works_with_cases(user):
        return Referral.objects.none()
    return (
        Referral.objects.filter(actor=actor, case__in=Case.objects.visible_to(user))
        .select_related("case", "topic")
        .order_by("-referred_on", "-pk")
    )


def actor_referral_counts(*, actor, user) -> list[dict]:
    """How many of those referrals are in each status, every status listed (zeros too)."""
    counts = dict(
        actor_detail_referrals(actor=actor, user=user)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [
        {"status": status, "label": label, "count": counts.get(status, 0)}
        for status, label in ReferralStatus.choices
    ]


def municipalities_for_actor(*, user, actor=None) -> QuerySet:
    """The municipalities an actor may be said to serve: those of its district.

    For a new actor that is the user's district; a superuser without one may choose
    from every district (the first municipality then decides the actor's district).
    """
    municipalities = Municipality.objects.select_related("region__district").order_by(
        "region__district__name", "region__name", "name"
    )
    if actor is not None and actor.district_id:
        return municipalities.filter(region__district_id=actor.district_id)
    if user.district_id:
        return municipalities.filter(region__district_id=user.district_id)
    return municipalities if user.is_superuser else municipalities.none()
