"""A case with one of everything a case can hold, for the export and retention tests."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from casework import services
from casework.lifecycle import Phase
from casework.models import Case, Channel, GoalStatus, ReferralStatus
from tests.factories import ActorFactory, CaseFactory, closure_reason, topic


def fill_case(case: Case, *, by, marker: str, on: dt.date) -> dict:
    """Add a contact, goal (with a status change), consent, referral, follow-up, document and
    a handover to `case`, every free text carrying `marker`; entries dated `on`."""
    contact = services.contact_create(
        case=case,
        by=by,
        contacted_on=on,
        channel=Channel.IN_PERSON,
        duration_minutes=45,
        note=f"Kontaktnotiz {marker}",
        topics=[topic("Sprache")],
    )
    goal = services.goal_create(
        case=case, by=by, title=f"Ziel {marker}", description=f"Schritte {marker}", topic=topic("Arbeit")
    )
    services.goal_set_status(goal=goal, status=GoalStatus.IN_PROGRESS, by=by)
    actor = ActorFactory(name=f"Beratungsstelle für {marker}")
    consent = services.consent_create(
        case=case, by=by, purpose=f"Zweck {marker}", given_on=on, actors=[actor]
    )
    referral = services.referral_create(
        case=case,
        by=by,
        actor=actor,
        consent=consent,
        referred_on=on,
        status=ReferralStatus.REFERRED,
        outcome=f"Ergebnis {marker}",
    )
    follow_up = services.follow_up_create(case=case, by=by, title=f"Anrufen {marker}", due_on=on)
    document = services.document_upload(
        case=case,
        by=by,
        title=f"Bescheid {marker}",
        file=SimpleUploadedFile(f"bescheid-{marker}.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    return {
        "contact": contact,
        "goal": goal,
        "consent": consent,
        "referral": referral,
        "follow_up": follow_up,
        "document": document,
        "actor": actor,
    }


def closed_case(client, *, by, marker: str, opened_on: dt.date, closed_on: dt.date, **case_fields) -> Case:
    """A case opened and worked on `opened_on`, closed on `closed_on` with a note."""
    case = CaseFactory(client=client, opened_on=opened_on, case_manager=by, by=by, **case_fields)
    fill_case(case, by=by, marker=marker, on=opened_on)
    services.case_reassign(case=case, to_manager=None, by=by, note=f"Übergabe {marker}")
    services.case_change_phase(
        case=case,
        to_phase=Phase.CLOSED,
        by=by,
        closed_on=closed_on,
        closure_reason=closure_reason(),
        note=f"Abschlussnotiz {marker}",
        # Closing decides every open follow-up and goal (casework.services.case_change_phase).
        follow_up_decisions={f.pk: services.FOLLOW_UP_DONE for f in services.open_follow_ups_of(case)},
        goal_results={goal.pk: "achieved" for goal in services.unreviewed_goals_of(case)},
    )
    return case
