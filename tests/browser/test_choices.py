"""Long choice lists in a real browser: grouped without the script, searchable with it.

The consent form's actors are grouped by type, those of the case's sub-region first, and a
search box narrows them; a referral offers only the chosen actor's contact persons; the
quick contact on Mein Arbeitsplatz finds a case by reference or name.
"""

import pytest
from playwright.sync_api import Page, expect

from accounts.roles import CASE_MANAGEMENT
from casework.models import ActorType, ContactPerson
from tests.conftest import make_staff
from tests.factories import ActorFactory, CaseFactory, ClientFactory, municipality

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "sicheres-Passwort-2026"


def test_long_choice_lists_are_grouped_searchable_and_narrowed(live_server, page: Page):
    user = make_staff(CASE_MANAGEMENT, first_name="Clara", last_name="Casemann")
    user.set_password(PASSWORD)
    user.save()
    case = CaseFactory(
        client=ClientFactory(municipality=municipality("Coesfeld"), first_name="Amina", last_name="Yusuf"),
        case_manager=user,
    )
    other = CaseFactory(
        client=ClientFactory(municipality=municipality("Billerbeck"), first_name="Omar", last_name="Haddad"),
        case_manager=user,
    )
    school = ActorType.objects.get_or_create(name="Sprachschule")[0]
    office = ActorType.objects.get_or_create(name="Behörde")[0]
    near = ActorFactory(name="Sprachschule Coesfeld", actor_type=school)
    near.municipalities.add(municipality("Coesfeld"))
    far = ActorFactory(name="Sprachschule Senden", actor_type=school)
    far.municipalities.add(municipality("Senden"))
    office_near = ActorFactory(name="Ausländerbehörde Kreis", actor_type=office)
    office_near.municipalities.add(municipality("Coesfeld"))
    ContactPerson.objects.create(actor=near, name="Frau Near")
    ContactPerson.objects.create(actor=far, name="Herr Far")

    page.goto(f"{live_server.url}/anmelden/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")

    # Consent: groups by type, the case's sub-region first; the search box narrows them.
    page.locator("#panel-consent > summary").click()
    actors = page.locator("#panel-consent fieldset[data-filterable]")
    expect(actors).to_be_visible()
    legends = actors.locator("fieldset.choice-group > legend").all_inner_texts()
    assert legends == [
        "Behörde – in der Teilregion des Falls",
        "Sprachschule – in der Teilregion des Falls",
        "Sprachschule",
    ]
    search = actors.get_by_role("searchbox", name="Stelle suchen")
    search.fill("sprach")
    expect(actors.get_by_label("Ausländerbehörde Kreis")).to_be_hidden()
    expect(actors.get_by_label("Sprachschule Senden")).to_be_visible()
    search.fill("senden")
    expect(actors.get_by_label("Sprachschule Coesfeld")).to_be_hidden()
    actors.get_by_label("Sprachschule Senden").check()
    search.fill("")
    expect(actors.get_by_label("Sprachschule Coesfeld")).to_be_visible()

    # Referral: the contact persons of the chosen actor only.
    page.locator("#panel-referral > summary").click()
    people = page.locator("select[name='referral-contact_person']")
    expect(people).to_be_visible()
    page.select_option("select[name='referral-actor']", label="Sprachschule Coesfeld (Sprachschule)")
    visible = people.evaluate("s => [...s.options].filter(o => !o.hidden).map(o => o.textContent)")
    assert visible == ["– bitte wählen –", "Frau Near (Sprachschule Coesfeld)"]
    page.select_option("select[name='referral-actor']", label="Sprachschule Senden (Sprachschule)")
    visible = people.evaluate("s => [...s.options].filter(o => !o.hidden).map(o => o.textContent)")
    assert visible == ["– bitte wählen –", "Herr Far (Sprachschule Senden)"]

    # Quick contact: the case found by a client's name.
    page.goto(f"{live_server.url}/")
    page.locator("#panel-quick-contact > summary").click()
    cases = page.locator("select[name='quick-case']")
    expect(cases).to_be_visible()
    page.get_by_role("searchbox", name="Fall suchen: Aktenzeichen oder Name").fill("hadd")
    visible = cases.evaluate("s => [...s.options].filter(o => !o.hidden && o.value).map(o => o.value)")
    assert visible == [str(other.pk)]
