"""The figures of the statistics, one function per figure, each for a (scope, period).

Every figure is counted by the database (aggregates and annotations); nothing here
loops over cases. Only counts leave this module, never names. The page needs all
figures at once, so figures over the same rows share one query: `case_figures` (key
figures, phases, closure reasons, trend: one pass over the scope's cases),
`cases_by_nationality_and_age_group`, `cases_by_legal_framework`, `contacts_by_channel`
and `referral_figures`. The functions for a single figure read from these.

How the queries reach their rows (at state scale a region has ~20,000 cases and a district
~60,000): cases by their own `district_id` and `municipality_id` (the scope's list) and
`opened_on`, so an index leading with (district, municipality, opened_on) and carrying the
other columns the figures read answers from the index alone; contacts and referrals
through the ids of the scope's cases open in the period (an entry is dated while its case
is open: Case.check_entry_date) and their (case, date) indexes, one index walk per case.
That walk is what a region's page costs most (~5,400 walks each for contacts and
referrals in a year): there is no way to reach "the contacts of a region in a year" as one
range without a scope column on the contacts themselves.

Definitions, as the tables explain them to their readers:

- A case belongs to a scope through its municipality (and so its region).
- *opened in the period*: `opened_on` within the period.
- *closed in the period*: `closed_on` within the period.
- *active at period end* (Bestand am Stichtag): opened on or before the last day and not
  closed by then, i.e. `opened_on <= end` and (`closed_on` empty or after `end`).
  Paused cases are active; they are open and come back.
- *active in the period* (im Zeitraum betreut): opened on or before the last day and not
  closed before the first day. The breakdowns by legal framework, nationality and age
  count these cases.
- *by phase*: the cases active at period end, by their **current** phase. The phase
  history records when a change was entered, not the day it happened, so it cannot say
  reliably which phase a case had on a past day. A case closed after the period end
  shows up as "closed since" so the table still adds up to the cases active at period end.
- A case that was closed and re-opened counts from its original opening; its earlier
  closure is only in its phase history.
- *age* is the completed years on the last day of the period. A household case has no
  single age or nationality: it is its own group in both tables.
- *average duration*: the mean of (`closed_on` − `opened_on`) in days over the cases
  closed in the period.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models import Case as Switch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.lifecycle import Phase
from casework.models import (
    ActorType,
    Case,
    Channel,
    ClientOutcome,
    ClosureReason,
    Contact,
    PhaseChange,
    Referral,
    ReferralStatus,
    has_legal_framework_bit,
)
from casework.selectors import legal_framework_catalogue

from .groups import (
    AGE_GROUPS,
    AGE_LABELS,
    HOUSEHOLD,
    NATIONALITY_GROUPS,
    NATIONALITY_LABELS,
    OTHER_THIRD_COUNTRIES,
    UNKNOWN,
    born_on_or_before_for_age,
)
from .periods import Period
from .scopes import Scope

NO_LEGAL_FRAMEWORK = "none_recorded"
CLOSED_SINCE_LABEL = _("inzwischen abgeschlossen")


@dataclass(frozen=True)
class Row:
    """One line of a figure: a category and its count."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class TrendPoint:
    month: Period
    opened: int
    closed: int
    active: int


# --- Building blocks -----------------------------------------------------------------


def _cases(scope: Scope) -> QuerySet[Case]:
    return Case.objects.filter(scope.q()).order_by()


def opened_in(period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}opened_on__range": (period.start, period.end)})


def closed_in(period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}closed_on__range": (period.start, period.end)})


def active_on(day: dt.date, prefix: str = "") -> Q:
    """Open at the end of `day`: opened by then and not closed by then."""
    return Q(**{f"{prefix}opened_on__lte": day}) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": day})
    )


def active_during(period: Period, prefix: str = "") -> Q:
    """Open on at least one day of the period."""
    return Q(**{f"{prefix}opened_on__lte": period.end}) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gte": period.start})
    )


