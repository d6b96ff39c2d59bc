"""The figures of the statistics, one function per figure, each for a (scope, period).

Every figure is counted by the database (aggregates and annotations, one query
each); nothing here loops over cases. Only counts leave this module, never names.

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

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.db.models import Case as Switch
from django.utils.translation import gettext_lazy as _

from casework.lifecycle import Phase
from casework.models import (
    ActorType,
    Case,
    Channel,
    ClosureReason,
    Contact,
    LegalFramework,
    Referral,
    ReferralStatus,
)

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


def _catalogue_rows(queryset) -> list[Row]:
    """Rows of a catalogue annotated with `n`: every active entry, inactive ones only when counted."""
    return [
        Row(str(entry.pk), entry.name, entry.n)
        for entry in queryset.order_by("sort_order", "name")
        if entry.is_active or entry.n
    ]


def _rows(labels: dict[str, str], counts: dict[str, int]) -> list[Row]:
    """Rows in the order of `labels`, with zero for categories nobody is in."""
    return [Row(key, str(label), counts.get(key, 0)) for key, label in labels.items()]


def _grouped_counts(queryset: QuerySet, field: str) -> dict[str, int]:
    return dict(queryset.order_by().values(field).annotate(n=Count("pk")).values_list(field, "n"))


# --- Key figures ---------------------------------------------------------------------


def cases_opened(scope: Scope, period: Period) -> int:
    return _cases(scope).filter(opened_in(period)).count()


def cases_active_at_end(scope: Scope, period: Period) -> int:
    return _cases(scope).filter(active_on(period.end)).count()


def cases_closed(scope: Scope, period: Period) -> int:
    return _cases(scope).filter(closed_in(period)).count()


def cases_active_in_period(scope: Scope, period: Period) -> int:
    return _cases(scope).filter(active_during(period)).count()


def average_case_duration(scope: Scope, period: Period) -> Decimal | None:
    """Mean days from opening to closing of the cases closed in the period (one decimal)."""
    duration = ExpressionWrapper(F("closed_on") - F("opened_on"), output_field=DurationField())
    mean = _cases(scope).filter(closed_in(period)).aggregate(mean=Avg(duration))["mean"]
    if mean is None:
        return None
    days = Decimal(mean.total_seconds()) / Decimal(86400)
    return days.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- Breakdowns of cases -------------------------------------------------------------


def cases_by_phase(scope: Scope, period: Period) -> list[Row]:
    """Cases active at period end by their current phase (see the module docstring)."""
    counts = _grouped_counts(_cases(scope).filter(active_on(period.end)), "phase")
    labels = {phase.value: phase.label for phase in Phase if phase != Phase.CLOSED}
    labels[Phase.CLOSED.value] = CLOSED_SINCE_LABEL
    return _rows(labels, counts)


def cases_by_legal_framework(scope: Scope, period: Period) -> list[Row]:
    """Cases active in the period by legal framework; a case with several counts in each."""
    counted = active_during(period, "cases__") & scope.q("cases__")
    rows = _catalogue_rows(LegalFramework.objects.annotate(n=Count("cases", filter=counted)))
    without = _cases(scope).filter(active_during(period), legal_frameworks__isnull=True).count()
    return [*rows, Row(NO_LEGAL_FRAMEWORK, str(_("ohne Angabe")), without)]


def cases_by_closure_reason(scope: Scope, period: Period) -> list[Row]:
    counted = closed_in(period, "cases__") & scope.q("cases__")
    return _catalogue_rows(ClosureReason.objects.annotate(n=Count("cases", filter=counted)))


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


def cases_by_nationality_group(scope: Scope, period: Period) -> list[Row]:
    """Cases active in the period by the client's nationality group (groups in `groups.py`)."""
    cases = _cases(scope).filter(active_during(period)).annotate(group=_nationality_group_expression())
    return _rows(NATIONALITY_LABELS, _grouped_counts(cases, "group"))


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


def cases_by_age_group(scope: Scope, period: Period) -> list[Row]:
    """Cases active in the period by the client's age on the last day of the period."""
    cases = _cases(scope).filter(active_during(period)).annotate(group=_age_group_expression(period.end))
    return _rows(AGE_LABELS, _grouped_counts(cases, "group"))


# --- Contacts and referrals ----------------------------------------------------------


def contacts_by_channel(scope: Scope, period: Period) -> list[Row]:
    contacts = Contact.objects.filter(scope.q("case__"), contacted_on__range=(period.start, period.end))
    return _rows(dict(Channel.choices), _grouped_counts(contacts, "channel"))


def referrals_by_actor_type(scope: Scope, period: Period) -> list[Row]:
    counted = Q(actors__referrals__referred_on__range=(period.start, period.end)) & scope.q(
        "actors__referrals__case__"
    )
    return _catalogue_rows(ActorType.objects.annotate(n=Count("actors__referrals", filter=counted)))


def referrals_by_status(scope: Scope, period: Period) -> list[Row]:
    """Referrals made in the period by their current status (the recorded outcome)."""
    referrals = Referral.objects.filter(scope.q("case__"), referred_on__range=(period.start, period.end))
    return _rows(dict(ReferralStatus.choices), _grouped_counts(referrals, "status"))


# --- Trend ---------------------------------------------------------------------------


def case_trend(scope: Scope, months: list[Period]) -> list[TrendPoint]:
    """Opened, closed and active-at-month-end cases for each month, in one query."""
    aggregates = {}
    for index, month in enumerate(months):
        aggregates[f"opened_{index}"] = Count("pk", filter=opened_in(month))
        aggregates[f"closed_{index}"] = Count("pk", filter=closed_in(month))
        aggregates[f"active_{index}"] = Count("pk", filter=active_on(month.end))
    counts = _cases(scope).aggregate(**aggregates)
    return [
        TrendPoint(month, counts[f"opened_{i}"], counts[f"closed_{i}"], counts[f"active_{i}"])
        for i, month in enumerate(months)
    ]
