"""Reads for the client pages, the staff choices and the duplicate check."""

import datetime as dt
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import (
    CASE_MANAGEMENT,
    COORDINATION,
    ScopeMunicipality,
    region_ids,
    restrict_to_regions,
    user_municipalities,
    works_with_cases,
)
from regions.models import Municipality, Region

from ..lifecycle import OPEN_PHASES
from ..models import (
    Case,
    Client,
)
from ..names import normalise_name
from ..timeline import as_date, case_timeline, choice_labels  # noqa: F401 (the case page reads case_timeline here)
from .cases import residence_warning_days

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
    """The ids of the clients the user may see, in list order: the query the list counts and
    pages (CappedPaginator); `client_list_rows` then loads the page's rows.

    Scoped by the municipalities themselves rather than through the regions' join, so that
    PostgreSQL reads the list along its name or birth-date index (which carries the
    municipality, `Client.Meta.indexes`) and stops after the first page's rows, instead of
    fetching and sorting every client of the district.
    """
    clients = Client.objects.order_by("last_name", "first_name", "pk")
    if user.is_superuser:
        return clients
    if not works_with_cases(user):
        return clients.none()
    return clients.filter(municipality_id__in=sorted(m.pk for m in user_municipalities(user)))


def client_list_rows(ids) -> QuerySet:
    """The rows of one page of the client list, with what it shows for each."""
    open_cases = Count("cases", filter=Q(cases__phase__in=OPEN_PHASES), distinct=True)
    return (
        Client.objects.filter(pk__in=list(ids))
        .select_related("municipality__region", "household")
        .annotate(open_case_count=open_cases)
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
    reason: str | Promise  # a lazy translation


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
