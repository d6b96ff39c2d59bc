"""Every allowed and every forbidden phase transition, through the service."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casework import services
from casework.lifecycle import ALLOWED_TRANSITIONS, CASE_IS_CLOSED, Phase, allowed_transitions
from casework.models import Case, PhaseChange
from tests.factories import CaseFactory, UserFactory, closure_reason

pytestmark = pytest.mark.django_db

ALL_PAIRS = [(a, b) for a, b in itertools.product(Phase, Phase) if a != b]
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in ALLOWED_TRANSITIONS[a]]
FORBIDDEN = [(a, b) for a, b in ALL_PAIRS if b not in ALLOWED_TRANSITIONS[a]]

# The lifecycle as the team agreed it; a change to ALLOWED_TRANSITIONS must change this too.
EXPECTED_ALLOWED = {
    (Phase.INTAKE, Phase.ASSESSMENT),
    (Phase.INTAKE, Phase.PAUSED),
    (Phase.INTAKE, Phase.CLOSED),
    (Phase.ASSESSMENT, Phase.PLANNING),
    (Phase.ASSESSMENT, Phase.PAUSED),
    (Phase.ASSESSMENT, Phase.CLOSED),
    (Phase.PLANNING, Phase.MONITORING),
    (Phase.PLANNING, Phase.ASSESSMENT),
    (Phase.PLANNING, Phase.PAUSED),
    (Phase.PLANNING, Phase.CLOSED),
    (Phase.MONITORING, Phase.PLANNING),
    (Phase.MONITORING, Phase.EVALUATION),
    (Phase.MONITORING, Phase.PAUSED),
    (Phase.MONITORING, Phase.CLOSED),
    (Phase.EVALUATION, Phase.MONITORING),
    (Phase.EVALUATION, Phase.PAUSED),
    (Phase.EVALUATION, Phase.CLOSED),
    (Phase.PAUSED, Phase.INTAKE),
    (Phase.PAUSED, Phase.ASSESSMENT),
    (Phase.PAUSED, Phase.PLANNING),
    (Phase.PAUSED, Phase.MONITORING),
    (Phase.PAUSED, Phase.EVALUATION),
    (Phase.PAUSED, Phase.CLOSED),
    (Phase.CLOSED, Phase.ASSESSMENT),
}


def put_case_in(phase: Phase, by=None) -> Case:
    """A case brought into `phase` along an allowed path."""
    case = CaseFactory()
    paths = {
        Phase.INTAKE: [],
        Phase.ASSESSMENT: [Phase.ASSESSMENT],
        Phase.PLANNING: [Phase.ASSESSMENT, Phase.PLANNING],
        Phase.MONITORING: [Phase.ASSESSMENT, Phase.PLANNING, Phase.MONITORING],
        Phase.EVALUATION: [Phase.ASSESSMENT, Phase.PLANNING, Phase.MONITORING, Phase.EVALUATION],
        Phase.PAUSED: [Phase.PAUSED],
        Phase.CLOSED: [Phase.CLOSED],
    }
    for step in paths[phase]:
        move(case, step, by)
    assert case.phase == phase
    return case


def move(case: Case, to_phase: Phase, by=None, *, closed_on=None) -> Case:
    extra = {}
    if to_phase == Phase.CLOSED:
        extra = {"closed_on": closed_on or timezone.localdate(), "closure_reason": closure_reason()}
    if to_phase == Phase.EVALUATION:
        extra = {"outcome": "improved"}
    return services.case_change_phase(case=case, to_phase=to_phase, by=by, **extra)


def test_the_transition_table_is_the_agreed_one():
    assert set(ALLOWED) == EXPECTED_ALLOWED


def test_a_new_case_starts_in_intake_with_its_first_phase_change_recorded():
    user = UserFactory()
    case = CaseFactory(by=user)
    assert case.phase == Phase.INTAKE
    change = case.phase_changes.get()
    assert (change.from_phase, change.to_phase, change.changed_by) == ("", Phase.INTAKE, user)


@pytest.mark.parametrize(("from_phase", "to_phase"), ALLOWED, ids=lambda p: str(p.value))
def test_allowed_transition_moves_the_case_and_records_who_when_from_and_to(from_phase, to_phase):
    user = UserFactory()
    case = put_case_in(from_phase)
    before = timezone.now()
    move(case, to_phase, by=user)
    case.refresh_from_db()
    assert case.phase == to_phase
    change = case.phase_changes.order_by("-changed_at", "-id").first()
    assert (change.from_phase, change.to_phase, change.changed_by) == (from_phase, to_phase, user)
    assert change.changed_at >= before


@pytest.mark.parametrize(("from_phase", "to_phase"), FORBIDDEN, ids=lambda p: str(p.value))
def test_forbidden_transition_is_refused_and_changes_nothing(from_phase, to_phase):
    case = put_case_in(from_phase)
    changes_before = case.phase_changes.count()
    with pytest.raises(ValidationError) as excinfo:
        move(case, to_phase)
    assert "nicht möglich" in excinfo.value.message_dict["to_phase"][0]
    case.refresh_from_db()
    assert case.phase == from_phase
    assert case.phase_changes.count() == changes_before


def test_moving_to_the_same_phase_is_refused():
    case = put_case_in(Phase.ASSESSMENT)
    with pytest.raises(ValidationError, match="bereits"):
        move(case, Phase.ASSESSMENT)


def test_allowed_transitions_lists_targets_in_lifecycle_order():
    assert allowed_transitions(Phase.PLANNING) == [
        Phase.ASSESSMENT,
        Phase.MONITORING,
        Phase.CLOSED,
        Phase.PAUSED,
    ]


def test_closing_without_reason_is_refused_with_a_clear_message():
    case = put_case_in(Phase.MONITORING)
    with pytest.raises(ValidationError) as excinfo:
        services.case_change_phase(case=case, to_phase=Phase.CLOSED, by=None, closed_on=timezone.localdate())
    assert excinfo.value.message_dict["closure_reason"] == [
        "Zum Abschließen eines Falls ist ein Abschlussgrund anzugeben."
    ]
    case.refresh_from_db()
    assert case.phase == Phase.MONITORING


def test_closing_without_date_is_refused():
    case = put_case_in(Phase.ASSESSMENT)
    with pytest.raises(ValidationError) as excinfo:
        services.case_change_phase(case=case, to_phase=Phase.CLOSED, by=None, closure_reason=closure_reason())
    assert "closed_on" in excinfo.value.message_dict


def test_closing_before_the_case_was_opened_is_refused():
    case = put_case_in(Phase.ASSESSMENT)
    with pytest.raises(ValidationError) as excinfo:
        move(case, Phase.CLOSED, closed_on=case.opened_on - dt.timedelta(days=1))
    assert "vor dem Eröffnungsdatum" in excinfo.value.message_dict["closed_on"][0]


def test_closing_before_the_last_contact_is_refused_and_on_its_day_accepted():
    case = put_case_in(Phase.ASSESSMENT)
    last = case.opened_on + dt.timedelta(days=10)
    services.contact_create(case=case, by=None, channel="phone", duration_minutes=10, contacted_on=last)
    with pytest.raises(ValidationError) as excinfo:
        move(case, Phase.CLOSED, closed_on=last - dt.timedelta(days=1))
    assert (
        f"letzten Kontakt oder der letzten Vermittlung ({last:%d.%m.%Y})"
        in (excinfo.value.message_dict["closed_on"][0])
    )
    move(case, Phase.CLOSED, closed_on=last)
    assert Case.objects.get(pk=case.pk).closed_on == last


def test_an_entry_is_dated_while_its_case_is_open():
    case = put_case_in(Phase.ASSESSMENT)
    contact = services.contact_create(
        case=case, by=None, channel="phone", duration_minutes=10, contacted_on=case.opened_on
    )
    move(case, Phase.CLOSED, closed_on=case.opened_on)
    contact.case.refresh_from_db()
    contact.contacted_on = case.opened_on + dt.timedelta(days=1)  # after the closing
    with pytest.raises(ValidationError) as excinfo:
        contact.full_clean()
    assert "nach dem Abschluss" in excinfo.value.message_dict["contacted_on"][0]
    contact.contacted_on = case.opened_on - dt.timedelta(days=1)  # before the opening
    with pytest.raises(ValidationError) as excinfo:
        contact.full_clean()
    message = excinfo.value.message_dict["contacted_on"][0]
    # It says which day the case was opened and how that date is changed.
    assert f"vor der Eröffnung des Falls am {case.opened_on:%d.%m.%Y}" in message
    assert "Eröffnungsdatum ändern" in message


def test_closing_keeps_reason_and_date_and_reopening_clears_them_but_keeps_history():
    case = put_case_in(Phase.CLOSED)
    case.refresh_from_db()
    assert case.closed_on == timezone.localdate()
    assert case.closure_reason == closure_reason()
    move(case, Phase.ASSESSMENT)
    case.refresh_from_db()
    assert (case.phase, case.closed_on, case.closure_reason) == (Phase.ASSESSMENT, None, None)
    closing = PhaseChange.objects.get(case=case, to_phase=Phase.CLOSED)
    assert closing.closure_reason == closure_reason()


def test_a_closed_case_takes_no_new_entries():
    case = put_case_in(Phase.CLOSED)
    for create, fields in [
        (services.follow_up_create, {"title": "Anruf", "due_on": timezone.localdate()}),
        (services.contact_create, {"channel": "phone", "duration_minutes": 10}),
        (services.goal_create, {"title": "Deutschkurs B1"}),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            create(case=case, by=None, **fields)
        assert str(CASE_IS_CLOSED) in excinfo.value.messages
    assert case.followups.count() == 0
    assert case.contacts.count() == 0
    assert case.goals.count() == 0


def test_a_paused_case_still_takes_entries():
    case = put_case_in(Phase.PAUSED)
    services.contact_create(case=case, by=None, channel="phone", duration_minutes=5)
    assert case.contacts.count() == 1


def test_the_database_refuses_a_closed_case_without_reason():
    from django.db import IntegrityError

    case = CaseFactory()
    with pytest.raises(IntegrityError):
        Case.objects.filter(pk=case.pk).update(phase=Phase.CLOSED, closed_on=timezone.localdate())
