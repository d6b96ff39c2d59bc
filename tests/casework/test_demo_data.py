import datetime as dt
import re
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from accounts.roles import CASE_MANAGEMENT, COORDINATION
from casework import demo
from casework.lifecycle import OPEN_PHASES, Phase, is_transition_allowed
from casework.models import (
    Actor,
    Case,
    CaseAssignment,
    Client,
    Consent,
    Contact,
    ContactPerson,
    FollowUp,
    Goal,
    GoalStatusChange,
    Household,
    PhaseChange,
    Referral,
)
from casework.references import format_reference
from tests.factories import MunicipalityFactory, RegionFactory, coesfeld

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"^COE-\d{4}-\d{5}$")


def seed(cases: int = 200, seed: int = 1) -> str:
    out = StringIO()
    call_command("seed_demo", cases=cases, seed=seed, stdout=out)
    return out.getvalue()


def cases_with_subjects() -> list[tuple[str, str]]:
    return sorted(
        (case.reference, str(case.subject), case.phase, str(case.opened_on))
        for case in Case.objects.select_related("client", "household")
    )


def test_it_creates_the_requested_cases_and_reports_counts():
    output = seed()

    assert Case.objects.count() == 200
    assert "cases" in output and "200" in output and "Fertig in" in output
    # Roughly 1.1 clients per case, some of them in households.
    assert 200 <= Client.objects.count() <= 300
    assert Household.objects.exists()
    assert Case.objects.filter(household__isnull=False, client__isnull=True).exists()
    assert Client.objects.filter(household__isnull=False).exclude(household_role="").exists()


def test_every_phase_appears_and_closed_cases_have_date_and_reason():
    seed()

    assert set(Case.objects.values_list("phase", flat=True)) == set(Phase.values)
    today = timezone.localdate()
    for case in Case.objects.filter(phase=Phase.CLOSED):
        assert case.closure_reason_id is not None
        assert case.opened_on <= case.closed_on <= today
    assert not Case.objects.filter(phase__in=OPEN_PHASES, closed_on__isnull=False).exists()
    assert not Case.objects.filter(phase__in=OPEN_PHASES, closure_reason__isnull=False).exists()
    oldest = Case.objects.order_by("opened_on").first().opened_on
    assert oldest >= today - dt.timedelta(days=demo.HISTORY_DAYS + 1)


def test_references_are_unique_formatted_and_numbered_per_year():
    seed()

    district = coesfeld()
    references = list(Case.objects.values_list("reference", flat=True))
    assert len(set(references)) == len(references) == 200
    by_year = defaultdict(list)
    for case in Case.objects.order_by("sequence"):
        assert REFERENCE.match(case.reference)
        assert case.reference == format_reference(district, case.year, case.sequence)
        assert case.year == case.opened_on.year
        by_year[case.year].append(case)
    for cases in by_year.values():
        assert [c.sequence for c in cases] == list(range(1, len(cases) + 1))
        # Numbers follow the opening date, as they would have been given out.
        assert [c.opened_on for c in cases] == sorted(c.opened_on for c in cases)


def test_phase_history_matches_the_lifecycle_and_the_current_phase():
    seed()

    changes = defaultdict(list)
    for change in PhaseChange.objects.order_by("changed_at", "id"):
        changes[change.case_id].append(change)
    for case in Case.objects.all():
        history = changes[case.pk]
        assert history[0].from_phase == "" and history[0].to_phase == Phase.INTAKE
        assert timezone.localtime(history[0].changed_at).date() == case.opened_on
        for before, after in zip(history, history[1:], strict=False):
            assert after.from_phase == before.to_phase
            assert is_transition_allowed(after.from_phase, after.to_phase)
        assert history[-1].to_phase == case.phase
        if case.phase == Phase.CLOSED:
            assert history[-1].closure_reason_id == case.closure_reason_id
            assert timezone.localtime(history[-1].changed_at).date() == case.closed_on
    assert CaseAssignment.objects.filter(from_manager__isnull=True).count() == (
        Case.objects.filter(case_manager__isnull=False).count()
    )


def test_entries_are_dated_within_their_case():
    seed()

    today = timezone.localdate()
    for contact in Contact.objects.select_related("case"):
        assert contact.case.opened_on <= contact.contacted_on <= (contact.case.closed_on or today)
        assert 15 <= contact.duration_minutes <= 120
    assert Contact.topics.through.objects.exists()
    counts = Counter(Contact.objects.values_list("case_id", flat=True))
    assert min(counts.values()) >= 1 and max(counts.values()) <= 8
    assert set(counts) == set(Case.objects.values_list("pk", flat=True))
    for referral in Referral.objects.select_related("case", "contact_person", "consent"):
        assert referral.case.opened_on <= referral.referred_on <= (referral.case.closed_on or today)
        assert referral.case.municipality_id in {m.pk for m in referral.actor.municipalities.all()}
        if referral.consent_id:
            assert referral.consent.case_id == referral.case_id
            assert referral.actor in referral.consent.actors.all()
            assert referral.consent.given_on <= referral.referred_on
        else:
            assert referral.legal_basis
    for consent in Consent.objects.select_related("case"):
        assert consent.case.opened_on <= consent.given_on <= today
        assert consent.data_categories.exists()
    for goal in Goal.objects.prefetch_related("status_changes"):
        history = list(goal.status_changes.all())
        assert history[0].from_status == "" and history[-1].to_status == goal.status