def _catalogue(model) -> list[tuple[int, str, bool]]:
    """(pk, name, is_active) of a catalogue's entries in their order: only what the rows show."""
    return list(model.objects.order_by("sort_order", "name").values_list("pk", "name", "is_active"))


def _catalogue_rows(entries: list[tuple[int, str, bool]], counts: dict[int, int]) -> list[Row]:
    """Rows for catalogue entries: every active entry, inactive ones only when counted."""
    return [
        Row(str(pk), name, counts.get(pk, 0))
        for pk, name, is_active in entries
        if is_active or counts.get(pk, 0)
    ]


def _rows(labels: dict[str, str], counts: dict[str, int]) -> list[Row]:
    """Rows in the order of `labels`, with zero for categories nobody is in."""
    return [Row(key, str(label), counts.get(key, 0)) for key, label in labels.items()]


def _grouped_counts(queryset: QuerySet, field: str) -> dict[str, int]:
    # COUNT(*), not COUNT(id): the row's id is not needed, so a covering index can answer alone.
    return dict(queryset.order_by().values(field).annotate(n=Count("*")).values_list(field, "n"))


# --- Cases: key figures, phases, closure reasons and the trend in one query ------------


@dataclass(frozen=True)
class CaseFigures:
    opened: int
    active_at_end: int
    closed: int
    active_in_period: int
    average_duration: Decimal | None
    by_phase: list[Row]
    by_closure_reason: list[Row]
    trend: list[TrendPoint]


def _phase_labels() -> dict[str, str]:
    labels = {phase.value: phase.label for phase in Phase if phase != Phase.CLOSED}
    labels[Phase.CLOSED.value] = CLOSED_SINCE_LABEL
    return labels


def case_figures(scope: Scope, period: Period, trend_months: list[Period] = ()) -> CaseFigures:
    """Every figure that counts cases by their dates, phase and closure reason, in one query.

    One pass over the scope's cases with conditional aggregates, grouped by current phase
    and closure reason (a dozen groups): the breakdowns by phase and by closure reason are
    those groups' counts, every other figure their sum. Only cases open on some day
    between the earliest and the latest day asked for can count in any figure (a case is
    never closed before it was opened: `case_closed_not_before_opened`), so the query
    reads only those. The names of the closure reasons are one more small query.
    """
    duration = ExpressionWrapper(F("closed_on") - F("opened_on"), output_field=DurationField())
    aggregates = {
        "opened": Count("pk", filter=opened_in(period)),
        "active_at_end": Count("pk", filter=active_on(period.end)),
        "closed": Count("pk", filter=closed_in(period)),
        "active_in_period": Count("pk", filter=active_during(period)),
        "duration": Sum(duration, filter=closed_in(period)),
    }
    for index, month in enumerate(trend_months):
        aggregates[f"opened_{index}"] = Count("pk", filter=opened_in(month))
        aggregates[f"closed_{index}"] = Count("pk", filter=closed_in(month))
        aggregates[f"active_{index}"] = Count("pk", filter=active_on(month.end))
    periods = [period, *trend_months]
    covered = Period.between(min(p.start for p in periods), max(p.end for p in periods))
    groups = list(
        _cases(scope)
        .filter(active_during(covered))
        .values("phase", "closure_reason_id")
        .annotate(**aggregates)
    )

    def total(key: str) -> int:
        return sum(group[key] for group in groups)

    by_phase: dict[str, int] = {}
    by_reason: dict[int, int] = {}
    for group in groups:
        by_phase[group["phase"]] = by_phase.get(group["phase"], 0) + group["active_at_end"]
        by_reason[group["closure_reason_id"]] = by_reason.get(group["closure_reason_id"], 0) + group["closed"]
    durations = [group["duration"] for group in groups if group["duration"] is not None]
    closed = total("closed")
    return CaseFigures(
        opened=total("opened"),
        active_at_end=total("active_at_end"),
        closed=closed,
        active_in_period=total("active_in_period"),
        average_duration=_mean_days(sum(durations, dt.timedelta()) if durations else None, closed),
        by_phase=_rows(_phase_labels(), by_phase),
        by_closure_reason=_catalogue_rows(_catalogue(ClosureReason), by_reason),
        trend=[
            TrendPoint(month, total(f"opened_{i}"), total(f"closed_{i}"), total(f"active_{i}"))
            for i, month in enumerate(trend_months)
        ],
    )


