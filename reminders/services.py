"""The daily reminder digest: per user, what is due, as reference numbers and links only.

A mail leaves the office network and lands on phones: it never carries a client's name, date of
birth, residence status, a follow-up's free-text title or anything else about the person. It
says which case (Aktenzeichen) needs what kind of attention and links to it; the page behind
the link checks access as always.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import restrict_cases
from casework.lifecycle import OPEN_PHASES
from casework.models import (
    EXPIRING_RESIDENCE_STATUSES,
    Case,
    CaseAssignment,
    FollowUp,
    Referral,
    ReferralStatus,
)

from .models import DigestSent, ReminderSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DigestItem:
    reference: str
    url: str
    text: str


@dataclass
class Digest:
    follow_ups: list[DigestItem]
    deadlines: list[DigestItem]
    referrals: list[DigestItem]
    handovers: list[DigestItem]

    @property
    def count(self) -> int:
        return len(self.follow_ups) + len(self.deadlines) + len(self.referrals) + len(self.handovers)


def _link(case_id: int) -> str:
    return settings.KIM_BASE_URL + reverse("cases:detail", args=[case_id])


def _date(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


def digest_for(user: User, *, today: dt.date) -> Digest:
    """What the user's digest of `today` lists (reads only references, dates and ids)."""
    open_cases = Case.objects.visible_to(user).filter(phase__in=OPEN_PHASES)
    follow_ups = (
        restrict_cases(
            FollowUp.objects.filter(
                assigned_to=user, done_at__isnull=True, due_on__lte=today, case__phase__in=OPEN_PHASES
            ),
            user,
            case_path="case__",
        )
        .order_by("due_on", "pk")
        .values_list("due_on", "case_id", "case__reference")[:100]
    )
    horizon = today + dt.timedelta(weeks=settings.KIM_RESIDENCE_WARNING_WEEKS)
    deadlines = (
        open_cases.filter(
            case_manager=user,
            client__residence_status__in=EXPIRING_RESIDENCE_STATUSES,
            client__residence_valid_until__lte=horizon,
        )
        .order_by("client__residence_valid_until")
        .values_list("client__residence_valid_until", "pk", "reference")[:100]
    )
    waiting_since = today - dt.timedelta(days=settings.KIM_REMINDER_REFERRAL_DAYS)
    referrals = (
        Referral.objects.filter(
            case__in=open_cases.filter(case_manager=user),
            status=ReferralStatus.REFERRED,
            referred_on__lte=waiting_since,
        )
        .order_by("referred_on", "pk")
        .values_list("referred_on", "case_id", "case__reference")[:100]
    )
    last = (
        DigestSent.objects.filter(user=user, day__lt=today)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    since = timezone.make_aware(dt.datetime.combine(last or today - dt.timedelta(days=1), dt.time()))
    handovers = (
        CaseAssignment.objects.filter(to_manager=user, assigned_at__gte=since, case__in=open_cases)
        .filter(~Q(assigned_by=user))
        .order_by("assigned_at")
        .values_list("assigned_at", "case_id", "case__reference")[:100]
    )
    return Digest(
        follow_ups=[
            DigestItem(
                ref,
                _link(case_id),
                _("Wiedervorlage überfällig seit %(date)s") % {"date": _date(due)}
                if due < today
                else _("Wiedervorlage heute fällig"),
            )
            for due, case_id, ref in follow_ups
        ],
        deadlines=[
            DigestItem(
                ref,
                _link(case_id),
                _("Aufenthaltsfrist abgelaufen am %(date)s") % {"date": _date(until)}
                if until < today
                else _("Aufenthaltsfrist endet am %(date)s") % {"date": _date(until)},
            )
            for until, case_id, ref in deadlines
        ],
        referrals=[
            DigestItem(
                ref, _link(case_id), _("Vermittlung vom %(date)s ohne Rückmeldung") % {"date": _date(on)}
            )
            for on, case_id, ref in referrals
        ],
        handovers=[
            DigestItem(
                ref,
                _link(case_id),
                _("an Sie übergeben am %(date)s") % {"date": _date(timezone.localtime(at).date())},
            )
            for at, case_id, ref in handovers
        ],
    )


def recipients(*, today: dt.date):
    """Active staff with an e-mail address whose settings ask for a digest on `today`."""
    weekday = str(today.weekday())
    opted_out = ReminderSettings.objects.filter(Q(enabled=False) | ~Q(weekdays__contains=weekday))
    return (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .exclude(pk__in=opted_out.values("user_id"))
        .order_by("pk")
    )


def digest_send(*, user: User, today: dt.date) -> bool:
    """Send the user's digest of `today` unless there is nothing to say or it was sent already."""
    digest = digest_for(user, today=today)
    if not digest.count:
        return False
    try:
        with transaction.atomic():
            sent = DigestSent.objects.create(user=user, day=today, items=digest.count)
    except IntegrityError:
        return False  # another run sent it
    context = {
        "digest": digest,
        "today": _date(today),
        "settings_url": settings.KIM_BASE_URL + reverse("reminders:settings"),
    }
    try:
        send_mail(
            subject=_("KIM: %(count)d Erinnerungen für %(date)s")
            % {"count": digest.count, "date": _date(today)},
            message=render_to_string("reminders/digest.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
    except Exception:
        # Not sent: forget the mark, so the next run tries again. No address in the log.
        sent.delete()
        logger.exception("Reminder digest for user %s could not be sent", user.pk)
        raise
    return True


def digests_send(*, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    counts = {"sent": 0, "nothing": 0, "failed": 0}
    for user in recipients(today=today):
        try:
            counts["sent" if digest_send(user=user, today=today) else "nothing"] += 1
        except Exception:
            counts["failed"] += 1
    return counts
