"""Every write to casework data goes through a function here.

Each service validates with `full_clean()` and runs in one transaction, so a
failure leaves nothing half-written. Views, forms and the admin stay free of
business rules.
"""

import copy
import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.models import Action
from audit.services import audit_record, audit_record_many, changed_fields
from regions.models import District, Municipality

from . import calendar
from .concurrency import ConcurrentEditError as ConcurrentEditError  # re-exported for callers
from .concurrency import bump_version, check_version
from .documents import document_storage, store_document_file
from .lifecycle import (
    ACTIVE_PHASES,
    CLOSED_BEFORE_LAST_ENTRY,
    CLOSED_BEFORE_OPENED,
    CLOSED_IN_FUTURE,
    CLOSING_NEEDS_DATE,
    CLOSING_NEEDS_REASON,
    EVALUATION_NEEDS_OUTCOME,
    FOLLOW_UP_NEEDS_DECISION,
    GOAL_NEEDS_RESULT,
    Phase,
    check_transition,
)
from .models import (
    CONTACT_PERSON_OF_OTHER_ACTOR,
    DATE_IN_FUTURE,
    Actor,
    Appointment,
    CalendarFeed,
    Case,
    CaseAssignment,
    Client,
    ClosureReason,
    Consent,
    Contact,
    ContactPerson,
    Document,
    FollowUp,
    Goal,
    GoalStatus,
    GoalStatusChange,
    Household,
    HouseholdRole,
    LegalFramework,
    PhaseChange,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
)
from .models.appointments import CHANNEL_OF_MODE, NOBODY_INVITED, validate_household_members
from .references import format_reference
from .uploads import detect_document_kind

CASE_NEEDS_SUBJECT = "Ein Fall gehört entweder zu einer Person oder zu einem Haushalt."
SAME_CASE_MANAGER = "Der Fall ist dieser Person bereits zugewiesen."


def _next_case_sequence(*, district: District, year: int) -> int:
    """The next free number for the district and year.

    Locking the district row serialises concurrent openings within one district,
    so two cases never get the same number; the unique constraint backs this up.
    """
    District.objects.select_for_update().filter(pk=district.pk).first()
    current = Case.objects.filter(district=district, year=year).aggregate(m=Max("sequence"))["m"]
    return (current or 0) + 1


@transaction.atomic
def case_open(
    *,
    by: User | None,
    municipality: Municipality,
    client: Client | None = None,
    household: Household | None = None,
    case_manager: User | None = None,
    opened_on: dt.date | None = None,
    legal_frameworks: Iterable[LegalFramework] = (),
) -> Case:
    if (client is None) == (household is None):
        raise ValidationError(CASE_NEEDS_SUBJECT)
    opened_on = opened_on or timezone.localdate()
    district = municipality.region.district
    sequence = _next_case_sequence(district=district, year=opened_on.year)
    case = Case(
        district=district,
        year=opened_on.year,
        sequence=sequence,
        reference=format_reference(district, opened_on.year, sequence),
        client=client,
        household=household,
        municipality=municipality,
        case_manager=case_manager,
        opened_on=opened_on,
        phase=Phase.INTAKE,
    )
    case.full_clean()
    case.save()
    case.set_legal_frameworks(legal_frameworks)
    PhaseChange.objects.create(case=case, from_phase="", to_phase=Phase.INTAKE, changed_by=by)
    if case_manager is not None:
        CaseAssignment.objects.create(case=case, to_manager=case_manager, assigned_by=by)
    audit_record(user=by, action=Action.CREATE, obj=case)
    return case


