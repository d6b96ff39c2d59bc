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
from casework.selectors import dashboard_for

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


def _date(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


def _link(detail_url: str) -> str:
    return settings.KIM_BASE_URL + detail_url


def digest_for(user: User, *, today: dt.date | None = None) -> Digest:
    """What the user's digest lists: what Mein Arbeitsplatz shows as due (the same selector,
    so the mail and the page never disagree), reduced to dates, references and links. The
    page's texts (a follow-up's title, a household member's name, who handed a case over, the
    actor) stay out of the mail."""
    today = today or timezone.localdate()
    board = dashboard_for(user)
    return Digest(
        follow_ups=[
            DigestItem(
                item.case.reference,
                _link(item.case.detail_url),
                _("Wiedervorlage überfällig seit %(date)s") % {"date": _date(item.due_on)}
                if item.due_on < today
                else _("Wiedervorlage heute fällig"),
            )
            for item in board["due"]
        ],
        deadlines=[
            DigestItem(
                item.case.reference,
                _link(item.case.detail_url),
                _("Aufenthaltsfrist abgelaufen am %(date)s") % {"date": _date(item.due_on)}
                if item.due_on < today
                else _("Aufenthaltsfrist endet am %(date)s") % {"date": _date(item.due_on)},
            )
            for item in board["deadlines"]
        ],
        referrals=[
            DigestItem(
                item.case.reference,
                _link(item.case.detail_url),
                _("Vermittlung vom %(date)s ohne Rückmeldung") % {"date": item.referred_on_text},
            )
            for item in board["unanswered_referrals"]
        ],
        handovers=[
            DigestItem(
                item.case.reference,
                _link(item.case.detail_url),
                _("an Sie übergeben am %(date)s, noch nicht geöffnet") % {"date": item.on_text},
            )
            for item in board["taken_over"]
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
