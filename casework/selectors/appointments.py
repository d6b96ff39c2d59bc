"""Appointments: a case's, a user's week, and a user's calendar feed."""

import datetime as dt

from django.utils import timezone

from accounts.roles import restrict_cases

from ..models import Appointment, CalendarFeed

# The feed carries appointments from this far back to this far ahead.
FEED_PAST = dt.timedelta(days=30)
FEED_FUTURE = dt.timedelta(days=365)
FEED_LIMIT = 1000


def case_appointments(case) -> list[Appointment]:
    """The case page's appointments: those to come, and those past not yet recorded as a contact."""
    since = timezone.now() - dt.timedelta(days=60)
    return list(
        Appointment.objects.filter(case=case, starts_at__gte=since, contact__isnull=True)
        .select_related("contact_person__actor", "assigned_to")
        .prefetch_related("household_members")
        .order_by("starts_at", "pk")
    )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def my_appointments(user, *, today: dt.date | None = None) -> dict:
    """Mein Arbeitsplatz: the user's appointments today and in the rest of this week (to Sunday),
    in cases the user may still see, as plain values."""
    today = today or timezone.localdate()
    week_end = today + dt.timedelta(days=7 - today.isoweekday())
    rows = list(
        restrict_cases(
            Appointment.objects.filter(
                assigned_to=user,
                starts_at__gte=_day_start(today),
                starts_at__lt=_day_start(week_end + dt.timedelta(days=1)),
            ),
            user,
            case_path="case__",
        )
        .order_by("starts_at", "pk")
        .values(
            "pk",
            "starts_at",
            "duration_minutes",
            "mode",
            "interpreter_language",
            "contact_id",
            "case_id",
            "case__reference",
        )[:200]
    )
    for row in rows:
        row["local_start"] = timezone.localtime(row["starts_at"])
        row["mode_label"] = Appointment(mode=row["mode"]).get_mode_display()
    today_rows = [row for row in rows if row["local_start"].date() == today]
    return {"today": today_rows, "week": [row for row in rows if row["local_start"].date() != today]}


def calendar_feed_for(user_pk: int) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("user").filter(user_id=user_pk, user__is_active=True).first()


def feed_appointments(user) -> list[tuple]:
    now = timezone.now()
    return list(
        Appointment.objects.filter(
            assigned_to=user, starts_at__gte=now - FEED_PAST, starts_at__lt=now + FEED_FUTURE
        )
        .order_by("starts_at", "pk")
        .values_list(
            "pk", "starts_at", "duration_minutes", "updated_at", "mode", "case_id", "case__reference"
        )[:FEED_LIMIT]
    )
