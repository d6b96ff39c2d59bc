"""The client pages: list, register (with duplicate check and household), detail, edit, open a case."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.roles import CASE_MANAGEMENT, STATISTICS
from casework import services
from casework.lifecycle import Phase
from casework.models import (
    DATE_OF_BIRTH_IN_FUTURE,
    POSTAL_CODE_INVALID,
    Case,
    Client,
    Household,
    HouseholdRole,
    LegalFramework,
)
from casework.selectors import normalise_name, possible_duplicates
from regions.models import Region
from tests.factories import (
    CaseFactory,
    ClientFactory,
    HouseholdFactory,
    UserFactory,
    closure_reason,
    municipality,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("clients:list")
CREATE_URL = reverse("clients:create")
# Session, user, groups, regions, then the page's own reads; the same for 3 rows and for 30.
# The detail page also writes its audit entry (1 INSERT).
LIST_QUERIES = 11
DETAIL_QUERIES = 15


def _with_role(user, role):
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    return user


def _case_manager(region_name="Nord"):
    return _with_role(UserFactory(regions=[Region.objects.get(name=region_name)]), CASE_MANAGEMENT)


@pytest.fixture
def manager():
    return _case_manager()


@pytest.fixture
def web(client, manager):
    client.force_login(manager)
    return client


def _member_management(total=6):
    return {
        "members-TOTAL_FORMS": str(total),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "6",
    }


def _create_data(**overrides):
    data = {
        "first_name": "Amina",
        "last_name": "Haddad",
        "date_of_birth": "1988-03-04",
        "gender": "f",
        "nationality": "SY",
        "languages": "Arabisch",
        "residence_status": "temporary",
        "residence_valid_until": "",
        "municipality": str(municipality("Coesfeld").pk),
        "street": "Borkener Straße 1",
        "postal_code": "48653",
        "phone": "02541 123456",
        "email": "amina@example.org",
        **_member_management(),
    }
    data.update(overrides)
    return data


def _errors(response) -> str:
    return response.content.decode()


# --- login and scope -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name,args",
    [("clients:list", []), ("clients:create", []), ("clients:detail", [1]), ("clients:edit", [1])],
)
def test_every_page_requires_login(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_open_case_requires_login(client):
    response = client.post(reverse("clients:open_case", args=[1]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_list_shows_only_clients_of_the_users_regions(web):
    ClientFactory(first_name="Nora", last_name="Nordmann", municipality=municipality("Billerbeck"))
    south = ClientFactory(first_name="Sami", last_name="Südmann", municipality=municipality("Olfen"))
    response = web.get(LIST_URL)
    assert response.status_code == 200
    assert "Nordmann" in response.content.decode()
    assert "Südmann" not in response.content.decode()
    assert web.get(reverse("clients:detail", args=[south.pk])).status_code == 404
    assert web.get(reverse("clients:edit", args=[south.pk])).status_code == 404
    assert web.post(reverse("clients:open_case", args=[south.pk])).status_code == 404


def test_statistics_staff_see_no_clients_and_cannot_register(client):
    person = ClientFactory(last_name="Nordmann")
    stats = _with_role(UserFactory(regions=list(Region.objects.all())), STATISTICS)
    client.force_login(stats)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert "Nordmann" not in response.content.decode()
    assert response.context["page_obj"].paginator.count == 0
    assert client.get(reverse("clients:detail", args=[person.pk])).status_code == 404
    assert client.get(CREATE_URL).status_code == 403


def test_region_filter_offers_only_the_users_regions(web):
    response = web.get(LIST_URL)
    regions = list(response.context["filter"].form.fields["region"].queryset.values_list("name", flat=True))
    assert regions == ["Nord"]
    municipalities = set(
        response.context["filter"].form.fields["municipality"].queryset.values_list("name", flat=True)
    )
    assert municipalities == {"Coesfeld", "Rosendahl", "Billerbeck", "Havixbeck"}


# --- list: search, filter, sort ------------------------------------------------------


def test_search_matches_every_word_in_first_or_last_name(web):
    ClientFactory(first_name="Yusuf", last_name="Yılmaz")
    ClientFactory(first_name="Yusuf", last_name="Demir")
    ClientFactory(first_name="Fatma", last_name="Yılmaz")
    response = web.get(LIST_URL, {"q": "yusuf yıl"})
    names = [c.full_name for c in response.context["clients"]]
    assert names == ["Yusuf Yılmaz"]
    assert "1 Klient/in gefunden" in response.content.decode()


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("yilmaz", "Yılmaz"),
        ("YILMAZ", "Yılmaz"),
        ("ozdemir", "Özdemir"),
        ("oezdemir", "Özdemir"),
        ("mueller", "Müller"),
        ("sahin", "Şahin"),
        ("celik", "Çelik"),
        ("jose", "José"),
        ("al-has", "Al-Hassan"),
    ],
)
def test_search_finds_names_however_they_are_spelt(web, typed, stored):
    ClientFactory(first_name="Testperson", last_name=stored)
    ClientFactory(first_name="Andere", last_name="Person")
    names = [c.last_name for c in web.get(LIST_URL, {"q": typed}).context["clients"]]
    assert names == [stored]


def test_search_with_regex_characters_is_no_server_error(web):
    ClientFactory(last_name="Haddad")
    for term in ["(", "[a-", "\\", "*", "a|b", "%", "_"]:
        response = web.get(LIST_URL, {"q": term})
        assert response.status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "999"},
        {"o": "password"},
        {"date_of_birth": "31.02.2020"},
        {"municipality": "abc"},
        {"region": "99999"},
        {"q": "\x00"},
    ],
)
def test_odd_list_parameters_are_no_server_error(web, params):
    ClientFactory()
    assert web.get(LIST_URL, params).status_code == 200


def test_a_region_outside_the_users_regions_is_no_way_in(web):
    ClientFactory(last_name="Südmann", municipality=municipality("Olfen"))
    response = web.get(LIST_URL, {"region": Region.objects.get(name="Süd").pk})
    assert response.status_code == 200
    assert "Südmann" not in response.content.decode()
    assert list(response.context["clients"]) == []


def test_search_by_date_of_birth_and_municipality(web):
    ClientFactory(last_name="Eins", date_of_birth=dt.date(2001, 1, 1), municipality=municipality("Coesfeld"))
    ClientFactory(last_name="Zwei", date_of_birth=dt.date(2002, 2, 2), municipality=municipality("Coesfeld"))
    ClientFactory(last_name="Drei", date_of_birth=dt.date(2001, 1, 1), municipality=municipality("Havixbeck"))
    response = web.get(LIST_URL, {"date_of_birth": "2001-01-01"})
    assert {c.last_name for c in response.context["clients"]} == {"Eins", "Drei"}
    havixbeck = municipality("Havixbeck").pk
    response = web.get(LIST_URL, {"date_of_birth": "2001-01-01", "municipality": havixbeck})
    assert [c.last_name for c in response.context["clients"]] == ["Drei"]


def test_list_sorts_by_name_and_date_of_birth(web):
    ClientFactory(first_name="A", last_name="Berg", date_of_birth=dt.date(2000, 1, 1))
    ClientFactory(first_name="B", last_name="Adam", date_of_birth=dt.date(1980, 1, 1))
    ClientFactory(first_name="C", last_name="Cem", date_of_birth=dt.date(1990, 1, 1))

    def names(**params):
        return [c.last_name for c in web.get(LIST_URL, params).context["clients"]]

    assert names() == ["Adam", "Berg", "Cem"]
    assert names(o="-name") == ["Cem", "Berg", "Adam"]
    assert names(o="birth") == ["Adam", "Cem", "Berg"]
    assert names(o="-birth") == ["Berg", "Cem", "Adam"]


def test_list_shows_birth_date_household_and_open_cases(web):
    household = HouseholdFactory(name="Familie Haddad")
    person = ClientFactory(
        last_name="Haddad", date_of_birth=dt.date(1988, 3, 4), household=household, household_role="head"
    )
    CaseFactory(client=person)
    closed = CaseFactory(client=person)
    services.case_change_phase(
        case=closed,
        to_phase=Phase.CLOSED,
        by=None,
        closed_on=timezone.localdate(),
        closure_reason=closure_reason(),
    )
    response = web.get(LIST_URL)
    html = response.content.decode()
    assert "04.03.1988" in html
    assert "Familie Haddad" in html
    assert response.context["clients"][0].open_case_count == 1


def test_list_paginates_by_50(web):
    ClientFactory.create_batch(55)
    response = web.get(LIST_URL)
    assert len(response.context["clients"]) == 50
    assert response.context["page_obj"].paginator.count == 55
    assert len(web.get(LIST_URL, {"page": 2}).context["clients"]) == 5


def _list_queries(web, django_assert_max_num_queries, rows):
    for _ in range(rows):
        person = ClientFactory(household=HouseholdFactory())
        CaseFactory(client=person)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = web.get(LIST_URL, {"o": "name"})
    assert len(response.context["clients"]) == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_list_runs_a_constant_number_of_queries(web, django_assert_max_num_queries, rows):
    _list_queries(web, django_assert_max_num_queries, rows)


# --- register ------------------------------------------------------------------------


def test_create_page_offers_only_municipalities_of_the_users_regions(web):
    response = web.get(CREATE_URL)
    assert response.status_code == 200
    names = {m.name for m in response.context["form"].fields["municipality"].queryset}
    assert names == {"Coesfeld", "Rosendahl", "Billerbeck", "Havixbeck"}
    assert 'type="date"' in response.content.decode()


def test_register_a_client_and_go_to_their_page(web):
    sgb2 = LegalFramework.objects.filter(is_active=True).first()
    response = web.post(CREATE_URL, _create_data(legal_frameworks=[sgb2.pk]))
    person = Client.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:detail", args=[person.pk])
    assert person.full_name == "Amina Haddad"
    assert list(person.legal_frameworks.all()) == [sgb2]
    assert person.household is None
    page = web.get(response["Location"])
    assert "Amina Haddad wurde angelegt." in page.content.decode()


def test_a_client_outside_the_users_regions_cannot_be_registered(web):
    response = web.post(CREATE_URL, _create_data(municipality=str(municipality("Olfen").pk)))
    assert response.status_code == 200
    assert "Bitte eine gültige Auswahl treffen" in _errors(response)
    assert Client.objects.count() == 0


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"first_name": "", "last_name": "  "}, "first_name", "Dieses Feld ist zwingend erforderlich."),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", str(DATE_OF_BIRTH_IN_FUTURE)),
        ({"date_of_birth": "31.02.1990"}, "date_of_birth", "Bitte ein gültiges Datum eingeben."),
        ({"email": "keine-mail"}, "email", "Bitte gültige E-Mail-Adresse eingeben."),
        ({"postal_code": "abc"}, "postal_code", str(POSTAL_CODE_INVALID)),
        ({"first_name": "Am\x00ina"}, "first_name", "Nullzeichen sind nicht erlaubt."),
        ({"last_name": "x" * 10_000}, "last_name", "höchstens 100 Zeichen"),
        ({"phone": "<script>"}, "phone", "Telefonnummer"),
        ({"municipality": ""}, "municipality", "Dieses Feld ist zwingend erforderlich."),
    ],
)
def test_bad_input_gives_german_errors_and_writes_nothing(web, overrides, field, message):
    response = web.post(CREATE_URL, _create_data(**overrides))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors, response.context["form"].errors
    # The error summary at the top says what to correct and links to the field.
    summary = _errors(response).split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Bitte korrigieren Sie" in summary
    assert f'href="#id_{field}"' in summary and message in summary
    assert Client.objects.count() == 0
    assert Household.objects.count() == 0


def test_register_with_household_members_in_one_household(web):
    data = _create_data(
        **{
            "members-0-first_name": "Omar",
            "members-0-last_name": "",
            "members-0-date_of_birth": "1985-06-07",
            "members-0-household_role": HouseholdRole.PARTNER,
            "members-1-first_name": "Lina",
            "members-1-last_name": "Haddad-Said",
            "members-1-date_of_birth": "2015-09-01",
            "members-1-household_role": HouseholdRole.CHILD,
        }
    )
    response = web.post(CREATE_URL, data)
    assert response.status_code == 302
    household = Household.objects.get()
    assert household.name == "Familie Haddad"
    members = {c.full_name: c for c in household.members.all()}
    assert set(members) == {"Amina Haddad", "Omar Haddad", "Lina Haddad-Said"}
    assert members["Amina Haddad"].household_role == HouseholdRole.HEAD
    assert members["Omar Haddad"].household_role == HouseholdRole.PARTNER
    assert members["Lina Haddad-Said"].municipality == municipality("Coesfeld")
    detail = web.get(response["Location"]).content.decode()
    assert reverse("clients:detail", args=[members["Lina Haddad-Said"].pk]) in detail


def test_a_bad_member_row_writes_nothing(web):
    data = _create_data(
        **{
            "members-0-first_name": "Omar",
            "members-0-household_role": HouseholdRole.PARTNER,
            "members-1-first_name": "Lina",
            "members-1-date_of_birth": "2999-01-01",
            "members-1-household_role": HouseholdRole.CHILD,
            "members-2-last_name": "Ohne Vorname",
        }
    )
    response = web.post(CREATE_URL, data)
    assert response.status_code == 200
    formset = response.context["member_formset"]
    assert str(DATE_OF_BIRTH_IN_FUTURE) in formset.forms[1].errors["date_of_birth"]
    assert "Bitte geben Sie den Vornamen an." in formset.forms[2].errors["first_name"]
    assert "Bitte wählen Sie die Rolle im Haushalt." in formset.forms[2].errors["household_role"]
    assert Client.objects.count() == 0
    assert Household.objects.count() == 0


def test_more_than_six_members_are_refused(web):
    data = _create_data(**_member_management(total=7))
    for i in range(7):
        data[f"members-{i}-first_name"] = f"Kind {i}"
        data[f"members-{i}-household_role"] = HouseholdRole.CHILD
    response = web.post(CREATE_URL, data)
    assert response.status_code == 200
    assert Client.objects.count() == 0


def test_a_forged_management_form_is_no_server_error(web):
    data = _create_data()
    del data["members-TOTAL_FORMS"]
    response = web.post(CREATE_URL, data)
    assert response.status_code == 200
    assert Client.objects.count() == 0


# --- duplicate check ------------------------------------------------------------------


def test_same_name_and_birth_date_is_a_question_until_answered(web):
    existing = ClientFactory(first_name="Amina", last_name="HADDAD", date_of_birth=dt.date(1988, 3, 4))
    response = web.post(CREATE_URL, _create_data())
    assert response.status_code == 200
    assert [d.client for d in response.context["duplicates"]] == [existing]
    html = response.content.decode()
    # A question with two answers, not an error: no error summary, no red error.
    assert "Ist das diese Person?" in html
    assert not response.context["form"].errors
    assert "error-summary" not in html and "errorlist" not in html
    take_over = reverse("clients:detail", args=[existing.pk]) + "#fall-eroeffnen"
    assert f'href="{take_over}">diese Person übernehmen' in html
    assert 'name="duplicates_checked" value="on"' in html and "trotzdem neu anlegen" in html
    assert Client.objects.count() == 1

    response = web.post(CREATE_URL, _create_data(duplicates_checked="on"))
    assert response.status_code == 302
    assert Client.objects.count() == 2


def test_a_close_spelling_with_the_same_birth_date_is_caught(web):
    existing = ClientFactory(first_name="Yusuf", last_name="Yılmaz", date_of_birth=dt.date(1990, 5, 17))
    response = web.post(
        CREATE_URL, _create_data(first_name="Jusuf", last_name="Yilmaz", date_of_birth="1990-05-17")
    )
    assert response.status_code == 200
    assert [d.client for d in response.context["duplicates"]] == [existing]
    assert "ähnliche Schreibweise" in response.content.decode()
    assert Client.objects.count() == 1


def test_a_close_spelling_without_a_stored_birth_date_is_caught(web):
    existing = ClientFactory(first_name="Ayşe", last_name="Özdemir", date_of_birth=None)
    response = web.post(CREATE_URL, _create_data(first_name="Ayse", last_name="Oezdemir"))
    assert response.status_code == 200
    assert [d.client for d in response.context["duplicates"]] == [existing]
    assert "Geburtsdatum unbekannt" in response.content.decode()


def test_a_different_person_is_no_duplicate(web):
    ClientFactory(first_name="Yusuf", last_name="Yılmaz", date_of_birth=dt.date(1990, 5, 17))
    ClientFactory(first_name="Maria", last_name="Haddad", date_of_birth=dt.date(1960, 1, 1))
    response = web.post(CREATE_URL, _create_data())
    assert response.status_code == 302
    assert Client.objects.count() == 3


def test_duplicates_are_searched_only_among_visible_clients(manager):
    olfen = municipality("Olfen")
    ClientFactory(
        first_name="Amina", last_name="Haddad", date_of_birth=dt.date(1988, 3, 4), municipality=olfen
    )
    found = possible_duplicates(
        first_name="Amina", last_name="Haddad", date_of_birth=dt.date(1988, 3, 4), user=manager
    )
    assert found == []


def test_names_are_normalised_for_comparison():
    assert normalise_name("  Müller-Lüdenscheidt  ") == "mueller-luedenscheidt"
    assert normalise_name("Yılmaz") == normalise_name("YILMAZ") == "yilmaz"
    assert normalise_name("Ğül Straße") == "guel strasse"
    assert normalise_name("José") == "jose"


# --- detail --------------------------------------------------------------------------


def test_detail_shows_data_household_and_cases(web, manager):
    household = HouseholdFactory(name="Familie Haddad")
    person = ClientFactory(
        first_name="Amina",
        last_name="Haddad",
        household=household,
        household_role=HouseholdRole.HEAD,
        languages="Arabisch",
        needs_interpreter=True,
    )
    child = ClientFactory(first_name="Lina", last_name="Haddad", household=household, household_role="child")
    case = CaseFactory(client=person, case_manager=manager)
    response = web.get(reverse("clients:detail", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Amina Haddad" in html
    assert "17.05.1990" in html
    assert "Arabisch" in html
    assert "Coesfeld" in html and "Nord" in html
    assert reverse("clients:detail", args=[child.pk]) in html
    assert case.reference in html
    assert reverse("cases:detail", args=[case.pk]) in html
    assert "phase-intake" in html
    assert str(manager) in html
    assert "Fall eröffnen" in html


@pytest.mark.parametrize("days,level", [(10, "warning"), (-3, "danger")])
def test_detail_warns_when_residence_title_runs_out(web, days, level):
    person = ClientFactory(
        residence_status="duldung", residence_valid_until=timezone.localdate() + dt.timedelta(days=days)
    )
    response = web.get(reverse("clients:detail", args=[person.pk]))
    assert response.context["residence_alert"][0] == level
    assert person.residence_valid_until.strftime("%d.%m.%Y") in response.content.decode()


def test_no_residence_warning_far_ahead(web):
    person = ClientFactory(
        residence_status="duldung", residence_valid_until=timezone.localdate() + dt.timedelta(days=400)
    )
    assert web.get(reverse("clients:detail", args=[person.pk])).context["residence_alert"] is None


@pytest.mark.parametrize("rows", [3, 30])
def test_detail_runs_a_constant_number_of_queries(web, django_assert_max_num_queries, manager, rows):
    household = HouseholdFactory()
    person = ClientFactory(household=household, household_role=HouseholdRole.HEAD)
    person.legal_frameworks.set(LegalFramework.objects.all()[:2])
    for _ in range(rows):
        ClientFactory(household=household, household_role=HouseholdRole.CHILD)
        CaseFactory(client=person, case_manager=manager)
    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = web.get(reverse("clients:detail", args=[person.pk]))
    assert len(response.context["cases"]) == rows


def test_staff_without_a_case_role_get_404_for_clients_of_their_region(client):
    person = ClientFactory()
    nobody = UserFactory(regions=[Region.objects.get(name="Nord")])
    client.force_login(nobody)
    assert client.get(reverse("clients:detail", args=[person.pk])).status_code == 404
    assert client.post(reverse("clients:open_case", args=[person.pk])).status_code == 404


def test_superuser_sees_and_writes_every_client(admin_client):
    person = ClientFactory(municipality=municipality("Olfen"))
    response = admin_client.get(reverse("clients:detail", args=[person.pk]))
    assert response.status_code == 200
    assert response.context["can_write"] is True


# --- edit ----------------------------------------------------------------------------


def test_edit_changes_the_clients_data(web):
    person = ClientFactory(first_name="Amina", last_name="Haddad", municipality=municipality("Coesfeld"))
    url = reverse("clients:edit", args=[person.pk])
    assert web.get(url).status_code == 200
    response = web.post(url, _create_data(last_name="Haddad-Said", municipality=municipality("Havixbeck").pk))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.last_name == "Haddad-Said"
    assert person.municipality.name == "Havixbeck"


def test_edit_with_bad_input_changes_nothing(web):
    person = ClientFactory(first_name="Amina", last_name="Haddad")
    response = web.post(
        reverse("clients:edit", args=[person.pk]), _create_data(last_name="", postal_code="abc")
    )
    assert response.status_code == 200
    assert "Haddad" in response.content.decode()
    person.refresh_from_db()
    assert person.last_name == "Haddad"


# --- open a case ---------------------------------------------------------------------


def _open_case_data(person, manager, **overrides):
    data = {
        "case-municipality": person.municipality_id,
        "case-case_manager": manager.pk,
        "case-opened_on": timezone.localdate().isoformat(),
    }
    data.update(overrides)
    return data


def test_open_case_form_has_sensible_defaults(web, manager):
    person = ClientFactory()
    person.legal_frameworks.set(LegalFramework.objects.all()[:1])
    form = web.get(reverse("clients:detail", args=[person.pk])).context["open_case_form"]
    assert form.initial["municipality"] == person.municipality_id
    assert form.initial["case_manager"] == manager.pk
    assert form.initial["opened_on"] == timezone.localdate()
    assert form.initial["legal_frameworks"] == [LegalFramework.objects.all()[0].pk]


def test_open_case_creates_a_case_and_redirects_to_it(web, manager):
    person = ClientFactory()
    framework = LegalFramework.objects.filter(is_active=True).first()
    response = web.post(
        reverse("clients:open_case", args=[person.pk]),
        _open_case_data(person, manager, **{"case-legal_frameworks": [framework.pk]}),
    )
    case = Case.objects.get()
    assert case.reference == f"COE-{timezone.localdate().year}-00001"
    assert case.client == person
    assert case.case_manager == manager
    assert list(case.legal_frameworks.all()) == [framework]
    assert response.status_code == 302
    assert response["Location"].startswith("/faelle/")
    assert response["Location"] == reverse("cases:detail", args=[case.pk])


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"case-opened_on": "2999-01-01"}, "opened_on"),
        ({"case-opened_on": "kein Datum"}, "opened_on"),
        ({"case-municipality": "999999"}, "municipality"),
        ({"case-case_manager": "abc"}, "case_manager"),
    ],
)
def test_open_case_with_bad_input_rerenders_the_client_page(web, manager, overrides, field):
    person = ClientFactory()
    url = reverse("clients:open_case", args=[person.pk])
    response = web.post(url, _open_case_data(person, manager, **overrides))
    assert response.status_code == 200
    assert field in response.context["open_case_form"].errors
    assert "Der Fall wurde nicht eröffnet." in response.content.decode()
    assert Case.objects.count() == 0


def test_case_manager_must_work_in_the_municipalitys_region(web, manager):
    person = ClientFactory()
    colleague = _case_manager("Nord")
    colleague.regions.set([Region.objects.get(name="Mitte")])
    both = _case_manager("Nord")
    both.regions.add(Region.objects.get(name="Mitte"))
    manager.regions.add(Region.objects.get(name="Mitte"))
    response = web.post(reverse("clients:open_case", args=[person.pk]), _open_case_data(person, colleague))
    assert response.status_code == 200
    assert "arbeitet nicht in der Teilregion Nord" in response.content.decode()
    assert Case.objects.count() == 0
    response = web.post(reverse("clients:open_case", args=[person.pk]), _open_case_data(person, both))
    assert response.status_code == 302


def test_open_case_only_by_post(web):
    person = ClientFactory()
    assert web.get(reverse("clients:open_case", args=[person.pk])).status_code == 405


def test_a_visible_client_outside_the_writable_regions_is_403(web, monkeypatch):
    """Reading and writing are separate rules; should reading ever reach wider, writing still refuses."""
    person = ClientFactory()
    # Reading reaches every client, while the write rules see a user without regions.
    monkeypatch.setattr("accounts.roles.restrict_clients", lambda queryset, user: queryset)
    monkeypatch.setattr("accounts.roles.region_ids", lambda user: [])
    response = web.get(reverse("clients:detail", args=[person.pk]))
    assert response.status_code == 200
    assert response.context["open_case_form"] is None
    assert "Fall eröffnen" not in response.content.decode()
    assert web.get(reverse("clients:edit", args=[person.pk])).status_code == 403
    assert web.post(reverse("clients:edit", args=[person.pk]), _create_data()).status_code == 403
    assert web.post(reverse("clients:open_case", args=[person.pk])).status_code == 403
    assert web.get(CREATE_URL).status_code == 403


# --- the list at state scale (issue 20) ------------------------------------------------


def test_the_list_counts_up_to_its_cap_and_pages_beyond_it(web, monkeypatch):
    from casework.views import clients as client_views

    monkeypatch.setattr(client_views, "CLIENTS_COUNT_CAP", 60)
    ClientFactory.create_batch(65)
    response = web.get(LIST_URL)
    assert response.context["page_obj"].count_is_capped
    assert "mehr als 60 Klient/innen gefunden" in response.content.decode()
    assert len(web.get(LIST_URL, {"page": 2}).context["clients"]) == 15


def test_a_short_search_finds_names_that_begin_with_it_and_says_so(web):
    ClientFactory(first_name="Erkan", last_name="Demir")
    ClientFactory(first_name="Anna", last_name="Bergmann")  # "er" inside the name only
    ClientFactory(first_name="Maria", last_name="Ernst")
    response = web.get(LIST_URL, {"q": "er"})
    assert sorted(c.full_name for c in response.context["clients"]) == ["Erkan Demir", "Maria Ernst"]
    assert "weniger als drei Zeichen finden nur Namen, die so beginnen" in response.content.decode()
    # Three letters search inside names, as before, without the note.
    response = web.get(LIST_URL, {"q": "erg"})
    assert [c.full_name for c in response.context["clients"]] == ["Anna Bergmann"]
    assert "weniger als drei Zeichen" not in response.content.decode()


def test_the_list_reads_along_the_index_that_carries_the_municipality(web):
    """On PostgreSQL the name index serves the list in its order and holds the scope's column, so
    a page's ids need neither the table's rows nor a sort (forced here: on a few rows PostgreSQL
    rightly prefers to sort them)."""
    from django.db import connection

    from casework import selectors

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL plan")
    ClientFactory.create_batch(5)
    user = web.get(LIST_URL).wsgi_request.user
    ids = selectors.client_list(user=user).values_list("pk", flat=True)[:201]
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        sql, params = ids.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using client_list_name_idx" in plan and "Sort" not in plan, plan
