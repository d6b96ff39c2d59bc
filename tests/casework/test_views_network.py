"""The network directory: list with filters, actor page with referrals, create and edit."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import CASE_MANAGEMENT, COORDINATION, STATISTICS
from casework import services
from casework.consent import LEGAL_BASIS_EXAMPLE
from casework.filters.network import ALL, INACTIVE
from casework.forms.network import (
    ACTOR_NAME_REQUIRED,
    CONTACT_PERSON_NAME_REQUIRED,
    EMAIL_INVALID,
    WEBSITE_INVALID,
)
from casework.models import (
    CONTACT_PERSON_OF_OTHER_ACTOR,
    POSTAL_CODE_INVALID,
    Actor,
    ActorType,
    ContactPerson,
    ReferralStatus,
)
from regions.models import Municipality, Region
from tests.factories import (
    ActorFactory,
    ActorTypeFactory,
    CaseFactory,
    ClientFactory,
    ContactPersonFactory,
    DistrictFactory,
    MunicipalityFactory,
    RegionFactory,
    UserFactory,
    coesfeld,
    municipality,
    topic,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("network:list")
CREATE_URL = reverse("network:create")

# Fixed upper bounds: the same for 3 and for 30 rows, so queries cannot grow per row.
LIST_MAX_QUERIES = 17
DETAIL_MAX_QUERIES = 14


def _staff(role, region_names=("Nord",), **fields):
    user = UserFactory(regions=list(Region.objects.filter(name__in=region_names)), **fields)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def manager():
    return _staff(CASE_MANAGEMENT)


@pytest.fixture
def web(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def borken_actor():
    borken = DistrictFactory(name="Kreis Borken", key="05554", code="BOR")
    bocholt = MunicipalityFactory(region=RegionFactory(district=borken, name="West"), ags="05554008")
    actor = ActorFactory(district=borken, name="Jobcenter Borken")
    actor.municipalities.set([bocholt])
    return actor


def _names(response) -> list[str]:
    return [actor.name for actor in response.context["actors"]]


def _management(total=2, initial=0):
    return {
        "contacts-TOTAL_FORMS": str(total),
        "contacts-INITIAL_FORMS": str(initial),
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "50",
    }


def _create_data(**overrides):
    data = {
        "name": "Migrationsberatung für Erwachsene Dülmen",
        "actor_type": str(ActorType.objects.get(name="Beratungsstelle").pk),
        "municipalities": [str(municipality("Dülmen").pk), str(municipality("Nottuln").pk)],
        "topics": [str(topic("Sprache").pk), str(topic("Aufenthalt").pk)],
        "street": "Marktstraße 1",
        "postal_code": "48249",
        "city": "Dülmen",
        "phone": "02594 12345",
        "email": "mbe@caritas-duelmen.example",
        "website": "www.caritas-duelmen.example",
        "description": "Beratung für zugewanderte Erwachsene über 27 Jahre.",
        "is_active": "on",
        **_management(total=2),
        "contacts-0-name": "Fatma Demir",
        "contacts-0-role": "Beraterin MBE",
        "contacts-0-phone": "02594 12346",
        "contacts-0-email": "demir@caritas-duelmen.example",
        "contacts-0-is_active": "on",
        # The second row is left empty, as a browser sends it.
        "contacts-1-name": "",
        "contacts-1-role": "",
        "contacts-1-phone": "",
        "contacts-1-email": "",
        "contacts-1-is_active": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- Access ---------------------------------------------------------------------------


def test_every_page_asks_anonymous_visitors_to_log_in(client):
    actor = ActorFactory()
    for url in [
        LIST_URL,
        CREATE_URL,
        reverse("network:detail", args=[actor.pk]),
        reverse("network:edit", args=[actor.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/anmelden/")
    response = client.post(CREATE_URL, _create_data())
    assert response.status_code == 302
    assert Actor.objects.count() == 1


def test_another_districts_actor_is_not_listed_and_is_a_404(web, borken_actor):
    ActorFactory(name="Jobcenter Kreis Coesfeld")
    response = web.get(LIST_URL, {"status": ALL})
    assert _names(response) == ["Jobcenter Kreis Coesfeld"]
    assert "Jobcenter Borken" not in response.content.decode()
    assert web.get(reverse("network:detail", args=[borken_actor.pk])).status_code == 404
    assert web.get(reverse("network:edit", args=[borken_actor.pk])).status_code == 404
    response = web.post(reverse("network:edit", args=[borken_actor.pk]), _create_data())
    assert response.status_code == 404
    borken_actor.refresh_from_db()
    assert borken_actor.name == "Jobcenter Borken"


def test_a_superuser_sees_every_district(admin_client, borken_actor):
    ActorFactory(name="Jobcenter Kreis Coesfeld")
    assert _names(admin_client.get(LIST_URL)) == ["Jobcenter Borken", "Jobcenter Kreis Coesfeld"]
    assert admin_client.get(reverse("network:detail", args=[borken_actor.pk])).status_code == 200


def test_staff_without_district_see_no_actors(client):
    ActorFactory()
    user = _staff(CASE_MANAGEMENT, district=None)
    client.force_login(user)
    assert _names(client.get(LIST_URL)) == []


def test_statistik_reads_the_directory_but_may_not_create_or_edit(client):
    actor = ActorFactory(name="Jobcenter Kreis Coesfeld")
    client.force_login(_staff(STATISTICS))
    response = client.get(LIST_URL)
    assert _names(response) == ["Jobcenter Kreis Coesfeld"]
    assert CREATE_URL not in response.content.decode()
    assert client.get(CREATE_URL).status_code == 403
    assert client.post(CREATE_URL, _create_data()).status_code == 403
    assert client.get(reverse("network:edit", args=[actor.pk])).status_code == 403
    assert client.post(reverse("network:edit", args=[actor.pk]), _create_data()).status_code == 403
    assert Actor.objects.count() == 1


# --- The list -------------------------------------------------------------------------


@pytest.fixture
def network():
    """Four actors of Kreis Coesfeld, different in every respect the filters look at."""
    jobcenter = ActorFactory(name="Jobcenter Coesfeld", actor_type=ActorTypeFactory(name="Jobcenter"))
    jobcenter.municipalities.set(Municipality.objects.filter(region__district=coesfeld()))
    jobcenter.topics.set([topic("Arbeit")])
    mbe = ActorFactory(
        name="Caritas Dülmen",
        description="Migrationsberatung für Erwachsene (MBE)",
        actor_type=ActorTypeFactory(name="Beratungsstelle"),
    )
    mbe.municipalities.set([municipality("Dülmen"), municipality("Nottuln")])
    mbe.topics.set([topic("Sprache"), topic("Aufenthalt")])
    ContactPersonFactory(actor=mbe, name="Fatma Demir")
    school = ActorFactory(name="Gesamtschule Olfen", actor_type=ActorTypeFactory(name="Schule"))
    school.municipalities.set([municipality("Olfen")])
    school.topics.set([topic("Bildung"), topic("Sprache")])
    closed = ActorFactory(name="Sprachcafé Billerbeck", is_active=False)
    closed.municipalities.set([municipality("Billerbeck")])
    return {"jobcenter": jobcenter, "mbe": mbe, "school": school, "closed": closed}


def test_the_list_shows_active_actors_by_default(web, network):
    response = web.get(LIST_URL)
    assert response.status_code == 200
    assert _names(response) == ["Caritas Dülmen", "Gesamtschule Olfen", "Jobcenter Coesfeld"]
    content = response.content.decode()
    assert "3 Akteure" in content
    assert 'value="active" selected' in content


def test_the_status_filter_shows_inactive_or_all_actors(web, network):
    assert _names(web.get(LIST_URL, {"status": INACTIVE})) == ["Sprachcafé Billerbeck"]
    assert len(_names(web.get(LIST_URL, {"status": ALL}))) == 4
    # Nonsense in the URL falls back to the default instead of failing.
    assert len(_names(web.get(LIST_URL, {"status": "kaputt"}))) == 3


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "Süd"}, ["Gesamtschule Olfen", "Jobcenter Coesfeld"]),
        ({"region": "Mitte"}, ["Caritas Dülmen", "Jobcenter Coesfeld"]),
        ({"municipality": "Nottuln"}, ["Caritas Dülmen", "Jobcenter Coesfeld"]),
        ({"actor_type": "Schule"}, ["Gesamtschule Olfen"]),
        ({"topic": "Sprache"}, ["Caritas Dülmen", "Gesamtschule Olfen"]),
        ({"topic": "Sprache", "region": "Süd"}, ["Gesamtschule Olfen"]),
        ({"q": "olfen"}, ["Gesamtschule Olfen"]),
        ({"q": "Migrationsberatung"}, ["Caritas Dülmen"]),
        ({"q": "Demir"}, ["Caritas Dülmen"]),
        ({"q": "Fatma Caritas"}, ["Caritas Dülmen"]),
        ({"q": "Schuldnerberatung"}, []),
    ],
)
def test_the_list_filters(web, network, params, expected):
    query = dict(params)
    if "region" in query:
        query["region"] = Region.objects.get(district=coesfeld(), name=query["region"]).pk
    if "municipality" in query:
        query["municipality"] = municipality(query["municipality"]).pk
    if "actor_type" in query:
        query["actor_type"] = ActorType.objects.get(name=query["actor_type"]).pk
    if "topic" in query:
        query["topic"] = topic(query["topic"]).pk
    response = web.get(LIST_URL, query)
    assert response.status_code == 200
    assert _names(response) == expected


def test_an_actor_serving_a_whole_region_is_listed_compactly(web, network):
    rows = {actor.name: actor.served_areas for actor in web.get(LIST_URL).context["actors"]}
    assert rows["Jobcenter Coesfeld"] == ["ganzer Kreis"]
    assert rows["Caritas Dülmen"] == ["Teilregion Mitte"]
    assert rows["Gesamtschule Olfen"] == ["Olfen"]


def test_the_list_sorts_by_name_and_type(web, network):
    assert _names(web.get(LIST_URL, {"o": "-name"})) == [
        "Jobcenter Coesfeld",
        "Gesamtschule Olfen",
        "Caritas Dülmen",
    ]
    assert _names(web.get(LIST_URL, {"o": "type"})) == [
        "Caritas Dülmen",
        "Jobcenter Coesfeld",
        "Gesamtschule Olfen",
    ]
    # An unknown sort key is ignored, not an error.
    assert web.get(LIST_URL, {"o": "password"}).status_code == 200


def test_bad_filter_values_are_not_an_error(web, network):
    for params in [{"region": "abc"}, {"municipality": "999999"}, {"topic": "x"}, {"page": "zwei"}]:
        assert web.get(LIST_URL, params).status_code == 200


def test_the_list_pages_by_50_and_keeps_the_filters(web):
    kind = ActorTypeFactory(name="Kita")
    for n in range(55):
        ActorFactory(name=f"Kita {n:02d}", actor_type=kind)
    response = web.get(LIST_URL, {"actor_type": kind.pk})
    assert len(response.context["actors"]) == 50
    content = response.content.decode()
    assert "55 Akteure" in content
    assert f"actor_type={kind.pk}&amp;page=2" in content or f"page=2&amp;actor_type={kind.pk}" in content
    assert len(web.get(LIST_URL, {"actor_type": kind.pk, "page": 2}).context["actors"]) == 5


def _grow_network(count):
    kinds = [ActorTypeFactory(name=name) for name in ("Jobcenter", "Schule", "Beratungsstelle")]
    places = list(Municipality.objects.filter(region__district=coesfeld()))
    topics = [topic("Sprache"), topic("Arbeit"), topic("Wohnen")]
    for n in range(count):
        actor = ActorFactory(name=f"Akteur {n:02d}", actor_type=kinds[n % 3])
        actor.municipalities.set(places[n % 5 : n % 5 + 3])
        actor.topics.set(topics[: 1 + n % 3])
        ContactPersonFactory(actor=actor)


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_runs_the_same_queries_for_3_and_30_actors(
    web, manager, count, django_assert_max_num_queries
):
    _grow_network(count)
    params = {"topic": topic("Sprache").pk, "o": "type"}
    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        response = web.get(LIST_URL, params)
    assert len(response.context["actors"]) == count


# --- The actor page -------------------------------------------------------------------


@pytest.fixture
def referrals(manager):
    """Referrals to one actor from a case in Nord (the manager's region) and one in Süd."""
    actor = ActorFactory(name="Caritas Coesfeld")
    actor.municipalities.set([municipality("Coesfeld"), municipality("Olfen")])
    ContactPersonFactory(actor=actor, name="Fatma Demir", role="Beraterin", email="demir@caritas.example")
    north = CaseFactory(
        case_manager=manager,
        client=ClientFactory(
            first_name="Zeynep", last_name="Nordmann", municipality=municipality("Coesfeld")
        ),
    )
    south = CaseFactory(
        client=ClientFactory(first_name="Yusuf", last_name="Südmann", municipality=municipality("Olfen")),
    )
    consent = services.consent_create(
        case=north, by=manager, purpose="Sprachkurs", given_on=north.opened_on, actors=[actor]
    )
    services.referral_create(case=north, by=manager, actor=actor, topic=topic("Sprache"), consent=consent)
    services.referral_create(
        case=north, by=manager, actor=actor, status=ReferralStatus.TAKEN_UP, consent=consent
    )
    services.referral_create(
        case=south, by=None, actor=actor, status=ReferralStatus.DECLINED, legal_basis=LEGAL_BASIS_EXAMPLE
    )
    return {"actor": actor, "north": north, "south": south}


def test_the_actor_page_shows_the_actor(web, referrals):
    actor = referrals["actor"]
    response = web.get(reverse("network:detail", args=[actor.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Caritas Coesfeld" in content
    assert "Teilregion Nord" in content and "Teilregion Süd" in content
    assert "Fatma Demir" in content and "Beraterin" in content and "demir@caritas.example" in content


def test_the_actor_page_lists_referrals_only_from_visible_cases_and_no_names(web, referrals):
    actor, north, south = referrals["actor"], referrals["north"], referrals["south"]
    response = web.get(reverse("network:detail", args=[actor.pk]))
    content = response.content.decode()
    assert [r.case_id for r in response.context["page_obj"]] == [north.pk, north.pk]
    assert north.reference in content
    assert reverse("cases:detail", args=[north.pk]) in content
    assert south.reference not in content
    for name in ("Zeynep", "Nordmann", "Yusuf", "Südmann"):
        assert name not in content
    counts = {row["status"]: row["count"] for row in response.context["referral_counts"]}
    assert counts[ReferralStatus.REFERRED] == 1
    assert counts[ReferralStatus.TAKEN_UP] == 1
    assert counts[ReferralStatus.DECLINED] == 0  # the one from Süd is not the user's to see
    assert response.context["referral_total"] == 2


def test_a_coordinator_of_both_regions_sees_all_referrals(client, referrals):
    client.force_login(_staff(COORDINATION, region_names=("Nord", "Süd")))
    response = client.get(reverse("network:detail", args=[referrals["actor"].pk]))
    assert response.context["referral_total"] == 3
    assert referrals["south"].reference in response.content.decode()


def test_statistik_sees_the_actor_but_no_referrals(client, referrals):
    client.force_login(_staff(STATISTICS, region_names=("Nord", "Süd")))
    response = client.get(reverse("network:detail", args=[referrals["actor"].pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Caritas Coesfeld" in content
    assert "Vermittlungen" not in content
    assert referrals["north"].reference not in content
    assert "referral_counts" not in response.context


@pytest.mark.parametrize("count", [3, 30])
def test_the_actor_page_runs_the_same_queries_for_3_and_30_rows(
    web, manager, count, django_assert_max_num_queries
):
    actor = ActorFactory()
    actor.municipalities.set(Municipality.objects.filter(region__district=coesfeld()))
    actor.topics.set([topic("Sprache"), topic("Arbeit")])
    for _ in range(count):
        ContactPersonFactory(actor=actor)
    case = CaseFactory(case_manager=manager)
    for n in range(count):
        services.referral_create(
            case=case,
            by=manager,
            actor=actor,
            topic=topic("Sprache") if n % 2 else None,
            legal_basis=LEGAL_BASIS_EXAMPLE,
        )
    with django_assert_max_num_queries(DETAIL_MAX_QUERIES):
        response = web.get(reverse("network:detail", args=[actor.pk]))
    assert response.context["referral_total"] == count


# --- Create and edit ------------------------------------------------------------------


def test_the_create_form_offers_the_districts_municipalities_grouped_by_region(web, borken_actor):
    response = web.get(CREATE_URL)
    assert response.status_code == 200
    groups = response.context["form"].municipality_groups()
    assert [label for label, _ in groups] == ["Teilregion Mitte", "Teilregion Nord", "Teilregion Süd"]
    assert sum(len(boxes) for _, boxes in groups) == 11
    content = response.content.decode()
    assert "<legend>Teilregion Nord</legend>" in content
    assert "Bocholt" not in content


def test_a_case_manager_creates_an_actor_with_a_contact_person(web, manager):
    response = web.post(CREATE_URL, _create_data())
    actor = Actor.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("network:detail", args=[actor.pk])
    assert actor.district == coesfeld()
    assert actor.website == "https://www.caritas-duelmen.example"
    assert {m.name for m in actor.municipalities.all()} == {"Dülmen", "Nottuln"}
    assert {t.name for t in actor.topics.all()} == {"Sprache", "Aufenthalt"}
    person = ContactPerson.objects.get()  # the empty second row was ignored
    assert (person.actor, person.name, person.role) == (actor, "Fatma Demir", "Beraterin MBE")
    page = web.get(response.url)
    assert "wurde angelegt" in page.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", ACTOR_NAME_REQUIRED),
        ("name", "   ", ACTOR_NAME_REQUIRED),
        ("postal_code", "12", POSTAL_CODE_INVALID),
        ("postal_code", "4865a", POSTAL_CODE_INVALID),
        ("email", "keine-adresse", EMAIL_INVALID),
        ("website", "kein link", WEBSITE_INVALID),
        ("contacts-0-name", "", CONTACT_PERSON_NAME_REQUIRED),
        ("contacts-0-email", "demir@", EMAIL_INVALID),
    ],
)
def test_bad_input_shows_a_german_error_and_writes_nothing(web, field, value, message):
    response = web.post(CREATE_URL, _create_data(**{field: value}))
    assert response.status_code == 200
    content = response.content.decode()
    assert str(message) in content
    assert "Bitte korrigieren Sie die markierten Angaben" in content
    assert Actor.objects.count() == 0
    assert ContactPerson.objects.count() == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"actor_type": "abc"},
        {"actor_type": "999999"},
        {"municipalities": ["x"]},
        {"topics": ["999999"]},
        {"contacts-TOTAL_FORMS": "zwei"},
        {"contacts-TOTAL_FORMS": None, "contacts-INITIAL_FORMS": None},
        {"contacts-TOTAL_FORMS": "5000"},
        {"contacts-0-id": "999999", "contacts-INITIAL_FORMS": "1"},
        {"is_active": "vielleicht", "name": "x" * 500},
    ],
)
def test_garbage_is_a_form_error_never_a_server_error(web, overrides):
    response = web.post(CREATE_URL, _create_data(**overrides))
    assert response.status_code == 200
    assert Actor.objects.count() == 0


def test_a_municipality_of_another_district_cannot_be_chosen(web, borken_actor):
    foreign = borken_actor.municipalities.get()
    response = web.post(CREATE_URL, _create_data(municipalities=[str(foreign.pk)]))
    assert response.status_code == 200
    assert response.context["form"].errors["municipalities"]
    assert Actor.objects.count() == 1


def test_a_superuser_without_district_gets_the_district_of_the_first_municipality(admin_client):
    response = admin_client.post(CREATE_URL, _create_data())
    assert response.status_code == 302
    assert Actor.objects.get().district == coesfeld()


def test_a_superuser_without_district_must_choose_a_municipality(admin_client):
    response = admin_client.post(CREATE_URL, _create_data(municipalities=None))
    assert response.status_code == 200
    assert str(services.ACTOR_NEEDS_DISTRICT) in response.content.decode()
    assert Actor.objects.count() == 0


def test_a_user_without_district_cannot_create(client):
    client.force_login(_staff(COORDINATION, district=None))
    response = client.post(CREATE_URL, _create_data(municipalities=None))
    assert response.status_code == 200
    assert str(services.USER_WITHOUT_DISTRICT) in response.content.decode()
    assert Actor.objects.count() == 0


def _edit_data(actor, persons, **overrides):
    data = _create_data(**_management(total=len(persons) + 1, initial=len(persons)))
    for key in [k for k in data if k.startswith("contacts-") and k[9].isdigit()]:
        del data[key]
    for index, person in enumerate(persons):
        data |= {
            f"contacts-{index}-id": str(person.pk),
            f"contacts-{index}-actor": str(actor.pk),
            f"contacts-{index}-name": person.name,
            f"contacts-{index}-role": person.role,
            f"contacts-{index}-phone": person.phone,
            f"contacts-{index}-email": person.email,
            f"contacts-{index}-is_active": "on",
        }
    new = len(persons)
    data |= {f"contacts-{new}-name": "", f"contacts-{new}-is_active": "on"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_coordinator_edits_an_actor_and_its_contact_persons(client):
    client.force_login(_staff(COORDINATION))
    actor = ActorFactory(name="Caritas Dülmen")
    actor.municipalities.set([municipality("Olfen")])
    stays = ContactPersonFactory(actor=actor, name="Fatma Demir", role="Beraterin")
    leaves = ContactPersonFactory(actor=actor, name="Peter Alt")
    other_actor = ContactPersonFactory(name="Anna Fremd")
    url = reverse("network:edit", args=[actor.pk])
    assert client.get(url).status_code == 200
    persons = sorted([stays, leaves], key=lambda p: p.name)  # the formset lists them by name
    index = {p.pk: i for i, p in enumerate(persons)}
    response = client.post(
        url,
        _edit_data(
            actor,
            persons,
            name="Caritasverband Dülmen",
            **{
                f"contacts-{index[stays.pk]}-role": "Teamleitung",
                f"contacts-{index[leaves.pk]}-DELETE": "on",
                "contacts-2-name": "Neue Kollegin",
                "contacts-2-email": "neu@caritas.example",
            },
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    actor.refresh_from_db()
    assert actor.name == "Caritasverband Dülmen"
    assert actor.district == coesfeld()
    assert {m.name for m in actor.municipalities.all()} == {"Dülmen", "Nottuln"}
    assert sorted(actor.contact_persons.values_list("name", "role")) == [
        ("Fatma Demir", "Teamleitung"),
        ("Neue Kollegin", ""),
    ]
    assert ContactPerson.objects.filter(pk=other_actor.pk).exists()


def test_an_edit_with_an_error_changes_nothing(web):
    actor = ActorFactory(name="Caritas Dülmen")
    person = ContactPersonFactory(actor=actor, name="Fatma Demir")
    response = web.post(
        reverse("network:edit", args=[actor.pk]),
        _edit_data(actor, [person], name="Neuer Name", **{"contacts-0-DELETE": "on", "postal_code": "12"}),
    )
    assert response.status_code == 200
    assert str(POSTAL_CODE_INVALID) in response.content.decode()
    actor.refresh_from_db()
    assert actor.name == "Caritas Dülmen"
    assert actor.contact_persons.get() == person


def test_contact_persons_of_another_actor_cannot_be_changed_through_the_form(web):
    actor = ActorFactory()
    foreign = ContactPersonFactory(name="Anna Fremd")
    url = reverse("network:edit", args=[actor.pk])
    data = _edit_data(actor, [], **{"contacts-INITIAL_FORMS": "1", "contacts-TOTAL_FORMS": "1"})
    data |= {"contacts-0-id": str(foreign.pk), "contacts-0-name": "Gekapert"}
    for tampered in [data, data | {"contacts-0-DELETE": "on"}]:
        response = web.post(url, tampered)
        assert response.status_code == 200
        assert str(CONTACT_PERSON_OF_OTHER_ACTOR) in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.name == "Anna Fremd"
    assert not actor.contact_persons.exists()


def test_a_deactivated_topic_of_an_actor_is_kept_when_editing(web):
    actor = ActorFactory()
    old = topic("Wohnen")
    actor.topics.set([old])
    old.is_active = False
    old.save()
    response = web.post(reverse("network:edit", args=[actor.pk]), _edit_data(actor, [], topics=[str(old.pk)]))
    assert response.status_code == 302
    assert list(actor.topics.all()) == [old]
    assert str(old.pk) not in [
        str(box.data["value"]) for box in web.get(CREATE_URL).context["form"]["topics"]
    ]


def test_the_service_refuses_municipalities_of_another_district(manager, borken_actor):
    from django.core.exceptions import ValidationError

    actor = ActorFactory()
    with pytest.raises(ValidationError) as error:
        services.actor_update(
            actor=actor,
            by=manager,
            municipalities=list(borken_actor.municipalities.all()),
            name="Jobcenter",
        )
    assert "municipalities" in error.value.message_dict


def test_a_row_shows_topics_in_order_and_the_first_active_contact_person(web, manager):
    actor = ActorFactory(name="Sprachcafé Lüdinghausen", phone="", email="")
    actor.municipalities.set([municipality("Lüdinghausen")])
    actor.topics.set([topic("Wohnen"), topic("Sprache")])
    ContactPersonFactory(actor=actor, name="Anna Alt", phone="02591 1", email="", is_active=False)
    ContactPersonFactory(actor=actor, name="Berta Berg", phone="02591 2", email="berg@example.org")
    ContactPersonFactory(actor=actor, name="Carla Cramer", phone="02591 3", email="")
    row = next(row for row in web.get(LIST_URL).context["actors"] if row.name == actor.name)
    expected_topics = sorted(["Wohnen", "Sprache"], key=lambda name: (topic(name).sort_order, name))
    assert row.topics == expected_topics
    assert row.served_areas == ["Lüdinghausen"]
    assert row.contact_person == ("Berta Berg", "02591 2", "berg@example.org")
    content = web.get(LIST_URL).content.decode()
    assert 'href="tel:025912"' in content and "Berta Berg" in content and "Anna Alt" not in content