def _mean_days(total: dt.timedelta | None, cases: int) -> Decimal | None:
    """The mean of whole-day durations, to one decimal (half up), exactly."""
    if not cases or total is None:
        return None
    days = Decimal(total.days * 86400 + total.seconds) / Decimal(86400)
    return (days / cases).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- Breakdowns of cases -------------------------------------------------------------


def cases_by_phase(scope: Scope, period: Period) -> list[Row]:
    """Cases active at period end by their current phase (see the module docstring)."""
    return case_figures(scope, period).by_phase


def cases_by_legal_framework(scope: Scope, period: Period) -> list[Row]:
    """Cases active in the period by legal framework; a case with several counts in each.

    One pass over the scope's cases with a count per framework of its bit in
    Case.legal_framework_bits, which the statistics' case index carries (no framework: no
    bit set), plus the catalogue's names and bits. Should a framework have no bit (more than
    63 of them), one grouped query over the cases and their links instead.
    """
    frameworks = legal_framework_catalogue()
    entries = [(item.pk, item.name, item.is_active) for item in frameworks]
    cases = _cases(scope).filter(active_during(period))
    if any(item.bit is None for item in frameworks):
        counts = _grouped_counts(cases, "legal_frameworks")
        without = counts.pop(None, 0)
    else:
        totals = cases.aggregate(
            **{
                f"framework_{item.pk}": Count("pk", filter=has_legal_framework_bit(item.bit))
                for item in frameworks
            },
            without=Count("pk", filter=Q(legal_framework_bits=0)),
        )
        without = totals.pop("without")
        counts = {item.pk: totals[f"framework_{item.pk}"] for item in frameworks}
    return [*_catalogue_rows(entries, counts), Row(NO_LEGAL_FRAMEWORK, str(_("ohne Angabe")), without)]


def _nationality_group_expression() -> Switch:
    return Switch(
        When(household__isnull=False, then=Value(HOUSEHOLD)),
        When(client__nationality="", then=Value(UNKNOWN)),
        *(
            When(client__nationality__in=sorted(group.countries), then=Value(group.key))
            for group in NATIONALITY_GROUPS
        ),
        default=Value(OTHER_THIRD_COUNTRIES),
    )


def _age_group_expression(on: dt.date) -> Switch:
    # Compare dates of birth with cut-off dates instead of computing ages in SQL:
    # the same on every database, and exact on birthdays.
    older_first = sorted(AGE_GROUPS, key=lambda group: group.min_age, reverse=True)
    return Switch(
        When(household__isnull=False, then=Value(HOUSEHOLD)),
        When(client__date_of_birth__isnull=True, then=Value(UNKNOWN)),
        *(
            When(
                client__date_of_birth__lte=born_on_or_before_for_age(group.min_age, on),
                then=Value(group.key),
            )
            for group in older_first
            if group.min_age > 0
        ),
        default=Value(AGE_GROUPS[0].key),
    )


def cases_by_nationality_and_age_group(scope: Scope, period: Period) -> tuple[list[Row], list[Row]]:
    """Cases active in the period by nationality group and by age group, in one query.

    Grouped by both groups at once (a few dozen rows); each table adds up its own column.
    """
    cases = (
        _cases(scope)
        .filter(active_during(period))
        .annotate(nationality=_nationality_group_expression(), age=_age_group_expression(period.end))
        .values("nationality", "age")
        .annotate(n=Count("*"))
    )
    nationalities: dict[str, int] = {}
    ages: dict[str, int] = {}
    for row in cases:
        nationalities[row["nationality"]] = nationalities.get(row["nationality"], 0) + row["n"]
        ages[row["age"]] = ages.get(row["age"], 0) + row["n"]
    return _rows(NATIONALITY_LABELS, nationalities), _rows(AGE_LABELS, ages)


