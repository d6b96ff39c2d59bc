"""Every write of the structural app: barriers, themes and their decisions, case conferences.

Each service validates with `full_clean()` and runs in one transaction. Writes that touch a
case (a barrier, a conference, a goal or follow-up taken from a conference) leave an audit
entry; themes are no case data, their history is the decision log itself.
"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from casework import services as casework_services
from casework.models import Case, FollowUp, Goal
from regions.models import District

from .models import Barrier, CaseConference, Theme, ThemeDecision

MERGE_INTO_ITSELF = _("Ein Thema kann nicht mit sich selbst zusammengeführt werden.")
MERGE_ACROSS_DISTRICTS = _("Nur Themen desselben Kreises lassen sich zusammenführen.")
SAME_STEP = _("Das Thema steht bereits auf dieser Stufe.")
BARRIER_FIELDS = frozenset({"actor", "legal_framework", "topic", "description"})
THEME_FIELDS = frozenset({"title", "description"})


@transaction.atomic
def barrier_create(*, case: Case, by: User | None, **fields) -> Barrier:
    unknown = set(fields) - BARRIER_FIELDS
    if unknown:
        raise TypeError(f"barrier_create() got unexpected fields: {', '.join(sorted(unknown))}")
    fields["description"] = (fields.get("description") or "").strip()
    barrier = Barrier(case=case, created_by=by, **fields)
    barrier.full_clean()
    barrier.save()
    audit_record(user=by, action=Action.CREATE, obj=barrier)
    return barrier


@transaction.atomic
def theme_create(*, district: District, by: User | None, title: str, description: str = "") -> Theme:
    theme = Theme(district=district, title=title.strip(), description=description.strip())
    theme.full_clean()
    theme.save()
    ThemeDecision.objects.create(
        theme=theme, step=theme.status, decided_on=timezone.localdate(), text="", recorded_by=by
    )
    return theme


@transaction.atomic
def theme_update(*, theme: Theme, by: User | None, **fields) -> Theme:
    """Rename or describe a theme."""
    unknown = set(fields) - THEME_FIELDS
    if unknown:
        raise TypeError(f"theme_update() got unexpected fields: {', '.join(sorted(unknown))}")
    theme = Theme.objects.select_for_update().get(pk=theme.pk)
    for name, value in fields.items():
        setattr(theme, name, value.strip())
    theme.full_clean()
    theme.save()
    return theme


@transaction.atomic
def theme_change_status(
    *, theme: Theme, by: User | None, status: str, decided_on: dt.date | None = None, text: str = ""
) -> ThemeDecision:
    """Move a theme to an escalation step and log, dated, what the body decided."""
    theme = Theme.objects.select_for_update().get(pk=theme.pk)
    if theme.status == status and not text.strip():
        raise ValidationError({"status": SAME_STEP})
    decision = ThemeDecision(
        theme=theme,
        step=status,
        decided_on=decided_on or timezone.localdate(),
        text=text.strip(),
        recorded_by=by,
    )
    decision.full_clean()
    theme.status = status
    theme.full_clean()
    theme.save(update_fields=["status", "updated_at"])
    decision.save()
    return decision


@transaction.atomic
def barriers_assign(*, barriers: Iterable[Barrier], theme: Theme | None, by: User | None) -> int:
    """Gather barriers into a theme (or take them out of any with `theme=None`)."""
    moved = 0
    ids = [b.pk for b in barriers]
    for barrier in Barrier.objects.select_for_update().select_related("case").filter(pk__in=ids):
        before = barrier.theme_id
        barrier.theme = theme
        barrier.full_clean()
        if before == barrier.theme_id:
            continue
        barrier.save(update_fields=["theme", "updated_at"])
        audit_record(user=by, action=Action.CHANGE, obj=barrier, fields=["theme"])
        moved += 1
    return moved


@transaction.atomic
def theme_merge(*, into: Theme, merged: Theme, by: User | None) -> Theme:
    """Move every barrier and every decision of `merged` into `into`, then delete `merged`."""
    if into.pk == merged.pk:
        raise ValidationError(MERGE_INTO_ITSELF)
    # Lock both rows in a fixed order, so two merges of the same pair cannot deadlock.
    locked = {
        t.pk: t for t in Theme.objects.select_for_update().filter(pk__in=[into.pk, merged.pk]).order_by("pk")
    }
    into, merged = locked[into.pk], locked[merged.pk]
    if into.district_id != merged.district_id:
        raise ValidationError(MERGE_ACROSS_DISTRICTS)
    now = timezone.now()
    Barrier.objects.filter(theme=merged).update(theme=into, updated_at=now)
    # The merged theme's history stays readable in the surviving theme's log.
    ThemeDecision.objects.filter(theme=merged).update(theme=into)
    ThemeDecision.objects.create(
        theme=into,
        step=into.status,
        decided_on=timezone.localdate(),
        text=str(_("Zusammengeführt mit „%(title)s“.") % {"title": merged.title}),
        recorded_by=by,
    )
    if not into.description and merged.description:
        into.description = merged.description
    into.save()
    merged.delete()
    return into


@transaction.atomic
def conference_create(*, case: Case, by: User | None, **fields) -> CaseConference:
    case.ensure_accepts_entries()
    conference = CaseConference(case=case, created_by=by, **fields)
    conference.full_clean()
    conference.save()
    audit_record(user=by, action=Action.CREATE, obj=conference)
    return conference


def _from_conference(conference: CaseConference) -> str:
    return str(_("Beschluss der Fallkonferenz vom %(date)s") % {"date": f"{conference.held_on:%d.%m.%Y}"})


@transaction.atomic
def conference_decision_to_goal(
    *, conference: CaseConference, by: User | None, title: str, target_date: dt.date | None = None
) -> Goal:
    """Take a decision of a conference into the case plan as a goal (casework.services writes it)."""
    return casework_services.goal_create(
        case=conference.case,
        by=by,
        title=title,
        target_date=target_date,
        description=_from_conference(conference),
    )


@transaction.atomic
def conference_decision_to_follow_up(
    *, conference: CaseConference, by: User | None, title: str, due_on: dt.date
) -> FollowUp:
    """Take a decision of a conference into the case plan as a follow-up."""
    return casework_services.follow_up_create(case=conference.case, by=by, title=title, due_on=due_on)
