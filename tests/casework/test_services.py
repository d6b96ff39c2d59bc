import datetime as dt
import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from casework import services
from casework.models import Case, CaseAssignment, Client, Household
from regions.models import Municipality
from tests.factories import (
    CaseFactory,
    ClientFactory,
    DistrictFactory,
    MunicipalityFactory,
    RegionFactory,
    UserFactory,
    municipality,
)

pytestmark = pytest.mark.django_db


def test_references_count_up_per_district_and_year():
    this_year = timezone.localdate().year
    first = CaseFactory(opened_on=dt.date(this_year, 1, 2))
    second = CaseFactory(opened_on=dt.date(this_year, 3, 4))
    last_year = CaseFactory(opened_on=dt.date(this_year - 1, 12, 31))
    assert first.reference == f"COE-{this_year}-00001"
    assert second.reference == f"COE-{this_year}-00002"
    assert last_year.reference == f"COE-{this_year - 1}-00001"


def test_each_district_has_its_own_sequence():
    borken = DistrictFactory(name="Kreis Borken", key="05554", code="BOR")
    bocholt = MunicipalityFactory(region=RegionFactory(district=borken), ags="05554008")
    year = timezone.localdate().year
    coe = CaseFactory()
    bor = CaseFactory(client=ClientFactory(municipality=bocholt))
    assert coe.reference == f"COE-{year}-00001"
    assert bor.reference == f"BOR-{year}-00001"


def test_a_case_is_for_a_client_or_a_household_not_both_not_neither():
    client = ClientFactory()
    household = services.household_create(name="Familie Haddad", municipality=municipality())
    for kwargs in [{}, {"client": client, "household": household}]:
        with pytest.raises(ValidationError):
            services.case_open(by=None, municipality=municipality(), **kwargs)
    assert Case.objects.count() == 0
    case = services.case_open(by=None, municipality=municipality(), household=household)
    assert case.subject == household


@pytest.mark.django_db(transaction=True)
def test_references_stay_unique_when_cases_are_opened_at_the_same_time():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and real concurrency need PostgreSQL")
    clients = [ClientFactory() for _ in range(8)]
    barrier = threading.Barrier(len(clients))
    errors: list[Exception] = []

    def open_case(client: Client) -> None:
        try:
            barrier.wait()
            services.case_open(by=None, municipality=client.municipality, client=client)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=open_case, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    references = list(Case.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references)) == 8
    year = timezone.localdate().year
    assert sorted(references) == [f"COE-{year}-{n:05d}" for n in range(1, 9)]


def test_reference_format():
    case = CaseFactory()
    assert re.fullmatch(r"COE-\d{4}-\d{5}", case.reference)


def test_date_of_birth_in_the_future_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        services.client_create(
            first_name="Amina",
            last_name="Haddad",
            date_of_birth=timezone.localdate() + dt.timedelta(days=1),
            municipality=municipality(),
        )
    assert excinfo.value.message_dict["date_of_birth"] == [
        "Das Geburtsdatum darf nicht in der Zukunft liegen."
    ]
    assert Client.objects.count() == 0


def test_household_with_members_is_created_all_or_nothing():
    members = [
        {"first_name": "Omar", "last_name": "Haddad", "household_role": "head"},
        {"first_name": "Lina", "last_name": "Haddad", "date_of_birth": dt.date(2999, 1, 1)},
    ]
    with pytest.raises(ValidationError):
        services.household_create(name="Familie Haddad", municipality=municipality(), members=members)
    assert Household.objects.count() == 0
    assert Client.objects.count() == 0


def test_handover_is_recorded_and_history_stays_with_the_case():
    anna, ben, lead = UserFactory(), UserFactory(), UserFactory()
    case = CaseFactory(case_manager=anna, by=lead)
    services.case_reassign(case=case, to_manager=ben, by=lead, note="Elternzeit")
    case.refresh_from_db()
    assert case.case_manager == ben
    history = list(case.assignments.values_list("from_manager", "to_manager", "assigned_by", "note"))
    assert history == [(None, anna.pk, lead.pk, ""), (anna.pk, ben.pk, lead.pk, "Elternzeit")]


def test_handover_to_the_same_person_is_refused():
    anna = UserFactory()
    case = CaseFactory(case_manager=anna)
    with pytest.raises(ValidationError, match="bereits"):
        services.case_reassign(case=case, to_manager=anna, by=None)


def test_many_cases_are_handed_over_at_once_each_with_its_record():
    leaving, taking_over = UserFactory(), UserFactory()
    cases = [CaseFactory(case_manager=leaving) for _ in range(3)]
    other = CaseFactory(case_manager=taking_over)
    moved = services.cases_reassign(
        cases=Case.objects.filter(case_manager=leaving), to_manager=taking_over, by=None
    )
    assert len(moved) == 3
    assert set(Case.objects.filter(case_manager=taking_over)) == {*cases, other}
    assert CaseAssignment.objects.filter(from_manager=leaving, to_manager=taking_over).count() == 3


def test_contact_in_the_future_is_refused():
    case = CaseFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.contact_create(
            case=case,
            by=None,
            channel="phone",
            duration_minutes=10,
            contacted_on=timezone.localdate() + dt.timedelta(days=2),
        )
    assert "contacted_on" in excinfo.value.message_dict


def test_contact_duration_out_of_range_is_refused():
    case = CaseFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.contact_create(case=case, by=None, channel="phone", duration_minutes=0)
    assert "duration_minutes" in excinfo.value.message_dict


def test_follow_up_is_assigned_to_the_case_manager_and_can_be_completed():
    anna = UserFactory()
    case = CaseFactory(case_manager=anna)
    follow_up = services.follow_up_create(
        case=case, by=None, title="Bescheid prüfen", due_on=timezone.localdate()
    )
    assert follow_up.assigned_to == anna
    done = services.follow_up_complete(follow_up=follow_up, by=anna)
    assert done.is_done and done.done_by == anna


def test_goal_status_changes_are_recorded():
    case = CaseFactory()
    goal = services.goal_create(case=case, by=None, title="Sprachkurs B1 beginnen")
    services.goal_set_status(goal=goal, status="achieved", by=None)
    assert list(goal.status_changes.values_list("from_status", "to_status")) == [
        ("", "open"),
        ("open", "achieved"),
    ]


def test_consent_dates_must_be_in_order():
    case = CaseFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.consent_create(
            case=case,
            by=None,
            purpose="Austausch mit dem Jobcenter",
            given_on=timezone.localdate(),
            valid_until=timezone.localdate() - dt.timedelta(days=1),
        )
    assert "valid_until" in excinfo.value.message_dict


def test_referral_contact_person_must_belong_to_the_actor():
    from tests.factories import ActorFactory, ContactPersonFactory

    case = CaseFactory()
    actor, other = ActorFactory(), ActorFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.referral_create(
            case=case, by=None, actor=actor, contact_person=ContactPersonFactory(actor=other)
        )
    assert "contact_person" in excinfo.value.message_dict


def test_municipality_of_case_keeps_region():
    case = CaseFactory(client=ClientFactory(municipality=Municipality.objects.get(name="Olfen")))
    assert case.region.name == "Süd"
