import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import CASE_MANAGEMENT, COORDINATION
from casework import services as casework_services
from casework.lifecycle import Phase
from regions.models import Region
from structural import selectors
from tests.conftest import make_staff
from tests.factories import closure_reason

from .conftest import case_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def move(case, *phases):
    for phase in phases:
        extra = {"closure_reason": closure_reason(), "closed_on": TODAY} if phase == Phase.CLOSED else {}
        casework_services.case_change_phase(case=case, to_phase=phase, by=None, **extra)


@pytest.fixture
def data():
    """A hand-built data set:

    Nord: Anna (1.0 FTE, Nord only): 3 active cases (intake, assessment, monitoring), 1 paused, 1 closed.
          Ben (0.5 FTE, Nord and Süd): 2 active cases in Nord, 1 in Senden (Süd).
          Waiting: 2 unassigned intake cases in Nord (opened 10 and 40 days ago); an unassigned case
          in assessment is no longer waiting.
    Süd:  Ben's 1 case; 1 waiting case (5 days).
    """
    anna = make_staff(
        CASE_MANAGEMENT, region_names=("Nord",), first_name="Anna", last_name="Aal", fte=Decimal("1")
    )
    ben = make_staff(
        CASE_MANAGEMENT, region_names=("Nord", "Süd"), first_name="Ben", last_name="Bär", fte=Decimal("0.5")
    )
    case_in("Coesfeld", case_manager=anna)
    move(case_in("Billerbeck", case_manager=anna), Phase.ASSESSMENT)
    move(case_in("Coesfeld", case_manager=anna), Phase.ASSESSMENT, Phase.PLANNING, Phase.MONITORING)
    move(case_in("Coesfeld", case_manager=anna), Phase.PAUSED)
    move(case_in("Coesfeld", case_manager=anna), Phase.CLOSED)
    case_in("Havixbeck", case_manager=ben)
    case_in("Rosendahl", case_manager=ben)
    case_in("Senden", case_manager=ben)
    waiting_long = case_in("Coesfeld", opened_on=TODAY - dt.timedelta(days=40))
    waiting_short = case_in("Billerbeck", opened_on=TODAY - dt.timedelta(days=10))
    move(case_in("Coesfeld", opened_on=TODAY - dt.timedelta(days=60)), Phase.ASSESSMENT)
    waiting_sued = case_in("Olfen", opened_on=TODAY - dt.timedelta(days=5))
    return {"anna": anna, "ben": ben, "waiting": [waiting_long, waiting_short, waiting_sued]}


def test_capacity_figures_match_the_hand_built_data_set(data):
    nord, sued = Region.objects.get(name="Nord"), Region.objects.get(name="Süd")
    loads = {load.region.name: load for load in selectors.team_capacity(regions=[nord, sued])}

    # Nord: Anna 3 + Ben 2 + 2 waiting intake cases (unassigned but active) + 1 unassigned in assessment.
    assert loads["Nord"].active_cases == 8
    assert loads["Nord"].waiting == 2
    assert loads["Nord"].fte == Decimal("1.25")  # Anna 1.0 + half of Ben's 0.5
    assert loads["Nord"].per_fte == Decimal("6.4")
    assert loads["Süd"].active_cases == 2  # Ben's case and the waiting one
    assert loads["Süd"].fte == Decimal("0.25")
    assert loads["Süd"].per_fte == Decimal("8.0")

    staff = {s.user.first_name: s for s in loads["Nord"].staff}
    assert staff["Anna"].active_cases == 3
    assert staff["Anna"].per_fte == Decimal("3.0")
    assert staff["Ben"].active_cases == 3  # all of his active cases, in both regions
    assert staff["Ben"].per_fte == Decimal("6.0")
    assert [s.user.first_name for s in loads["Süd"].staff] == ["Ben"]


def test_the_waiting_list_shows_the_longest_waiting_first_with_days(data):
    nord, sued = Region.objects.get(name="Nord"), Region.objects.get(name="Süd")
    entries = selectors.waiting_list(regions=[nord, sued])
    assert [e.case for e in entries] == data["waiting"]
    assert [e.days for e in entries] == [40, 10, 5]
    assert [e.case for e in selectors.waiting_list(regions=[sued])] == data["waiting"][2:]


def test_the_capacity_page_shows_koordination_its_regions_only(client, data):
    client.force_login(make_staff(COORDINATION, region_names=("Nord",)))
    response = client.get(reverse("structural:capacity"))
    html = response.content.decode()
    assert response.status_code == 200
    assert data["waiting"][0].reference in html and data["waiting"][1].reference in html
    assert data["waiting"][2].reference not in html  # Süd is not this coordinator's region
    assert "Anna Aal" in html and "6,4" in html
