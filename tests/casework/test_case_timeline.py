"""The case timeline: every kind of entry with its text, newest first, and the newest-N cut."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import CASE_MANAGEMENT
from casework import selectors, services
from casework.consent import LEGAL_BASIS_EXAMPLE
from casework.lifecycle import Phase
from casework.models import CaseAssignment, GoalStatus, PhaseChange
from regions.models import Municipality
from tests.conftest import make_staff
from tests.factories import ActorFactory, ClientFactory, closure_reason, topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(case_manager):
    municipality = Municipality.objects.get(name="Coesfeld")
    return services.case_open(
        by=case_manager,
        municipality=municipality,
        client=ClientFactory(municipality=municipality),
        case_manager=case_manager,
        opened_on=timezone.localdate() - dt.timedelta(days=30),
    )


def _lines(entries):
    return [(entry.kind, entry.text or entry.link_text, entry.note, entry.by) for entry in entries]


def test_every_kind_newest_first_with_its_text(case, case_manager):
    colleague = make_staff(CASE_MANAGEMENT, username="kollegin", first_name="Kim", last_name="Kollegin")
    services.contact_create(case=case, by=case_manager, channel="phone", duration_minutes=20, note="Anruf")
    goal = services.goal_create(case=case, by=case_manager, title="Sprachkurs B1")
    services.goal_set_status(goal=goal, status=GoalStatus.IN_PROGRESS, by=case_manager)
    referral = services.referral_create(
        case=case,
        by=case_manager,
        actor=ActorFactory(name="Sprachschule Nord"),
        legal_basis=LEGAL_BASIS_EXAMPLE,
    )
    services.document_upload(
        case=case,
        by=case_manager,
        title="Bescheid",
        file=SimpleUploadedFile("b.pdf", b"%PDF-1.4 " + b"x" * 2039),
    )
    services.referral_set_status(
        referral=referral, status="taken_up", by=case_manager, note="Platz ab Januar"
    )
    services.case_reassign(case=case, to_manager=colleague, by=case_manager, note="Urlaub")
    services.case_change_phase(case=case, to_phase=Phase.ASSESSMENT, by=case_manager, note="Clearing")
    services.case_change_phase(
        case=case,
        to_phase=Phase.CLOSED,
        by=case_manager,
        closed_on=timezone.localdate(),
        closure_reason=closure_reason(),
        goal_results={goal.pk: GoalStatus.ACHIEVED},
        outcome="improved",
    )

    entries = selectors.case_timeline(case)

    assert _lines(entries) == [
        (
            "phase",
            "Clearing / Situationsanalyse → Abschluss (Ziele erreicht) · Ergebnis für die Person: "
            "Lage deutlich verbessert",
            "",
            "Clara Casemann",
        ),
        ("goal", "„Sprachkurs B1“: in Arbeit → erreicht", "", ""),
        ("phase", "Erstkontakt / Zugang → Clearing / Situationsanalyse", "Clearing", "Clara Casemann"),
        ("handover", "Clara Casemann → Kim Kollegin: Urlaub", "", ""),
        (
            "referral_status",
            "Sprachschule Nord: vermittelt → angenommen / wahrgenommen",
            "Platz ab Januar",
            "Clara Casemann",
        ),
        ("document", "Bescheid", "", ""),
        ("referral", "Sprachschule Nord", "Platz ab Januar", ""),
        ("goal", "„Sprachkurs B1“: offen → in Arbeit", "", ""),
        ("goal", "„Sprachkurs B1“: vereinbart, offen", "", ""),
        ("contact", "telefonisch, 20 Min.", "Anruf", "Clara Casemann"),
        ("handover", "Clara Casemann", "", ""),
        ("phase", "Fall eröffnet: Erstkontakt / Zugang", "", "Clara Casemann"),
    ]
    document = next(entry for entry in entries if entry.kind == "document")
    assert document.muted == "(2,0\xa0KB)"
    assert document.link_url == f"/faelle/{case.pk}/dokument/{document.pk}/"


def test_equal_moments_keep_the_order_of_the_kinds(case, case_manager):
    """Opening a case writes its first phase and its first handover in the same instant."""
    moment = timezone.now()
    PhaseChange.objects.filter(case=case).update(changed_at=moment)
    CaseAssignment.objects.filter(case=case).update(assigned_at=moment)
    assert [entry.kind for entry in selectors.case_timeline(case)] == ["phase", "handover"]


def test_limit_keeps_the_newest_entries_of_all_kinds(case, case_manager):
    for n in range(4):
        services.contact_create(
            case=case, by=case_manager, channel="phone", duration_minutes=5, topics=[topic()]
        )
        services.goal_create(case=case, by=case_manager, title=f"Ziel {n}")
    everything = selectors.case_timeline(case)
    newest = selectors.case_timeline(case, limit=3)
    assert [entry.pk for entry in newest] == [entry.pk for entry in everything[:3]]
    assert [entry.kind for entry in newest] == ["goal", "contact", "goal"]
    assert newest[1].muted == "(Sprache)"
