"""Reads for Mein Arbeitsplatz: the user's cases, due items and recent contacts."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Count,
    Q,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import (
    restrict_cases,
)
from kim.links import UrlForPks

from ..lifecycle import OPEN_PHASES, Phase
from ..models import (
    EXPIRING_RESIDENCE_STATUSES,
    Case,
    CaseAssignment,
    Client,
    Contact,
    FollowUp,
    Referral,
    ReferralStatus,
)
from ..names import person_name
from ..timeline import as_date, case_timeline, choice_labels  # noqa: F401 (the case page reads case_timeline here)
from .cases import case_subject_name, my_open_cases, residence_warning_days


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


@dataclass(frozen=True, slots=True)
class TakenOver:
    """A case handed to the user that they have not opened since ("neu übernommen")."""

    case: DashboardCase
    on_text: str
    from_name: str


@dataclass(frozen=True, slots=True)
class UnansweredReferral:
    """A referral still waiting for its Rückmeldung."""

    pk: int
    actor: str
    referred_on_text: str
    days: int
    case: DashboardCase


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
            # A follow-up handed on when its case was closed stays on the receiver's list.
            FollowUp.objects.filter(
                Q(case__phase__in=OPEN_PHASES) | Q(continues_after_closing=True),
                assigned_to=user,
                done_at__isnull=True,
                due_on__lte=today,
            ),
            user,
            case_path="case__",
        )
        .order_by("due_on", "pk")
        .values_list("pk", "due_on", "title", "case_id")[:100]
    )
    horizon = today + dt.timedelta(days=residence_warning_days())
    # The client's deadline, or every household member's (Client.client_residence_expiry_idx),
    # in one read: a household case gives a row per member whose title runs out.
    expiring = list(
        my_open.filter(
            Q(
                client__residence_status__in=EXPIRING_RESIDENCE_STATUSES,
                client__residence_valid_until__lte=horizon,
            )
            | Q(
                household__members__residence_status__in=EXPIRING_RESIDENCE_STATUSES,
                household__members__residence_valid_until__lte=horizon,
            )
        )
        .annotate(
            valid_until=Coalesce(
                "client__residence_valid_until", "household__members__residence_valid_until"
            ),
            status=Coalesce("client__residence_status", "household__members__residence_status"),
        )
        .order_by("valid_until", "pk")
        .values_list(
            "valid_until",
            "status",
            "household__members__first_name",
            "household__members__last_name",
            "pk",
        )[:100]
    )
    # Cases handed to the user that they have not opened since: "neu übernommen".
    taken_over = list(
        CaseAssignment.objects.filter(to_manager=user, seen_at__isnull=True, case__case_manager=user)
        .order_by("-assigned_at", "-pk")
        .values_list(
            "assigned_at",
            "from_manager__first_name",
            "from_manager__last_name",
            "from_manager__username",
            "case_id",
        )[:50]
    )
    # Referrals still "vermittelt" after the configured days: no Rückmeldung yet.
    waited_since = today - dt.timedelta(days=settings.KIM_REFERRAL_RESPONSE_DAYS)
    unanswered = list(
        restrict_cases(
            Referral.objects.filter(
                case__case_manager=user,
                case__phase__in=OPEN_PHASES,
                status=ReferralStatus.REFERRED,
                referred_on__lte=waited_since,
            ),
            user,
            case_path="case__",
        )
        .order_by("referred_on", "pk")
        .values_list("pk", "actor__name", "referred_on", "case_id")[:100]
    )
    contacts = list(
        restrict_cases(Contact.objects.filter(created_by=user), user, case_path="case__")
        .order_by("-contacted_on", "-pk")
        .values_list("contacted_on", "channel", "case_id")[:10]
    )
    elsewhere = {row[-1] for row in follow_ups + expiring + contacts + taken_over + unanswered} - cases.keys()
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
                (f"{first_name} {last_name}: " if first_name is not None else "")
                + expires % {"status": statuses.get(status, status)},
                cases[case_id],
                valid_until < today,
            )
            for valid_until, status, first_name, last_name, case_id in expiring
        ],
        "taken_over": [
            TakenOver(cases[case_id], f"{timezone.localtime(at):%d.%m.%Y}", person_name(*previous))
            for at, *previous, case_id in taken_over
        ],
        "unanswered_referrals": [
            UnansweredReferral(pk, actor, f"{on:%d.%m.%Y}", (today - on).days, cases[case_id])
            for pk, actor, on, case_id in unanswered
        ],
        "recent_contacts": [
            RecentContact(contacted_on, channels.get(channel, channel), cases[case_id])
            for contacted_on, channel, case_id in contacts
        ],
    }