def test_follow_ups_include_overdue_and_due_today_for_open_cases():
    seed()

    today = timezone.localdate()
    open_follow_ups = FollowUp.objects.filter(case__phase__in=OPEN_PHASES, done_at__isnull=True)
    assert open_follow_ups.filter(due_on__lt=today).exists()
    assert open_follow_ups.filter(due_on=today).exists()
    assert not FollowUp.objects.filter(case__phase=Phase.CLOSED, done_at__isnull=True).exists()
    coordinators = set(User.objects.filter(groups__name=COORDINATION).values_list("pk", flat=True))
    for follow_up in FollowUp.objects.select_related("case"):
        # The case manager, or Koordination while the case has none yet.
        assert follow_up.assigned_to_id == follow_up.case.case_manager_id or (
            follow_up.case.case_manager_id is None and follow_up.assigned_to_id in coordinators
        )


def test_staff_are_created_per_region_with_groups_and_no_usable_password():
    seed()

    staff = User.objects.filter(district=coesfeld())
    assert staff.count() == 12
    assert set(Group.objects.get(name=COORDINATION).user_set.values_list("username", flat=True)) == {
        "koord.nord",
        "koord.mitte",
        "koord.sued",
    }
    managers = Group.objects.get(name=CASE_MANAGEMENT).user_set.all()
    assert managers.count() == 9
    assert "cm.nord.1" in {m.username for m in managers}
    for user in staff:
        assert not user.has_usable_password()
        assert user.regions.count() == 1
        if user.employing_municipality_id:
            assert user.employing_municipality.region in user.regions.all()
    employed_by_municipality = staff.filter(employing_municipality__isnull=False).count()
    assert 4 <= employed_by_municipality <= 8
    for case in Case.objects.select_related("case_manager", "municipality"):
        if case.case_manager:
            assert case.municipality.region in case.case_manager.regions.all()


def test_actors_cover_the_network_with_contact_persons_and_example_addresses():
    seed()

    actors = Actor.objects.filter(district=coesfeld())
    assert actors.count() >= 30
    assert all(a.external_id.startswith(demo.ACTOR_ID_PREFIX) for a in actors)
    names = set(actors.values_list("actor_type__name", flat=True))
    assert {"Jobcenter", "Ausländerbehörde", "Sozialamt", "Beratungsstelle", "Schule"} <= names
    for actor in actors.prefetch_related("contact_persons", "municipalities"):
        assert 1 <= len(actor.contact_persons.all()) <= 3
        assert actor.municipalities.exists()
        assert actor.email.endswith(".example")
        assert all(p.email.endswith(".example") for p in actor.contact_persons.all())
    assert not Client.objects.exclude(email="").exclude(email__endswith=".example").exists()


def test_running_twice_adds_cases_but_not_staff_or_actors():
    seed()
    users, actors, persons = User.objects.count(), Actor.objects.count(), ContactPerson.objects.count()
    first = set(Case.objects.values_list("reference", flat=True))
    first_clients = set(Client.objects.values_list("pk", flat=True))

    seed()

    assert Case.objects.count() == 400
    references = list(Case.objects.values_list("reference", flat=True))
    assert len(set(references)) == 400
    assert first < set(references)
    assert (User.objects.count(), Actor.objects.count(), ContactPerson.objects.count()) == (
        users,
        actors,
        persons,
    )
    # The second run draws other people, not the same ones again.
    names = [(c.first_name, c.last_name, c.date_of_birth) for c in Client.objects.order_by("pk")]
    assert names[: len(first_clients)] != names[len(first_clients) :][: len(first_clients)]


def test_the_same_seed_gives_the_same_data():
    assert demo.person_names(seed=1, count=50) == demo.person_names(seed=1, count=50)
    assert demo.person_names(seed=1, count=50) != demo.person_names(seed=2, count=50)

    seed(cases=60, seed=5)
    first = cases_with_subjects()
    Case.objects.all().delete()
    Client.objects.all().delete()
    Household.objects.all().delete()

    seed(cases=60, seed=5)

    assert cases_with_subjects() == first


def test_sampled_rows_pass_full_clean():
    seed()

    for model in (
        User,
        Actor,
        ContactPerson,
        Household,
        Client,
        Case,
        PhaseChange,
        CaseAssignment,
        Contact,
        Goal,
        GoalStatusChange,
        Referral,
        FollowUp,
        Consent,
    ):
        rows = list(model.objects.order_by("?")[:25])
        assert rows, model
        for row in rows:
            row.full_clean()


def test_it_seeds_another_district_without_touching_coesfeld():
    region = RegionFactory(name="West")
    MunicipalityFactory(region=region, name="Musterstadt")
    MunicipalityFactory(region=region, name="Beispieldorf")
    district = region.district

    seed_output = StringIO()
    call_command("seed_demo", cases=30, seed=3, district=district.key, stdout=seed_output)

    cases = Case.objects.filter(district=district)
    assert cases.count() == 30
    assert not Case.objects.filter(district=coesfeld()).exists()
    assert all(c.reference.startswith(f"{district.code}-") for c in cases)
    assert set(User.objects.filter(district=district).values_list("username", flat=True)) == {
        f"{district.code.lower()}.koord.west",
        *(f"{district.code.lower()}.cm.west.{n}" for n in (1, 2, 3)),
    }


def test_it_refuses_an_unknown_district():
    with pytest.raises(CommandError):
        call_command("seed_demo", cases=1, district="99999", stdout=StringIO())


def test_zero_cases_creates_only_staff_and_actors():
    seed(cases=0)

    assert not Case.objects.exists()
    assert User.objects.count() == 12
    assert Actor.objects.exists()