def _lock_case(case: Case, expected_version: int | None = None) -> Case:
    """Re-read the case under a row lock, so concurrent writes see its current phase.

    With `expected_version` (from an edit form), a case saved by someone else since the
    form was loaded is refused with `ConcurrentEditError`."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    check_version(locked, expected_version)
    return locked


@transaction.atomic
def case_change_phase(
    *,
    case: Case,
    to_phase: str,
    by: User | None,
    closed_on: dt.date | None = None,
    closure_reason: ClosureReason | None = None,
    note: str = "",
    expected_version: int | None = None,
    follow_up_decisions: dict | None = None,
    goal_results: dict | None = None,
    outcome: str = "",
) -> Case:
    """Move a case to another phase.

    Entering Evaluation reviews the goals: every goal still open or in progress gets its
    result (`goal_results`: goal pk -> final status) and the outcome for the person is
    recorded (`outcome`, a ClientOutcome). Closing leaves no loose ends: each open follow-up
    is decided (`follow_up_decisions`: pk -> FOLLOW_UP_DONE, FOLLOW_UP_DROPPED or the User
    who carries it on after the closure), and each goal not yet reviewed gets its result."""
    locked = _lock_case(case, expected_version)
    before = copy.copy(locked)
    from_phase = locked.phase
    check_transition(from_phase, to_phase)
    errors: dict = {}
    if to_phase in (Phase.EVALUATION, Phase.CLOSED):
        # Checked first, applied only when the whole change is valid: all errors at once.
        review_errors, apply_review = _review_open_items(
            case=locked,
            to_phase=to_phase,
            by=by,
            follow_up_decisions=follow_up_decisions or {},
            goal_results=goal_results or {},
            outcome=outcome,
        )
        errors.update(review_errors)
    if to_phase == Phase.CLOSED:
        if closure_reason is None:
            errors["closure_reason"] = CLOSING_NEEDS_REASON
        if closed_on is None:
            errors["closed_on"] = CLOSING_NEEDS_DATE
        elif closed_on < locked.opened_on:
            errors["closed_on"] = CLOSED_BEFORE_OPENED
        elif closed_on > timezone.localdate():
            errors["closed_on"] = CLOSED_IN_FUTURE
        else:
            _first, last_entry = locked.entry_dates()
            if last_entry is not None and closed_on < last_entry:
                errors["closed_on"] = CLOSED_BEFORE_LAST_ENTRY % {"date": f"{last_entry:%d.%m.%Y}"}
    if errors:
        raise ValidationError(errors)
    if to_phase in (Phase.EVALUATION, Phase.CLOSED):
        apply_review()
    if to_phase == Phase.CLOSED:
        locked.closed_on, locked.closure_reason = closed_on, closure_reason
    else:
        # Re-opening keeps the earlier closure in the phase history only.
        locked.closed_on, locked.closure_reason = None, None
    locked.phase = to_phase
    bump_version(locked)
    locked.full_clean()
    locked.save(update_fields=["phase", "closed_on", "closure_reason", "version", "updated_at"])
    PhaseChange.objects.create(
        case=locked,
        from_phase=from_phase,
        to_phase=to_phase,
        changed_by=by,
        closure_reason=closure_reason if to_phase == Phase.CLOSED else None,
        note=note,
        outcome=outcome if to_phase in (Phase.EVALUATION, Phase.CLOSED) else "",
    )
    audit_record(
        user=by,
        action=Action.CHANGE,
        obj=locked,
        fields=changed_fields(before, locked, ["phase", "closed_on", "closure_reason"]),
    )
    case.phase, case.closed_on, case.closure_reason = locked.phase, locked.closed_on, locked.closure_reason
    case.version = locked.version
    return case


FOLLOW_UP_DONE = "done"
FOLLOW_UP_DROPPED = "dropped"
# The final results a goal may be given in the review (evaluation or closing).
GOAL_RESULTS = (GoalStatus.ACHIEVED, GoalStatus.PARTLY_ACHIEVED, GoalStatus.NOT_ACHIEVED, GoalStatus.DROPPED)
UNREVIEWED_GOAL_STATUSES = (GoalStatus.OPEN, GoalStatus.IN_PROGRESS)


def open_follow_ups_of(case: Case) -> models.QuerySet[FollowUp]:
    return FollowUp.objects.filter(case=case, done_at__isnull=True).order_by("due_on", "pk")


def unreviewed_goals_of(case: Case) -> models.QuerySet[Goal]:
    return Goal.objects.filter(case=case, status__in=UNREVIEWED_GOAL_STATUSES).order_by("created_at", "pk")


def _review_open_items(
    *, case: Case, to_phase: str, by: User | None, follow_up_decisions: dict, goal_results: dict, outcome: str
):
    """The goal review and, on closing, the decision on every open follow-up, all or nothing:
    returns the errors (a missing decision, at the item's form field) and the function that
    writes the review once the phase change as a whole is valid."""
    errors: dict[str, list] = {}
    goals = list(unreviewed_goals_of(case))
    for goal in goals:
        if goal_results.get(goal.pk) not in GOAL_RESULTS:
            errors[f"goal_{goal.pk}"] = [GOAL_NEEDS_RESULT % {"goal": goal.title}]
    follow_ups = list(open_follow_ups_of(case)) if to_phase == Phase.CLOSED else []
    for follow_up in follow_ups:
        decision = follow_up_decisions.get(follow_up.pk)
        if decision not in (FOLLOW_UP_DONE, FOLLOW_UP_DROPPED) and not isinstance(decision, User):
            errors[f"follow_up_{follow_up.pk}"] = [FOLLOW_UP_NEEDS_DECISION % {"title": follow_up.title}]
    if to_phase == Phase.EVALUATION and not outcome:
        errors["outcome"] = [EVALUATION_NEEDS_OUTCOME]
    return errors, lambda: _apply_review(
        by=by,
        goals=goals,
        goal_results=goal_results,
        follow_ups=follow_ups,
        follow_up_decisions=follow_up_decisions,
    )


def _apply_review(*, by, goals, goal_results, follow_ups, follow_up_decisions) -> None:
    for goal in goals:
        goal_set_status(goal=goal, status=goal_results[goal.pk], by=by)
    now = timezone.now()
    for follow_up in follow_ups:
        decision = follow_up_decisions[follow_up.pk]
        if isinstance(decision, User):
            # Carried on by this person after the closure: it stays on their Mein Arbeitsplatz.
            follow_up.assigned_to, follow_up.continues_after_closing = decision, True
            fields = ["assigned_to", "continues_after_closing"]
        else:
            follow_up.done_at, follow_up.done_by = now, by
            follow_up.dropped = decision == FOLLOW_UP_DROPPED
            fields = ["done_at", "done_by", "dropped"]
        follow_up.save(update_fields=[*fields, "updated_at"])
        audit_record(user=by, action=Action.CHANGE, obj=follow_up, fields=fields)


@transaction.atomic
def case_reassign(
    *,
    case: Case,
    to_manager: User | None,
    by: User | None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    locked = _lock_case(case, expected_version)
    if locked.case_manager_id == (to_manager.pk if to_manager else None):
        raise ValidationError({"to_manager": SAME_CASE_MANAGER})
    CaseAssignment.objects.create(
        case=locked, from_manager=locked.case_manager, to_manager=to_manager, assigned_by=by, note=note
    )
    locked.case_manager = to_manager
    bump_version(locked)
    locked.save(update_fields=["case_manager", "version", "updated_at"])
    audit_record(user=by, action=Action.CHANGE, obj=locked, fields=["case_manager"])
    if to_manager is not None:
        # The work goes with the case: its open follow-ups now belong to the new case manager
        # (done ones keep who did them). Without a new case manager they stay where they are,
        # so that somebody still sees them.
        moving = list(
            FollowUp.objects.filter(case=locked, done_at__isnull=True).exclude(assigned_to=to_manager)
        )
        if moving:
            FollowUp.objects.filter(pk__in=[f.pk for f in moving]).update(
                assigned_to=to_manager, updated_at=timezone.now()
            )
            audit_record_many(user=by, action=Action.CHANGE, objs=moving, detail="assigned_to")
    case.case_manager, case.version = to_manager, locked.version
    return case


def case_handover_seen(*, case: Case, user: User) -> int:
    """The new case manager opened the case: it is no longer "neu übernommen" for them."""
    if case.case_manager_id != user.pk:
        return 0
    return CaseAssignment.objects.filter(case=case, to_manager=user, seen_at__isnull=True).update(
        seen_at=timezone.now()
    )


@transaction.atomic
def cases_reassign(
    *, cases: models.QuerySet[Case], to_manager: User | None, by: User | None, note: str = ""
) -> list[Case]:
    """Hand many cases over at once (a case manager leaves); each handover is recorded, and
    each case's open follow-ups go with it. Returns the cases handed over."""
    moved = []
    for case in cases.select_for_update(of=("self",)).select_related("case_manager").order_by("pk"):
        if case.case_manager_id == (to_manager.pk if to_manager else None):
            continue
        moved.append(case_reassign(case=case, to_manager=to_manager, by=by, note=note))
    return moved


def active_case_count(user: User) -> int:
    """The cases a person works on now (Zugang to Evaluation): their load."""
    return Case.objects.filter(case_manager=user, phase__in=ACTIVE_PHASES).count()


def _create_entry(model, *, case: Case, by: User | None, m2m: dict | None = None, **fields):
    """Create something inside a case, refusing it if the case is (now) closed."""
    locked = _lock_case(case)
    entry = model(case=locked, created_by=by, **fields)
    entry.full_clean()
    entry.save()
    for name, values in (m2m or {}).items():
        getattr(entry, name).set(values)
    audit_record(user=by, action=Action.CREATE, obj=entry)
    return entry


@transaction.atomic
def contact_create(*, case: Case, by: User | None, topics: Iterable = (), **fields) -> Contact:
    return _create_entry(Contact, case=case, by=by, m2m={"topics": topics}, **fields)


@transaction.atomic
def goal_create(*, case: Case, by: User | None, **fields) -> Goal:
    goal = _create_entry(Goal, case=case, by=by, **fields)
    GoalStatusChange.objects.create(goal=goal, from_status="", to_status=goal.status, changed_by=by)
    return goal


@transaction.atomic
def goal_set_status(*, goal: Goal, status: str, by: User | None, expected_version: int | None = None) -> Goal:
    goal = Goal.objects.select_for_update().select_related("case").get(pk=goal.pk)
    check_version(goal, expected_version)
    goal.case.ensure_accepts_entries()
    if goal.status == status:
        return goal
    previous = goal.status
    goal.status = status
    bump_version(goal)
    goal.full_clean()
    goal.save(update_fields=["status", "version", "updated_at"])
    GoalStatusChange.objects.create(goal=goal, from_status=previous, to_status=status, changed_by=by)
    audit_record(user=by, action=Action.CHANGE, obj=goal, fields=["status"])
    return goal


@transaction.atomic
def referral_create(
    *,
    case: Case,
    by: User | None,
    actor: Actor,
    consent: Consent | None = None,
    data_categories: Iterable = (),
    **fields,
) -> Referral:
    """Record a referral. Passing data needs a consent or a legal basis (casework/consent.py):
    `full_clean()` checks it through `Referral.clean()`, and a consent must cover each data
    category passed on (`check_referral_categories`). The consent is read under a row lock,
    so a withdrawal at the same moment is either seen by that check or waits for this write."""
    from .consent import check_referral_categories

    data_categories = list(data_categories)
    if consent is not None:
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
    check_referral_categories(
        actor=actor,
        consent=consent,
        data_categories=data_categories,
    )
    return _create_entry(
        Referral,
        case=case,
        by=by,
        actor=actor,
        consent=consent,
        m2m={"data_categories": data_categories},
        **fields,
    )


REFERRAL_SAME_STATUS = _("Die Vermittlung hat bereits den Status „%(status)s“.")
REFERRAL_STATUS_NOT_ALLOWED = _("Von „%(from)s“ kann die Vermittlung nicht nach „%(to)s“ wechseln.")
RESPONSE_BEFORE_REFERRAL = _("Die Rückmeldung kann nicht vor der Vermittlung (%(date)s) liegen.")
# A Rückmeldung: the receiving service took the person on or declined, the person broke off,
# or the support there ended.
RESPONSE_STATUSES = (
    ReferralStatus.TAKEN_UP,
    ReferralStatus.DECLINED,
    ReferralStatus.CANCELLED,
    ReferralStatus.COMPLETED,
)
# Where a referral may go from: "geplant" is made or dropped; "vermittelt" gets its
# Rückmeldung; a taken-up referral ends (abgeschlossen) or breaks off. Declined, cancelled
# and completed are final (a new attempt is a new referral).
REFERRAL_TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralStatus.PLANNED: frozenset(
        {ReferralStatus.REFERRED, ReferralStatus.TAKEN_UP, ReferralStatus.DECLINED, ReferralStatus.CANCELLED}
    ),
    ReferralStatus.REFERRED: frozenset(RESPONSE_STATUSES),
    ReferralStatus.TAKEN_UP: frozenset({ReferralStatus.CANCELLED, ReferralStatus.COMPLETED}),
    ReferralStatus.DECLINED: frozenset(),
    ReferralStatus.CANCELLED: frozenset(),
    ReferralStatus.COMPLETED: frozenset(),
}


