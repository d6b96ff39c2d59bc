"""Reads of the structural app: barriers for a user, themes with their figures, the trend,
team capacity and the waiting list. Counting happens in the database."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.roles import CASE_MANAGEMENT, region_ids
from casework.lifecycle import ACTIVE_PHASES, Phase
from casework.models import Case
from regions.models import District, Region

from .models import OPEN_STEPS, Barrier, Theme

TREND_MONTHS = 6


def barrier_list(*, user) -> QuerySet[Barrier]:
    return (
        Barrier.objects.visible_to(user)
        .select_related("case__municipality__region", "actor", "legal_framework", "topic", "theme")
        .order_by("-created_at", "-pk")
    )


def user_district(user) -> District | None:
    """The district whose themes the user works with (a superuser without one: the first)."""
    if user.district_id:
        return user.district
    if user.is_superuser:
        return District.objects.order_by("pk").first()
    return None


def theme_list(*, district: District | None, open_only: bool = False) -> QuerySet[Theme]:
    """Themes of the district with the number of barriers, cases and municipalities affected."""
    if district is None:
        return Theme.objects.none()
    themes = Theme.objects.filter(district=district)
    if open_only:
        themes = themes.filter(status__in=OPEN_STEPS)
    return themes.annotate(
        barrier_count=Count("barriers", distinct=True),
        case_count=Count("barriers__case", distinct=True),
        municipality_count=Count("barriers__case__municipality", distinct=True),
        region_count=Count("barriers__case__municipality__region", distinct=True),
    ).order_by("title", "pk")


def last_months(count: int = TREND_MONTHS, *, today: dt.date | None = None) -> list[dt.date]:
    """The first days of the last `count` months, oldest first, the current month last."""
    today = today or timezone.localdate()
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def theme_trend(themes, *, months: list[dt.date]) -> dict[int, list[int]]:
    """Barriers recorded per theme and month (one query), zeros where none were."""
    start = timezone.make_aware(dt.datetime.combine(months[0], dt.time.min))
    rows = (
        Barrier.objects.filter(theme__in=themes, created_at__gte=start)
        .annotate(month=TruncMonth("created_at"))
        .values("theme_id", "month")
        .annotate(n=Count("pk"))
    )
    index = {m: i for i, m in enumerate(months)}
    trend = {theme.pk: [0] * len(months) for theme in themes}
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        if month in index and row["theme_id"] in trend:
            trend[row["theme_id"]][index[month]] = row["n"]
    return trend


# --- Team capacity -------------------------------------------------------------------------


@dataclass
class StaffLoad:
    user: object
    active_cases: int
    fte: Decimal

    @property
    def per_fte(self) -> Decimal | None:
        return ratio(self.active_cases, self.fte)


@dataclass
class RegionLoad:
    region: Region
    active_cases: int
    fte: Decimal
    waiting: int
    staff: list[StaffLoad] = field(default_factory=list)

    @property
    def per_fte(self) -> Decimal | None:
        return ratio(self.active_cases, self.fte)


def ratio(count: int, fte: Decimal) -> Decimal | None:
    if not fte:
        return None
    return (Decimal(count) / fte).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def capacity_regions(user) -> QuerySet[Region]:
    regions = Region.objects.select_related("district").order_by("name")
    return regions if user.is_superuser else regions.filter(pk__in=region_ids(user))


def team_capacity(*, regions) -> list[RegionLoad]:
    """Active cases (Zugang to Monitoring, not paused or closed) per case manager and per region.

    A case manager's load counts all of their active cases. A region's FTE is the sum of its
    case managers' FTE, each split evenly over the regions they belong to, so a person in two
    teams is not counted twice in the district's total.
    """
    from accounts.models import User

    regions = list(regions)
    region_pks = [r.pk for r in regions]
    active = Q(managed_cases__phase__in=ACTIVE_PHASES)
    staff = list(
        User.objects.filter(is_active=True, groups__name=CASE_MANAGEMENT, regions__in=region_pks)
        .distinct()
        .annotate(active_cases=Count("managed_cases", filter=active, distinct=True))
        .prefetch_related("regions")
        .order_by("last_name", "first_name", "username")
    )
    by_region = {
        row["municipality__region"]: row
        for row in Case.objects.filter(municipality__region__in=region_pks)
        .values("municipality__region")
        .annotate(
            active=Count("pk", filter=Q(phase__in=ACTIVE_PHASES)),
            waiting=Count("pk", filter=Q(phase=Phase.INTAKE, case_manager__isnull=True)),
        )
    }
    loads = []
    for region in regions:
        row = by_region.get(region.pk, {})
        members = [u for u in staff if any(r.pk == region.pk for r in u.regions.all())]
        fte = sum((u.fte / len(u.regions.all()) for u in members), Decimal("0")).quantize(Decimal("0.01"))
        loads.append(
            RegionLoad(
                region=region,
                active_cases=row.get("active", 0),
                fte=fte,
                waiting=row.get("waiting", 0),
                staff=[StaffLoad(user=u, active_cases=u.active_cases, fte=u.fte) for u in members],
            )
        )
    return loads


@dataclass
class WaitingEntry:
    case: Case
    days: int


def waiting_list(*, regions, today: dt.date | None = None) -> list[WaitingEntry]:
    """Who asked for case management and has not been taken on: cases in Erstkontakt / Zugang
    without a case manager, longest waiting first, with the days since the case was opened."""
    today = today or timezone.localdate()
    cases = (
        Case.objects.filter(
            municipality__region__in=list(regions), phase=Phase.INTAKE, case_manager__isnull=True
        )
        .select_related("municipality__region")
        .order_by("opened_on", "pk")
    )
    return [WaitingEntry(case=case, days=(today - case.opened_on).days) for case in cases]
