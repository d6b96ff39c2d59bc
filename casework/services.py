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
from audit.services import audit_record, changed_fields
from regions.models import District, Municipality

from .concurrency import ConcurrentEditError as ConcurrentEditError  # re-exported for callers
from .concurrency import bump_version, check_version
from .documents import document_storage, store_document_file
from .lifecycle import (
    CLOSED_BEFORE_LAST_ENTRY,
    CLOSED_BEFORE_OPENED,
    CLOSED_IN_FUTURE,
    CLOSING_NEEDS_DATE,
    CLOSING_NEEDS_REASON,
    Phase,
    check_transition,
)
from .models import (
    CONTACT_PERSON_OF_OTHER_ACTOR,
    Actor,
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
    GoalStatusChange,
    Household,
    HouseholdRole,
    LegalFramework,
    PhaseChange,
    Referral,
)
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
) -> Case:
    locked = _lock_case(case, expected_version)
    before = copy.copy(locked)
    from_phase = locked.phase
    check_transition(from_phase, to_phase)
    if to_phase == Phase.CLOSED:
        errors = {}
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
    case.case_manager, case.version = to_manager, locked.version
    return case


@transaction.atomic
def cases_reassign(
    *, cases: models.QuerySet[Case], to_manager: User | None, by: User | None, note: str = ""
) -> int:
    """Hand many cases over at once (a case manager leaves); each handover is recorded."""
    moved = 0
    for case in cases.select_for_update().select_related("case_manager").order_by("pk"):
        if case.case_manager_id == (to_manager.pk if to_manager else None):
            continue
        case_reassign(case=case, to_manager=to_manager, by=by, note=note)
        moved += 1
    return moved


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
    *, case: Case, by: User | None, actor: Actor, consent: Consent | None = None, **fields
) -> Referral:
    """Record a referral. Passing data needs a consent or a legal basis (casework/consent.py):
    `full_clean()` checks it through `Referral.clean()`. The consent is read under a row lock,
    so a withdrawal at the same moment is either seen by that check or waits for this write."""
    if consent is not None:
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
    return _create_entry(Referral, case=case, by=by, actor=actor, consent=consent, **fields)


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
    from .models import DATE_IN_FUTURE, WITHDRAWN_BEFORE_GIVEN

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
