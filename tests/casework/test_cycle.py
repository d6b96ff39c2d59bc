"""The case-management cycle (issue 17): handovers that carry the work, referral follow-up,
every household member's residence deadline, evaluation and closing without loose ends."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import CASE_MANAGEMENT
from casework import services
from casework.lifecycle import Phase
from casework.models import (
    Case,
    CaseAssignment,
    DataCategory,
    FollowUp,
    Goal,
    PhaseChange,
    Referral,
    ReferralStatusChange,
)
from casework.selectors import case_alerts, dashboard_for
from regions.models import Municipality
from tests.conftest import make_staff
from tests.factories import ActorFactory, CaseFactory, ClientFactory, HouseholdFactory, closure_reason

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LEGAL_BASIS = "§ 69 Abs. 1 Nr. 1 SGB X (Erfüllung einer gesetzlichen Aufgabe)"


def coesfeld_case(**kwargs) -> Case:
    return CaseFactory(client=ClientFactory(municipality=Municipality.objects.get(name="Coesfeld")), **kwargs)


def move(case, *phases, by=None):
    for phase in phases:
        services.case_change_phase(case=case, to_phase=phase, by=by)
    return case


# --- handovers carry the work ---------------------------------------------------------------


def test_after_reassign_the_open_follow_ups_belong_to_the_new_case_manager_and_show_on_their_dashboard(
    client,
):
    anna, ben = make_staff(CASE_MANAGEMENT), make_staff(CASE_MANAGEMENT)
    case = coesfeld_case(case_manager=anna)
    due = services.follow_up_create(case=case, by=anna, title="Jobcenter anrufen", due_on=TODAY)
    later = services.follow_up_create(
        case=case, by=anna, title="Bescheid prüfen", due_on=TODAY + dt.timedelta(days=5)
    )
    done = services.follow_up_create(case=case, by=anna, title="Termin vereinbart", due_on=TODAY)
    services.follow_up_complete(follow_up=done, by=anna)

    services.case_reassign(case=case, to_manager=ben, by=None, note="Elternzeit von Anna")

    assert {f.assigned_to for f in FollowUp.objects.filter(pk__in=[due.pk, later.pk])} == {ben}
    done.refresh_from_db()
    assert (done.assigned_to, done.done_by) == (anna, anna)  # done ones keep their author
    client.force_login(ben)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Jobcenter anrufen" in page
    assert "neu übernommen" in page and case.reference in page
    client.force_login(anna)
    assert "Jobcenter anrufen" not in client.get(reverse("dashboard")).content.decode()


def test_the_handover_note_is_in_the_timeline_and_neu_uebernommen_ends_when_the_case_is_opened(
    client,
):
    anna, ben = make_staff(CASE_MANAGEMENT), make_staff(CASE_MANAGEMENT)
    case = coesfeld_case(case_manager=anna)
    services.case_reassign(case=case, to_manager=ben, by=None, note="Familie spricht Arabisch")
    assert [c.case.pk for c in dashboard_for(ben)["taken_over"]] == [case.pk]
    client.force_login(ben)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Familie spricht Arabisch" in page
    assert dashboard_for(ben)["taken_over"] == []
    assert CaseAssignment.objects.get(case=case, to_manager=ben).seen_at is not None


def test_bulk_handover_with_nothing_selected_is_a_form_error_not_a_success(client, coordinator):
    receiver = make_staff(CASE_MANAGEMENT)
    client.force_login(coordinator)
    response = client.post(reverse("cases:bulk_reassign"), {"to_manager": receiver.pk, "only_open": "on"})
    assert response.status_code == 200
    assert "Bitte wählen Sie die Fälle aus" in response.content.decode()
    assert not CaseAssignment.objects.filter(to_manager=receiver).exists()


def test_bulk_handover_previews_count_and_load_then_moves_only_on_confirmation(client, coordinator):
    leaving = make_staff(CASE_MANAGEMENT)
    receiver = make_staff(CASE_MANAGEMENT, fte="0.50")
    coesfeld_case(case_manager=receiver)
    cases = [coesfeld_case(case_manager=leaving) for _ in range(3)]
    services.follow_up_create(case=cases[0], by=leaving, title="Kita anmelden", due_on=TODAY)
    client.force_login(coordinator)
    data = {"from_manager": leaving.pk, "to_manager": receiver.pk, "only_open": "on", "note": "Ausgeschieden"}

    preview = client.post(reverse("cases:bulk_reassign"), {**data, "action": "vorschau"})
    text = preview.content.decode()
    assert preview.status_code == 200
    assert "3 Fälle gehen an" in text
    assert "<td>1</td><td>2.0</td>" in text.replace(" ", "").replace("\n", "") or "2,0" in text
    assert Case.objects.filter(case_manager=receiver).count() == 1  # nothing moved yet

    token = preview.context["form"]["submit_token"].value()
    response = client.post(
        reverse("cases:bulk_reassign"), {**data, "action": "bestaetigen", "submit_token": token}
    )
    assert response.status_code == 302 and response.url == reverse("cases:bulk_reassign_result")
    assert Case.objects.filter(case_manager=receiver).count() == 4
    assert FollowUp.objects.get(title="Kita anmelden").assigned_to == receiver
    result = client.get(response.url).content.decode()
    assert "3 Fälle an" in result and cases[0].reference in result
    # The same confirmation sent again moves nothing more.
    again = client.post(
        reverse("cases:bulk_reassign"), {**data, "action": "bestaetigen", "submit_token": token}
    )
    assert again.status_code == 302
    assert CaseAssignment.objects.filter(from_manager=leaving, to_manager=receiver).count() == 3


def test_bulk_handover_of_rows_selected_in_the_list(client, coordinator):
    leaving, receiver = make_staff(CASE_MANAGEMENT), make_staff(CASE_MANAGEMENT)
    chosen, left = coesfeld_case(case_manager=leaving), coesfeld_case(case_manager=leaving)
    client.force_login(coordinator)
    listing = client.get(reverse("cases:list")).content.decode()
    assert f'name="cases" value="{chosen.pk}"' in listing
    form = client.get(reverse("cases:bulk_reassign"), {"cases": [chosen.pk]})
    assert "1 Fall aus der Fallliste ausgewählt" in form.content.decode()
    data = {"cases": [chosen.pk], "to_manager": receiver.pk, "only_open": "on", "action": "bestaetigen"}
    assert client.post(reverse("cases:bulk_reassign"), data).status_code == 302
    chosen.refresh_from_db()
    left.refresh_from_db()
    assert (chosen.case_manager, left.case_manager) == (receiver, leaving)


# --- referral follow-up -----------------------------------------------------------------------


def test_a_referral_response_is_recorded_with_date_note_and_who_and_shown_in_the_timeline(
    client, case_manager
):
    case = coesfeld_case(case_manager=case_manager)
    actor = ActorFactory(name="Jugendmigrationsdienst")
    referral = services.referral_create(
        case=case,
        by=case_manager,
        actor=actor,
        referred_on=TODAY - dt.timedelta(days=10),
        legal_basis=LEGAL_BASIS,
    )
    client.force_login(case_manager)
    panel = client.get(reverse("cases:panel", args=[case.pk, "rueckmeldung"]))
    assert "Jugendmigrationsdienst" in panel.content.decode()
    response = client.post(
        reverse("cases:referral_outcome", args=[case.pk]),
        {
            "referral_outcome-referral": referral.pk,
            "referral_outcome-status": "taken_up",
            "referral_outcome-changed_on": f"{TODAY - dt.timedelta(days=3):%Y-%m-%d}",
            "referral_outcome-note": "Platz im Kurs ab Januar",
            "referral_outcome-versions": panel.context["form"]["versions"].value(),
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.responded_on) == ("taken_up", TODAY - dt.timedelta(days=3))
    change = ReferralStatusChange.objects.get(referral=referral)
    assert (change.from_status, change.to_status, change.changed_by) == ("referred", "taken_up", case_manager)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Rückmeldung" in page and "Platz im Kurs ab Januar" in page


def test_a_response_someone_else_recorded_meanwhile_is_not_overwritten(case_manager):
    case = coesfeld_case(case_manager=case_manager)
    referral = services.referral_create(
        case=case, by=None, actor=ActorFactory(), referred_on=TODAY, legal_basis=LEGAL_BASIS
    )
    services.referral_set_status(referral=referral, status="declined", by=None, expected_version=1)
    with pytest.raises(ValidationError):
        services.referral_set_status(referral=referral, status="taken_up", by=None, expected_version=1)


def test_a_final_status_cannot_be_changed_and_a_response_cannot_precede_the_referral(case_manager):
    case = coesfeld_case(case_manager=case_manager)
    referral = services.referral_create(
        case=case,
        by=None,
        actor=ActorFactory(),
        referred_on=TODAY - dt.timedelta(days=2),
        legal_basis=LEGAL_BASIS,
    )
    with pytest.raises(ValidationError, match="nicht vor der Vermittlung"):
        services.referral_set_status(
            referral=referral, status="taken_up", by=None, on=TODAY - dt.timedelta(days=5)
        )
    services.referral_set_status(referral=referral, status="declined", by=None)
    with pytest.raises(ValidationError, match="kann die Vermittlung nicht"):
        services.referral_set_status(referral=referral, status="taken_up", by=None)


def test_referrals_without_a_response_after_the_configured_days_are_on_mein_arbeitsplatz(
    settings, case_manager
):
    settings.KIM_REFERRAL_RESPONSE_DAYS = 14
    case = coesfeld_case(case_manager=case_manager)
    case.opened_on = TODAY - dt.timedelta(days=60)
    Case.objects.filter(pk=case.pk).update(opened_on=case.opened_on)
    waiting = services.referral_create(
        case=case,
        by=None,
        actor=ActorFactory(name="MBE Dülmen"),
        referred_on=TODAY - dt.timedelta(days=15),
        legal_basis=LEGAL_BASIS,
    )
    services.referral_create(
        case=case,
        by=None,
        actor=ActorFactory(name="Schule"),
        referred_on=TODAY - dt.timedelta(days=13),
        legal_basis=LEGAL_BASIS,
    )
    answered = services.referral_create(
        case=case,
        by=None,
        actor=ActorFactory(name="Kita"),
        referred_on=TODAY - dt.timedelta(days=20),
        legal_basis=LEGAL_BASIS,
    )
    services.referral_set_status(referral=answered, status="taken_up", by=None)
    rows = dashboard_for(case_manager)["unanswered_referrals"]
    assert [row.pk for row in rows] == [waiting.pk]
    assert rows[0].actor == "MBE Dülmen" and rows[0].days == 15


# --- residence deadlines of every household member -----------------------------------------------


def test_a_household_case_whose_member_s_duldung_runs_out_in_three_weeks_shows_the_alert_and_the_deadline(
    client, case_manager
):
    household = HouseholdFactory(municipality=Municipality.objects.get(name="Coesfeld"))
    ClientFactory(household=household, municipality=household.municipality, residence_status="settlement")
    member = ClientFactory(
        household=household,
        municipality=household.municipality,
        first_name="Samir",
        residence_status="duldung",
        residence_valid_until=TODAY + dt.timedelta(weeks=3),
    )
    case = CaseFactory(client=None, household=household, case_manager=case_manager)
    alerts = case_alerts(case, [])
    until = f"{member.residence_valid_until:%d.%m.%Y}"
    assert any("Samir" in text and "Duldung" in text and until in text for _level, text in alerts)
    deadlines = dashboard_for(case_manager)["deadlines"]
    assert [(item.case.pk, item.due_on) for item in deadlines] == [(case.pk, member.residence_valid_until)]
    client.force_login(case_manager)
    assert until in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    listing = client.get(reverse("cases:list"), {"residence": "expiring"}).content.decode()
    assert case.reference in listing


def test_fiktionsbescheinigung_is_a_residence_status_with_a_deadline(case_manager):
    client_ = ClientFactory(
        municipality=Municipality.objects.get(name="Coesfeld"),
        residence_status="fiktion",
        residence_valid_until=TODAY + dt.timedelta(days=10),
    )
    case = CaseFactory(client=client_, case_manager=case_manager)
    assert any("Fiktionsbescheinigung" in text for _level, text in case_alerts(case, []))
    assert [item.case.pk for item in dashboard_for(case_manager)["deadlines"]] == [case.pk]


# --- evaluation and closing ------------------------------------------------------------------------


def test_evaluation_reviews_every_goal_and_records_the_outcome_for_the_person():
    case = move(coesfeld_case(), Phase.ASSESSMENT, Phase.PLANNING, Phase.MONITORING)
    goal = services.goal_create(case=case, by=None, title="Sprachkurs B1")
    with pytest.raises(ValidationError) as refused:
        services.case_change_phase(case=case, to_phase=Phase.EVALUATION, by=None)
    assert set(refused.value.message_dict) == {f"goal_{goal.pk}", "outcome"}
    services.case_change_phase(
        case=case,
        to_phase=Phase.EVALUATION,
        by=None,
        goal_results={goal.pk: "partly"},
        outcome="partly_improved",
    )
    goal.refresh_from_db()
    assert (case.phase, goal.status) == (Phase.EVALUATION, "partly")
    assert PhaseChange.objects.get(case=case, to_phase=Phase.EVALUATION).outcome == "partly_improved"


def test_closing_asks_what_becomes_of_open_follow_ups_and_goals(client, case_manager):
    colleague = make_staff(CASE_MANAGEMENT)
    case = move(coesfeld_case(case_manager=case_manager), Phase.ASSESSMENT)
    goal = services.goal_create(case=case, by=None, title="Wohnung finden")
    calls = services.follow_up_create(case=case, by=None, title="Jobcenter anrufen", due_on=TODAY)
    visit = services.follow_up_create(case=case, by=None, title="Hausbesuch", due_on=TODAY)
    letter = services.follow_up_create(case=case, by=None, title="Brief an Schule", due_on=TODAY)
    client.force_login(case_manager)
    form = client.get(reverse("cases:detail", args=[case.pk]), {"eingabe": "phase"}).context["phase_form"]
    assert {f"follow_up_{calls.pk}", f"goal_{goal.pk}"} <= set(form.fields)
    data = {
        "phase-to_phase": "closed",
        "phase-closed_on": f"{TODAY:%Y-%m-%d}",
        "phase-closure_reason": closure_reason().pk,
        "phase-version": form["version"].value(),
        f"phase-goal_{goal.pk}": "achieved",
        f"phase-follow_up_{calls.pk}": "done",
        f"phase-follow_up_{visit.pk}": "dropped",
    }
    refused = client.post(reverse("cases:change_phase", args=[case.pk]), data)
    assert refused.status_code == 200
    assert (
        "Brief an Schule" in refused.content.decode() and Case.objects.get(pk=case.pk).phase != Phase.CLOSED
    )
    data[f"phase-follow_up_{letter.pk}"] = f"to:{colleague.pk}"
    response = client.post(reverse("cases:change_phase", args=[case.pk]), data, follow=True)
    assert "Fall abgeschlossen." in response.content.decode()
    calls.refresh_from_db(), visit.refresh_from_db(), letter.refresh_from_db(), goal.refresh_from_db()
    assert calls.done_at and not calls.dropped
    assert visit.done_at and visit.dropped
    assert letter.done_at is None and letter.assigned_to == colleague and letter.continues_after_closing
    assert goal.status == "achieved"
    assert [item.title for item in dashboard_for(colleague)["due"]] == ["Brief an Schule"]
    reopen = client.post(
        reverse("cases:change_phase", args=[case.pk]),
        {"phase-to_phase": "assessment", "phase-version": Case.objects.get(pk=case.pk).version},
        follow=True,
    )
    assert "Fall wieder aufgenommen." in reopen.content.decode()


def test_existing_goals_keep_their_status_through_the_lifecycle_change():
    case = coesfeld_case()
    goal = services.goal_create(case=case, by=None, title="Kita-Platz")
    services.goal_set_status(goal=goal, status="achieved", by=None)
    services.case_change_phase(
        case=case, to_phase=Phase.CLOSED, by=None, closed_on=TODAY, closure_reason=closure_reason()
    )
    assert Goal.objects.get(pk=goal.pk).status == "achieved"
    assert Referral.objects.count() == 0


# --- consent by data category -----------------------------------------------------------------------


def test_a_referral_passing_a_category_the_consent_does_not_cover_is_refused_in_german(client, case_manager):
    case = coesfeld_case(case_manager=case_manager)
    actor = ActorFactory(name="Jobcenter Coesfeld")
    school, health = (
        DataCategory.objects.get_or_create(name="Schulische Daten")[0],
        DataCategory.objects.get_or_create(name="Gesundheitsdaten", defaults={"is_special_category": True})[
            0
        ],
    )
    consent = services.consent_create(
        case=case,
        by=None,
        actors=[actor],
        data_categories=[school],
        purpose="Anmeldung beim Jobcenter",
        given_on=TODAY - dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as refused:
        services.referral_create(
            case=case,
            by=None,
            actor=actor,
            consent=consent,
            data_categories=[school, health],
            legal_basis=LEGAL_BASIS,
        )
    assert "deckt die Weitergabe von „Gesundheitsdaten“ an „Jobcenter Coesfeld“ nicht ab" in str(
        refused.value.message_dict["data_categories"]
    )
    assert not Referral.objects.exists()
    # Through the case page: the same refusal, shown at the field.
    client.force_login(case_manager)
    response = client.post(
        reverse("cases:add_referral", args=[case.pk]),
        {
            "referral-actor": actor.pk,
            "referral-referred_on": f"{TODAY:%Y-%m-%d}",
            "referral-status": "referred",
            "referral-consent": consent.pk,
            "referral-data_categories": [school.pk, health.pk],
        },
    )
    assert response.status_code == 200
    assert "nicht ab" in response.content.decode() and not Referral.objects.exists()
    # Covered categories pass, and are recorded with the referral.
    referral = services.referral_create(
        case=case, by=None, actor=actor, consent=consent, data_categories=[school]
    )
    assert list(referral.data_categories.all()) == [school]
    # Without a consent, a documented legal basis carries any category.
    services.referral_create(
        case=case, by=None, actor=actor, data_categories=[health], legal_basis=LEGAL_BASIS
    )