def referral_next_statuses(status: str) -> list[str]:
    allowed = REFERRAL_TRANSITIONS.get(status, frozenset())
    return [value for value, _label in ReferralStatus.choices if value in allowed]


@transaction.atomic
def referral_set_status(
    *,
    referral: Referral,
    status: str,
    by: User | None,
    on: dt.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Referral:
    """Record a referral's Rückmeldung or next step: the new status, its date, the outcome
    note and who recorded it, kept as a ReferralStatusChange for the timeline. The first
    response date is kept on the referral (`responded_on`) for the statistics' time to response."""
    locked = Referral.objects.select_for_update().select_related("case", "actor").get(pk=referral.pk)
    check_version(locked, expected_version)
    locked.case.ensure_accepts_entries()
    on = on or timezone.localdate()
    labels = dict(ReferralStatus.choices)
    if locked.status == status:
        raise ValidationError({"status": REFERRAL_SAME_STATUS % {"status": labels[status]}})
    if status not in REFERRAL_TRANSITIONS.get(locked.status, ()):
        raise ValidationError(
            {"status": REFERRAL_STATUS_NOT_ALLOWED % {"from": labels[locked.status], "to": labels[status]}}
        )
    if on > timezone.localdate():
        raise ValidationError({"changed_on": DATE_IN_FUTURE})
    if on < locked.referred_on:
        raise ValidationError(
            {"changed_on": RESPONSE_BEFORE_REFERRAL % {"date": f"{locked.referred_on:%d.%m.%Y}"}}
        )
    locked.case.check_entry_date("changed_on", on)
    previous = locked.status
    locked.status = status
    fields = ["status"]
    if status in RESPONSE_STATUSES and locked.responded_on is None:
        locked.responded_on = on
        fields.append("responded_on")
    if note:
        locked.outcome = f"{locked.outcome}\n{note}".strip() if locked.outcome else note
        fields.append("outcome")
    bump_version(locked)
    locked.full_clean()  # a planned referral now made needs its consent or legal basis
    locked.save(update_fields=[*fields, "version", "updated_at"])
    ReferralStatusChange.objects.create(
        referral=locked, from_status=previous, to_status=status, changed_on=on, note=note, changed_by=by
    )
    audit_record(user=by, action=Action.CHANGE, obj=locked, fields=fields)
    return locked


@transaction.atomic
def follow_up_create(*, case: Case, by: User | None, **fields) -> FollowUp:
    fields.setdefault("assigned_to", case.case_manager or by)
    return _create_entry(FollowUp, case=case, by=by, **fields)


@transaction.atomic
def follow_up_complete(*, follow_up: FollowUp, by: User | None) -> FollowUp:
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.done_at is None:
        follow_up.done_at, follow_up.done_by = timezone.now(), by
        follow_up.save(update_fields=["done_at", "done_by", "updated_at"])
        audit_record(user=by, action=Action.CHANGE, obj=follow_up, fields=["done_at", "done_by"])
    return follow_up


@transaction.atomic
def follow_up_reopen(*, follow_up: FollowUp, by: User | None) -> FollowUp:
    """Undo "erledigt": the follow-up is open again, due as before."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.done_at is not None:
        follow_up.done_at, follow_up.done_by = None, None
        follow_up.save(update_fields=["done_at", "done_by", "updated_at"])
        audit_record(user=by, action=Action.CHANGE, obj=follow_up, fields=["done_at", "done_by"])
    return follow_up


def document_upload(*, case: Case, by: User | None, title: str, file) -> Document:
    """Store the file, then its row; a failed transaction removes the file again.

    What no exception reaches (a killed process, an enclosing transaction rolled back later)
    leaves a file without a row, which casework.documents.sweep_orphan_documents() removes.
    """
    # Detected from the content; the browser's claim is never stored (casework/uploads.py).
    kind = detect_document_kind(file)
    name = store_document_file(case=case, upload=file)
    try:
        with transaction.atomic():
            return _create_entry(
                Document,
                case=case,
                by=by,
                title=title,
                file=name,
                original_filename=getattr(file, "name", "")[:255],
                content_type=kind.mime,
                size=getattr(file, "size", 0) or 0,
            )
    except BaseException:
        document_storage().delete(name)
        raise


@transaction.atomic
def consent_create(
    *, case: Case, by: User | None, actors: Iterable = (), data_categories: Iterable = (), **fields
) -> Consent:
    return _create_entry(
        Consent,
        case=case,
        by=by,
        m2m={"actors": actors, "data_categories": data_categories},
        **fields,
    )


@transaction.atomic
def client_create(
    *, by: User | None = None, legal_frameworks: Iterable[LegalFramework] = (), **fields
) -> Client:
    client = Client(**fields)
    client.full_clean()
    client.save()
    client.legal_frameworks.set(legal_frameworks)
    audit_record(user=by, action=Action.CREATE, obj=client)
    return client


@transaction.atomic
def household_create(
    *, name: str, municipality: Municipality, members: Iterable[dict] = (), by: User | None = None
) -> Household:
    """A household with its members, created together or not at all."""
    household = Household(name=name, municipality=municipality)
    household.full_clean()
    household.save()
    audit_record(user=by, action=Action.CREATE, obj=household)
    for member in members:
        member = dict(member)
        member.setdefault("municipality", municipality)
        client_create(by=by, household=household, **member)
    return household


# --- Clients (registering and editing through the browser) ---------------------------

CLIENT_FIELDS_NOT_EDITABLE = frozenset(
    {"id", "pk", "household", "household_role", "external_id", "anonymised_at"}
)


@transaction.atomic
def client_register(
    *,
    by: User | None,
    client_fields: dict,
    legal_frameworks: Iterable[LegalFramework] = (),
    members: Iterable[dict] = (),
) -> Client:
    """Register a client, and with members a household „Familie <Nachname>“ headed by the client.

    Members are dicts of first_name, last_name, date_of_birth and household_role; an empty
    last name means the client's. Everything is written together or not at all.
    """
    client = client_create(by=by, legal_frameworks=legal_frameworks, **client_fields)
    members = [dict(member) for member in members]
    if members:
        for member in members:
            member["last_name"] = member.get("last_name") or client.last_name
            member.setdefault("street", client.street)
            member.setdefault("postal_code", client.postal_code)
        household = household_create(
            name=f"Familie {client.last_name}", municipality=client.municipality, members=members, by=by
        )
        client.household, client.household_role = household, HouseholdRole.HEAD
        client.full_clean()
        client.save(update_fields=["household", "household_role", "updated_at"])
    return client


@transaction.atomic
def client_update(
    *,
    client: Client,
    by: User | None,
    legal_frameworks: Iterable[LegalFramework] | None = None,
    expected_version: int | None = None,
    **fields,
) -> Client:
    """Change a client's data; legal frameworks are replaced when given.

    With `expected_version` (from the edit form), a client saved by someone else since the
    form was loaded is refused with `ConcurrentEditError` and nothing is written."""
    unknown = set(fields) & (CLIENT_FIELDS_NOT_EDITABLE | {"version"})
    if unknown:
        raise ValueError(f"client_update cannot change {sorted(unknown)}")
    locked = Client.objects.select_for_update().get(pk=client.pk)
    check_version(locked, expected_version)
    before = copy.copy(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    bump_version(locked)
    locked.full_clean()
    locked.save()
    changed = changed_fields(before, locked, fields)
    if legal_frameworks is not None:
        previous = set(locked.legal_frameworks.values_list("pk", flat=True))
        locked.legal_frameworks.set(legal_frameworks)
        if previous != {framework.pk for framework in legal_frameworks}:
            changed.append("legal_frameworks")
    # The names of the changed fields only: the values are the client's personal data.
    audit_record(user=by, action=Action.CHANGE, obj=locked, fields=changed)
    return locked


# --- The network directory -------------------------------------------------------------

ACTOR_NEEDS_DISTRICT = _(
    "Bitte wählen Sie mindestens eine Kommune aus: Ihr Konto gehört zu keinem Kreis, "
    "daher wird der Kreis des Akteurs aus der ersten Kommune übernommen."
)
USER_WITHOUT_DISTRICT = _("Ihrem Konto ist kein Kreis zugeordnet. Bitte wenden Sie sich an die Verwaltung.")
MUNICIPALITY_OUTSIDE_ACTOR_DISTRICT = _("%(municipality)s gehört nicht zu %(district)s.")
ACTOR_EDITABLE_FIELDS = frozenset(
    {
        "name",
        "actor_type",
        "street",
        "postal_code",
        "city",
        "phone",
        "email",
        "website",
        "description",
        "is_active",
    }
)
CONTACT_PERSON_FIELDS = frozenset({"name", "role", "phone", "email", "is_active"})


def _actor_district(*, by: User | None, municipalities: list[Municipality]) -> District:
    """The district a new actor belongs to: the author's; for a superuser without one,
    the district of the first municipality chosen."""
    if by is not None and by.district_id:
        return by.district
    if by is None or by.is_superuser:
        if municipalities:
            return municipalities[0].region.district
        raise ValidationError({"municipalities": ACTOR_NEEDS_DISTRICT})
    raise ValidationError(USER_WITHOUT_DISTRICT)


def _check_actor_municipalities(actor: Actor, municipalities: list[Municipality]) -> None:
    outside = [m for m in municipalities if m.region.district_id != actor.district_id]
    if outside:
        raise ValidationError(
            {
                "municipalities": [
                    ValidationError(
                        MUNICIPALITY_OUTSIDE_ACTOR_DISTRICT,
                        params={"municipality": m.name, "district": actor.district},
                    )
                    for m in outside
                ]
            }
        )


def _check_fields(fields: dict, allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unexpected fields: {', '.join(sorted(unknown))}")


def _save_contact_persons(
    *, actor: Actor, contact_persons: Iterable[dict], removed: Iterable[ContactPerson]
) -> None:
    """Create, change and delete an actor's contact persons.

    Each dict holds the contact person's fields and, for an existing one, its `pk`.
    Only contact persons of this actor can be changed or deleted.
    """
    removed_pks = [person.pk for person in removed if person.pk]
    if removed_pks:
        if ContactPerson.objects.filter(pk__in=removed_pks).exclude(actor=actor).exists():
            raise ValidationError(CONTACT_PERSON_OF_OTHER_ACTOR)
        ContactPerson.objects.filter(actor=actor, pk__in=removed_pks).delete()
    for data in contact_persons:
        data = dict(data)
        pk = data.pop("pk", None)
        _check_fields(data, CONTACT_PERSON_FIELDS)
        if pk:
            person = ContactPerson.objects.filter(actor=actor, pk=pk).first()
            if person is None:
                raise ValidationError(CONTACT_PERSON_OF_OTHER_ACTOR)
            for name, value in data.items():
                setattr(person, name, value)
        else:
            person = ContactPerson(actor=actor, **data)
        person.full_clean()
        person.save()


@transaction.atomic
def actor_create(
    *,
    by: User | None,
    municipalities: Iterable[Municipality] = (),
    topics: Iterable = (),
    contact_persons: Iterable[dict] = (),
    **fields,
) -> Actor:
    """A new actor of the network with its contact persons, all or nothing."""
    _check_fields(fields, ACTOR_EDITABLE_FIELDS)
    municipalities = list(municipalities)
    actor = Actor(district=_actor_district(by=by, municipalities=municipalities), **fields)
    _check_actor_municipalities(actor, municipalities)
    actor.full_clean()
    actor.save()
    actor.municipalities.set(municipalities)
    actor.topics.set(topics)
    _save_contact_persons(actor=actor, contact_persons=contact_persons, removed=())
    return actor


@transaction.atomic
def actor_update(
    *,
    actor: Actor,
    by: User | None,
    municipalities: Iterable[Municipality] = (),
    topics: Iterable = (),
    contact_persons: Iterable[dict] = (),
    removed_contact_persons: Iterable[ContactPerson] = (),
    expected_version: int | None = None,
    **fields,
) -> Actor:
    """Change an actor and its contact persons together; the district stays as it is.

    With `expected_version` (from the edit form), an actor saved by someone else since the
    form was loaded is refused with `ConcurrentEditError` and nothing is written."""
    _check_fields(fields, ACTOR_EDITABLE_FIELDS)
    municipalities = list(municipalities)
    locked = Actor.objects.select_for_update().get(pk=actor.pk)
    check_version(locked, expected_version)
    before = copy.copy(locked)
    actor.version = locked.version + 1
    for name, value in fields.items():
        setattr(actor, name, value)
    _check_actor_municipalities(actor, municipalities)
    actor.full_clean()
    actor.save()
    actor.municipalities.set(municipalities)
    actor.topics.set(topics)
    _save_contact_persons(actor=actor, contact_persons=contact_persons, removed=removed_contact_persons)
    # Who changed the actor last, for the conflict message of a later concurrent edit.
    audit_record(user=by, action=Action.CHANGE, obj=actor, fields=changed_fields(before, actor, fields))
    return actor


# --- Consent -------------------------------------------------------------------------

CONSENT_ALREADY_WITHDRAWN = _("Diese Einwilligung wurde bereits am %(date)s widerrufen.")


@transaction.atomic
def consent_withdraw(*, consent: Consent, by: User | None, on: dt.date | None = None) -> Consent:
    """Record that the client withdrew a consent, effective from `on` (today by default).

    A withdrawal is always possible, on a closed case too: the client may withdraw at any
    time, and from that day on the consent covers no transfer (casework/consent.py).
    """
    from .models import WITHDRAWN_BEFORE_GIVEN

    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    on = on or timezone.localdate()
    if locked.withdrawn_on is not None:
        raise ValidationError(
            {
                "withdrawn_on": ValidationError(
                    CONSENT_ALREADY_WITHDRAWN, params={"date": f"{locked.withdrawn_on:%d.%m.%Y}"}
                )
            }
        )
    if on > timezone.localdate():
        raise ValidationError({"withdrawn_on": DATE_IN_FUTURE})
    if on < locked.given_on:
        raise ValidationError({"withdrawn_on": WITHDRAWN_BEFORE_GIVEN})
    locked.withdrawn_on = on
    locked.full_clean()
    locked.save(update_fields=["withdrawn_on", "updated_at"])
    audit_record(user=by, action=Action.CHANGE, obj=locked, fields=["withdrawn_on"])
    consent.withdrawn_on = on
    return locked


# --- Appointments (Termine) and the calendar feed --------------------------------------

APPOINTMENT_ALREADY_RECORDED = _("Dieser Termin ist schon als Kontakt erfasst.")
APPOINTMENT_NOT_YET = _(
    "Der Termin hat noch nicht begonnen; erfassen Sie ihn als Kontakt, wenn er stattgefunden hat."
)


@transaction.atomic
def appointment_create(
    *,
    case: Case,
    by: User | None,
    household_members: Iterable = (),
    assigned_to: User | None = None,
    **fields,
) -> Appointment:
    """A Termin in the calendar of the case's case manager (or of whoever makes it)."""
    household_members = list(household_members)
    validate_household_members(case, household_members)
    if not (fields.get("with_client", True) or household_members or fields.get("contact_person")):
        raise ValidationError(NOBODY_INVITED)
    return _create_entry(
        Appointment,
        case=case,
        by=by,
        assigned_to=assigned_to or case.case_manager or by,
        m2m={"household_members": household_members},
        **fields,
    )


@transaction.atomic
def appointment_record_contact(
    *, appointment: Appointment, by: User | None, duration_minutes: int | None = None
) -> Contact:
    """An appointment that took place becomes a contact in one step: date, channel, duration,
    interpreter and note are taken from it."""
    appointment = Appointment.objects.select_for_update().select_related("case").get(pk=appointment.pk)
    if appointment.contact_id is not None:
        raise ValidationError(APPOINTMENT_ALREADY_RECORDED)
    if appointment.starts_at > timezone.now():
        raise ValidationError(APPOINTMENT_NOT_YET)
    contact = contact_create(
        case=appointment.case,
        by=by,
        contacted_on=timezone.localdate(appointment.starts_at),
        channel=CHANNEL_OF_MODE[appointment.mode],
        duration_minutes=duration_minutes or appointment.duration_minutes,
        with_interpreter=bool(appointment.interpreter_language),
        note=appointment.note,
    )
    appointment.contact = contact
    appointment.save(update_fields=["contact", "updated_at"])
    audit_record(user=by, action=Action.CHANGE, obj=appointment, fields=["contact"])
    return contact


@transaction.atomic
def calendar_feed_renew(*, user: User) -> str:
    """A new secret address for the user's calendar feed; the old one stops working at once.
    Returns the token: it is shown once and stored only as a hash."""
    token = calendar.new_token()
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_hash": calendar.token_hash(token)}
    )
    audit_record(user=user, action=Action.CHANGE, obj=feed, fields=["token_hash"])
    return token


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> None:
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is not None:
        audit_record(user=user, action=Action.DELETE, obj=feed)
        feed.delete()
