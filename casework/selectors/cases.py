"""Reads for the case list, its export and the case page."""

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import (
    Prefetch,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import (
    ScopeMunicipality,
)
from kim.links import UrlForPks
from kim.sql import fetch_all
from regions.models import Municipality

from ..consent import ACTORS_WITHOUT_BASIS, actors_without_basis, recent_ongoing_referrals
from ..lifecycle import OPEN_PHASES
from ..models import (
    EXPIRING_RESIDENCE_STATUSES,
    Actor,
    Case,
    Client,
    Consent,
    FollowUp,
    Goal,
    LegalFramework,
    overdue_sql,
)
from ..names import person_name
from ..timeline import as_date, choice_labels


def residence_warning_days() -> int:
    return settings.KIM_RESIDENCE_WARNING_WEEKS * 7


def case_list(*, user) -> QuerySet[Case]:
    """The cases a user may see, for the case list's filters and sorting.

    Only the case table: the list's indexes answer the filters, the count and the page's ids
    from it (Case.Meta.indexes). `case_list_rows` reads what a row shows, for one page.
    """
    return Case.objects.visible_to(user)


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
    opened_on_date: dt.date  # for exports that write dates as dates


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
               WHERE follow_up.case_id = c.id AND {follow_up_overdue}
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
        framework_ids=f"{aggregate}(link.legalframework_id)",
        follow_up_overdue=overdue_sql("follow_up"),
        ids=", ".join(["%s"] * len(ids)),
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
                opened_on_date=as_date(opened_on),
            )
        )
    return result


# Ids per statement when an export reads every row of the list.
EXPORT_CHUNK = 1000


def case_export_rows(cases: QuerySet[Case]) -> list[CaseListRow]:
    """Every case of the (filtered, sorted) list as the list page shows its rows, in the list's
    order: the export is built from the same rows as the page (`case_list_rows`)."""
    ids = list(cases.values_list("pk", flat=True))
    catalogue = legal_framework_catalogue()
    rows: dict[int, CaseListRow] = {}
    for start in range(0, len(ids), EXPORT_CHUNK):
        for row in case_list_rows(ids[start : start + EXPORT_CHUNK], legal_frameworks=catalogue):
            rows[row.pk] = row
    return [rows[pk] for pk in ids]


def case_goals(case: Case) -> QuerySet[Goal]:
    return Goal.objects.filter(case=case)


def case_open_follow_ups(case: Case) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(case=case, done_at__isnull=True)


# Follow-ups marked done this many days ago or less can be opened again from the case page.
FOLLOW_UP_REOPEN_DAYS = 14


def case_recently_done_follow_ups(case: Case, *, limit: int = 5) -> QuerySet[FollowUp]:
    """The follow-ups of a case marked done lately, newest first: the undo of "erledigt"."""
    since = timezone.now() - dt.timedelta(days=FOLLOW_UP_REOPEN_DAYS)
    return FollowUp.objects.filter(case=case, done_at__gte=since).order_by("-done_at")[:limit]


def case_consents(case: Case) -> list[Consent]:
    """The consents of a case with the names of the actors they cover (what the case page shows
    and its alerts check)."""
    actors = Prefetch("actors", queryset=Actor.objects.only("pk", "name"))
    return list(Consent.objects.filter(case=case).prefetch_related(actors).order_by("-given_on"))


def residence_deadlines_of(case: Case, *, today: dt.date | None = None) -> list[Client]:
    """The people of the case whose residence title, Duldung or Fiktionsbescheinigung runs out
    within the warning period (or ran out): the client, or every member of the household."""
    today = today or timezone.localdate()
    if case.client_id:
        client = case.client
        return [client] if client.residence_expires_within(residence_warning_days(), today=today) else []
    horizon = today + dt.timedelta(days=residence_warning_days())
    return list(
        Client.objects.filter(
            household_id=case.household_id,
            residence_status__in=EXPIRING_RESIDENCE_STATUSES,
            residence_valid_until__lte=horizon,
        ).order_by("residence_valid_until", "pk")
    )


def case_alerts(case: Case, consents: list[Consent]) -> list[tuple[str, str]]:
    """Warnings shown at the top of a case: deadlines and missing consent."""
    alerts: list[tuple[str, str]] = []
    today = timezone.localdate()
    if not case.is_closed:
        for person in residence_deadlines_of(case, today=today):
            level = "danger" if person.residence_valid_until < today else "warning"
            text = _("%(status)s gültig bis %(date)s – Verlängerung rechtzeitig klären.") % {
                "status": person.get_residence_status_display(),
                "date": person.residence_valid_until.strftime("%d.%m.%Y"),
            }
            # A household case names whose deadline it is.
            alerts.append((level, f"{person.full_name}: {text}" if case.household_id else text))
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
