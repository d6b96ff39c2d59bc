import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import Action, AuditEntry
from casework.models import FollowUp, Goal
from structural import selectors, services
from structural.models import Barrier, EscalationStep, Theme, ThemeDecision
from tests.factories import DistrictFactory, coesfeld

from .conftest import case_in

pytestmark = pytest.mark.django_db


def test_barriers_from_two_regions_roll_up_into_one_theme_with_the_right_counts(coordinator, jobcenter, sgb2):
    # Nord: two cases in Coesfeld (one with two barriers), one in Billerbeck; Süd: one in Senden.
    coesfeld_a, coesfeld_b = case_in("Coesfeld"), case_in("Coesfeld")
    billerbeck, senden = case_in("Billerbeck"), case_in("Senden")
    barriers = [
        services.barrier_create(
            case=coesfeld_a, by=None, actor=jobcenter, description="Antrag nur auf Deutsch"
        ),
        services.barrier_create(case=coesfeld_a, by=None, legal_framework=sgb2),
        services.barrier_create(case=coesfeld_b, by=None, actor=jobcenter),
        services.barrier_create(case=billerbeck, by=None, actor=jobcenter),
        services.barrier_create(case=senden, by=None, actor=jobcenter),
    ]
    unrelated = services.barrier_create(case=case_in("Dülmen"), by=None, description="etwas anderes")
    theme = services.theme_create(district=coesfeld(), by=coordinator, title="Anträge nur auf Deutsch")

    assert services.barriers_assign(barriers=barriers, theme=theme, by=coordinator) == 5

    figures = selectors.theme_list(district=coesfeld()).get(pk=theme.pk)
    assert figures.barrier_count == 5
    assert figures.case_count == 4
    assert figures.municipality_count == 3  # Coesfeld, Billerbeck, Senden
    assert figures.region_count == 2  # Nord and Süd
    assert Barrier.objects.get(pk=unrelated.pk).theme is None
    # Moving a barrier touches case data: one audit entry each.
    assert AuditEntry.objects.filter(action=Action.CHANGE, object_type="structural.barrier").count() == 5


def test_merging_moves_barriers_and_log_and_deletes_the_merged_theme(coordinator, jobcenter):
    a = services.theme_create(district=coesfeld(), by=coordinator, title="Sprachkurse fehlen")
    b = services.theme_create(district=coesfeld(), by=coordinator, title="Kein Integrationskurs im Süden")
    services.barriers_assign(
        barriers=[services.barrier_create(case=case_in("Coesfeld"), by=None, actor=jobcenter)],
        theme=a,
        by=None,
    )
    services.barriers_assign(
        barriers=[
            services.barrier_create(case=case_in("Olfen"), by=None, actor=jobcenter),
            services.barrier_create(case=case_in("Senden"), by=None, actor=jobcenter),
        ],
        theme=b,
        by=None,
    )

    services.theme_merge(into=a, merged=b, by=coordinator)

    assert not Theme.objects.filter(pk=b.pk).exists()
    assert Barrier.objects.filter(theme=a).count() == 3
    figures = selectors.theme_list(district=coesfeld()).get(pk=a.pk)
    assert (figures.case_count, figures.municipality_count) == (3, 3)
    assert "Kein Integrationskurs im Süden" in ThemeDecision.objects.filter(theme=a).last().text


def test_a_theme_cannot_be_merged_into_itself_or_across_districts(coordinator):
    a = services.theme_create(district=coesfeld(), by=coordinator, title="A")
    other = services.theme_create(district=DistrictFactory(), by=None, title="B")
    with pytest.raises(ValidationError):
        services.theme_merge(into=a, merged=a, by=coordinator)
    with pytest.raises(ValidationError):
        services.theme_merge(into=a, merged=other, by=coordinator)
    assert Theme.objects.filter(pk__in=[a.pk, other.pk]).count() == 2


def test_status_change_logs_a_dated_decision(coordinator):
    theme = services.theme_create(district=coesfeld(), by=coordinator, title="Wohnungsmarkt")
    day = timezone.localdate() - dt.timedelta(days=3)
    services.theme_change_status(
        theme=theme,
        by=coordinator,
        status=EscalationStep.COORDINATION_GROUP,
        decided_on=day,
        text="Koordinierungsgruppe lädt das Jobcenter ein.",
    )
    theme.refresh_from_db()
    assert theme.status == EscalationStep.COORDINATION_GROUP
    decision = theme.decisions.order_by("-pk").first()
    assert (decision.step, decision.decided_on, decision.recorded_by) == (
        EscalationStep.COORDINATION_GROUP,
        day,
        coordinator,
    )


def test_status_change_refuses_a_future_date_and_an_empty_repeat(coordinator):
    theme = services.theme_create(district=coesfeld(), by=coordinator, title="Kita-Plätze")
    with pytest.raises(ValidationError):
        services.theme_change_status(
            theme=theme,
            by=coordinator,
            status=EscalationStep.REGION,
            decided_on=timezone.localdate() + dt.timedelta(days=1),
        )
    with pytest.raises(ValidationError):
        services.theme_change_status(theme=theme, by=coordinator, status=EscalationStep.TEAM)
    theme.refresh_from_db()
    assert theme.status == EscalationStep.TEAM


def test_a_barrier_needs_some_detail_and_a_short_description():
    case = case_in("Coesfeld")
    with pytest.raises(ValidationError):
        services.barrier_create(case=case, by=None, description="   ")
    with pytest.raises(ValidationError):
        services.barrier_create(case=case, by=None, description="x" * 501)
    assert not Barrier.objects.exists()


def test_creating_a_barrier_is_audited_against_its_case(case_manager, jobcenter):
    case = case_in("Coesfeld", case_manager=case_manager)
    barrier = services.barrier_create(case=case, by=case_manager, actor=jobcenter)
    entry = AuditEntry.objects.get(object_type="structural.barrier", object_id=str(barrier.pk))
    assert (entry.action, entry.case_reference, entry.user) == (Action.CREATE, case.reference, case_manager)


def test_trend_counts_barriers_per_month(coordinator, jobcenter):
    theme = services.theme_create(district=coesfeld(), by=coordinator, title="Trend")
    months = selectors.last_months(6)
    barriers = [services.barrier_create(case=case_in("Coesfeld"), by=None, actor=jobcenter) for _ in range(3)]
    services.barriers_assign(barriers=barriers, theme=theme, by=None)
    two_months_ago = timezone.make_aware(dt.datetime.combine(months[3], dt.time(12)))
    Barrier.objects.filter(pk=barriers[0].pk).update(created_at=two_months_ago)
    trend = selectors.theme_trend([theme], months=months)
    assert trend[theme.pk] == [0, 0, 0, 1, 0, 2]


def test_conference_decisions_go_into_the_case_plan(case_manager):
    case = case_in("Coesfeld", case_manager=case_manager)
    conference = services.conference_create(
        case=case, by=case_manager, participants="Team Nord", decisions="Sprachkurs suchen"
    )
    goal = services.conference_decision_to_goal(conference=conference, by=case_manager, title="Sprachkurs B1")
    follow_up = services.conference_decision_to_follow_up(
        conference=conference,
        by=case_manager,
        title="Jobcenter anrufen",
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    assert Goal.objects.get(pk=goal.pk).case == case
    assert "Fallkonferenz" in goal.description
    assert FollowUp.objects.get(pk=follow_up.pk).assigned_to == case_manager
    assert AuditEntry.objects.filter(object_type="structural.caseconference", action=Action.CREATE).exists()
