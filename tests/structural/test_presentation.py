import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import services as casework_services
from casework.models import Client, Household, HouseholdRole
from regions.models import Municipality
from structural.pseudonym import age_group, place_label
from tests.factories import CaseFactory, topic

pytestmark = pytest.mark.django_db

# Strings no page would print by chance: any of them in the HTML is a leak.
FIRST_NAME = "Zqxwvyfirst"
LAST_NAME = "Qzvxwylast"
STREET = "Qwzxyweg 77"
POSTAL_CODE = "48653"
PHONE = "+49 2541 918273645"
EMAIL = "zqx.unusual@example.org"
HOUSEHOLD = "Familie Qzvxwyhaus"
BORN = dt.date(1987, 3, 29)


def unusual_client(municipality: Municipality, **kwargs) -> Client:
    return Client.objects.create(
        first_name=FIRST_NAME,
        last_name=LAST_NAME,
        date_of_birth=BORN,
        street=STREET,
        postal_code=POSTAL_CODE,
        phone=PHONE,
        email=EMAIL,
        municipality=municipality,
        languages="Qzvxwyisch",
        **kwargs,
    )


def identifying_strings(case) -> list[str]:
    return [
        FIRST_NAME,
        LAST_NAME,
        STREET,
        "Qwzxyweg",
        POSTAL_CODE,
        PHONE,
        "918273645",
        EMAIL,
        HOUSEHOLD,
        "Qzvxwyisch",
        BORN.strftime("%d.%m.%Y"),
        BORN.isoformat(),
        "29.03.",
        "1987",
        case.reference,
        "Therapieplatz",  # a goal title: free text stays out
        "Notiz mit Qzvxwy",  # a contact note
    ]


@pytest.fixture
def small_town():
    # Rosendahl has about 11,000 inhabitants: below the threshold.
    town = Municipality.objects.get(name="Rosendahl")
    town.population = 11000
    town.save()
    return town


def fill_case(case, by):
    casework_services.goal_create(case=case, by=by, title="Therapieplatz finden", topic=topic("Gesundheit"))
    casework_services.contact_create(
        case=case,
        by=by,
        channel="in_person",
        duration_minutes=30,
        note="Notiz mit Qzvxwy",
        topics=[topic("Sprache")],
    )


def test_the_presentation_of_a_client_shows_none_of_their_identifying_fields(client, coordinator, small_town):
    case = CaseFactory(client=unusual_client(small_town), by=coordinator)
    fill_case(case, coordinator)
    client.force_login(coordinator)

    response = client.get(reverse("structural:conference_presentation", args=[case.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    for value in identifying_strings(case):
        assert value not in html, value
    assert "Rosendahl" not in html  # too small: the region only
    assert "Teilregion Nord" in html
    today = timezone.localdate()
    assert age_group(BORN, today=today) in html
    assert "Gesundheit" in html  # the goal's topic, not its title


def test_the_presentation_of_a_household_names_no_member(client, coordinator, small_town):
    household = Household.objects.create(name=HOUSEHOLD, municipality=small_town)
    unusual_client(small_town, household=household, household_role=HouseholdRole.HEAD)
    Client.objects.create(
        first_name="Kindqzx",
        last_name=LAST_NAME,
        date_of_birth=dt.date(2016, 8, 1),
        municipality=small_town,
        household=household,
        household_role=HouseholdRole.CHILD,
    )
    case = CaseFactory(client=None, household=household, municipality=small_town, by=coordinator)
    client.force_login(coordinator)

    html = client.get(reverse("structural:conference_presentation", args=[case.pk])).content.decode()

    for value in [*identifying_strings(case), "Kindqzx", "01.08.2016"]:
        assert value not in html, value
    assert "Kind" in html and "Hauptperson" in html


def test_a_large_municipality_is_named_and_an_unknown_population_is_not(settings):
    settings.KIM_PSEUDONYM_MIN_POPULATION = 20000
    town = Municipality.objects.select_related("region").get(name="Dülmen")
    town.population = 47000
    assert place_label(town) == "Dülmen (Teilregion Mitte)"
    town.population = 19999
    assert place_label(town) == "Teilregion Mitte"
    town.population = None
    assert place_label(town) == "Teilregion Mitte"


@pytest.mark.parametrize(
    ("born", "label"),
    [
        (dt.date(2020, 6, 2), "unter 6 Jahre"),
        (dt.date(2008, 6, 2), "17"),
        (dt.date(2008, 6, 1), "18 bis 26 Jahre"),
        (dt.date(1950, 1, 1), "65 Jahre und älter"),
        (None, "Alter unbekannt"),
    ],
)
def test_age_groups(born, label):
    assert label in age_group(born, today=dt.date(2026, 6, 1))


def test_presentation_of_a_case_in_another_region_is_404(client, case_manager):
    case = CaseFactory(client=unusual_client(Municipality.objects.get(name="Senden")))
    client.force_login(case_manager)
    assert client.get(reverse("structural:conference_presentation", args=[case.pk])).status_code == 404


def test_conference_is_recorded_and_a_decision_becomes_a_goal(client, case_manager):
    case = CaseFactory(
        client=unusual_client(Municipality.objects.get(name="Coesfeld")), case_manager=case_manager
    )
    client.force_login(case_manager)
    response = client.post(
        reverse("structural:conference_list", args=[case.pk]),
        {
            "held_on": timezone.localdate().isoformat(),
            "participants": "Team Nord",
            "decisions": "Sprachkurs suchen",
        },
    )
    assert response.status_code == 302
    conference = case.conferences.get()
    response = client.post(
        reverse("structural:conference_to_plan", args=[conference.pk]),
        {"kind": "goal", "title": "Sprachkurs B1"},
    )
    assert response.status_code == 302
    assert case.goals.get().title == "Sprachkurs B1"
    response = client.post(
        reverse("structural:conference_to_plan", args=[conference.pk]),
        {"kind": "follow_up", "title": "Anruf"},
    )
    assert response.status_code == 200  # a follow-up needs a due date
    assert not case.followups.exists()