# --- Contacts and referrals ----------------------------------------------------------


def _has_arrays() -> bool:
    return connection.vendor == "postgresql"


def _of_cases_in(scope: Scope, period: Period):
    """A filter for contacts and referrals of the period: those of the scope's cases open in it.

    A contact or referral is dated while its case is open (Case.check_entry_date), so only
    the cases open in the period can have any: a region's year is ~5,400 of its ~22,000
    cases at state scale. Their ids are read from the case index alone; each one's entries
    in the period are then an index range on (case, date). On PostgreSQL as
    `case_id = ANY(ARRAY(...))`, which walks the contact or referral index once per case id
    like a nested-loop join, but measurably cheaper per id (about 15-20 % at 20,000 cases).
    """
    if not _has_arrays():
        return scope.q("case__") & active_during(period, "case__")
    case_ids = ArraySubquery(_cases(scope).filter(active_during(period)).values("pk"))
    # case_id = ANY(ARRAY(SELECT id FROM casework_case WHERE ...))
    return Func(
        F("case_id"), case_ids, template="%(expressions)s)", arg_joiner=" = ANY(", output_field=BooleanField()
    )


def contacts_by_channel(scope: Scope, period: Period) -> list[Row]:
    contacts = Contact.objects.filter(
        _of_cases_in(scope, period), contacted_on__range=(period.start, period.end)
    )
    return _rows(dict(Channel.choices), _grouped_counts(contacts, "channel"))


def referral_figures(scope: Scope, period: Period) -> tuple[list[Row], list[Row]]:
    """Referrals made in the period by the type of their actor and by their current status."""
    by_type, by_status, _response = referral_figures_with_response(scope, period)
    return by_type, by_status


def referral_figures_with_response(
    scope: Scope, period: Period
) -> tuple[list[Row], list[Row], tuple[Decimal | None, int]]:
    """Referrals made in the period by the type of their actor and by their current status, and
    the mean days to their Rückmeldung (angenommen, abgelehnt, abgebrochen or abgeschlossen)
    over those that have one, with their number.

    One query grouped by type and status (plus the names of the actor types); each table adds
    up its own, and the days to a response are summed in the same groups.
    """
    entries = _catalogue(ActorType)
    referrals = (
        Referral.objects.filter(_of_cases_in(scope, period), referred_on__range=(period.start, period.end))
        .order_by()
        .values("actor__actor_type_id", "status")
        .annotate(
            n=Count("*"),
            # Both skip the referrals without a response (responded_on is NULL).
            responded=Count("responded_on"),
            waited=Sum(ExpressionWrapper(F("responded_on") - F("referred_on"), output_field=DurationField())),
        )
    )
    by_type: dict[int, int] = {}
    by_status: dict[str, int] = {}
    responded, waited = 0, dt.timedelta()
    for row in referrals:
        by_type[row["actor__actor_type_id"]] = by_type.get(row["actor__actor_type_id"], 0) + row["n"]
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        responded += row["responded"]
        waited += row["waited"] or dt.timedelta()
    return (
        _catalogue_rows(entries, by_type),
        _rows(dict(ReferralStatus.choices), by_status),
        (_mean_days(waited if responded else None, responded), responded),
    )


def evaluations_by_outcome(scope: Scope, period: Period) -> list[Row]:
    """Evaluations begun in the period (a case moved into Evaluation) by the outcome for the
    person recorded then."""
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))
    changes = PhaseChange.objects.filter(
        scope.q("case__"), to_phase=Phase.EVALUATION, changed_at__gte=start, changed_at__lt=end
    )
    return _rows(dict(ClientOutcome.choices), _grouped_counts(changes, "outcome"))
