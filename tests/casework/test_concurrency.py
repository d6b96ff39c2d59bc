"""No lost updates: two people editing the same client, case, goal or actor at once.

The end-to-end tests run two real sessions (two logged-in test clients) against
PostgreSQL with committed transactions; the service tests check each version check.
"""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.test import Client as BrowserSession
from django.urls import reverse

from audit.models import AuditEntry
from casework import services
from casework.concurrency import ConcurrentEditError
from casework.lifecycle import Phase
from casework.models import Actor, Case, Client, Goal
from tests.conftest import login_with_otp, make_staff
from tests.factories import ActorFactory, CaseFactory, ClientFactory, closure_reason

CONFLICT = "Dieser Datensatz wurde inzwischen von"
INPUT_KEPT = "Ihre Eingaben sind unten erhalten; bitte prüfen und erneut speichern."


def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("two sessions with row locks and committed transactions need PostgreSQL")


def form_data(form) -> dict:
    """What a browser sends for a form as rendered: every field with its current value."""
    data = {}
    for field in form:
        value = field.value()
        if isinstance(value, (list, tuple)):
            data[field.html_name] = [str(item) for item in value]
        elif value is None or value is False:
            continue
        elif value is True:
            data[field.html_name] = "on"
        elif hasattr(value, "isoformat"):
            data[field.html_name] = value.isoformat()
        else:
            data[field.html_name] = str(value)
    return data


def session_for(user) -> BrowserSession:
    browser = BrowserSession()
    browser.force_login(user)
    return browser


@pytest.fixture
def staff(db):
    from accounts.roles import CASE_MANAGEMENT, COORDINATION

    manager = make_staff(CASE_MANAGEMENT, first_name="Clara", last_name="Casemann")
    coordinator = make_staff(COORDINATION, first_name="Konrad", last_name="Koordinator")
    return manager, coordinator


# --- Two real sessions -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_second_save_of_a_client_is_refused_and_both_changes_survive(staff):
    needs_postgresql()
    manager, coordinator = staff
    client = ClientFactory(phone="02541 1000", languages="Arabisch")
    url = reverse("clients:edit", args=[client.pk])
    first, second = session_for(manager), session_for(coordinator)
    first_form = form_data(first.get(url).context["form"])
    second_form = form_data(second.get(url).context["form"])

    first_form["phone"] = "02541 2222"
    assert first.post(url, first_form).status_code == 302

    second_form["languages"] = "Arabisch, Kurdisch, Englisch"
    response = second.post(url, second_form)
    assert response.status_code == 409
    page = response.content.decode()
    assert f"{CONFLICT} Clara Casemann geändert" in page
    assert INPUT_KEPT in page
    # The other person's change is named, with its value now.
    assert "Geändert: Telefon – jetzt „02541 2222“" in page
    # The refused input is still in the form; nothing of it was written.
    assert "Arabisch, Kurdisch, Englisch" in page
    client.refresh_from_db()
    assert (client.phone, client.languages) == ("02541 2222", "Arabisch")

    # Saving the kept input again, after checking, goes through: both changes survive.
    again = form_data(response.context["form"])
    again["phone"] = "02541 2222"
    assert second.post(url, again).status_code == 302
    client.refresh_from_db()
    assert (client.phone, client.languages) == ("02541 2222", "Arabisch, Kurdisch, Englisch")
    assert client.version == 3


@pytest.mark.django_db(transaction=True)
def test_second_phase_change_of_a_case_is_refused_and_its_input_kept(staff):
    needs_postgresql()
    manager, coordinator = staff
    case = CaseFactory(case_manager=manager)
    url = reverse("cases:detail", args=[case.pk])
    change = reverse("cases:change_phase", args=[case.pk])
    first, second = session_for(manager), session_for(coordinator)
    first_form = form_data(first.get(url, {"eingabe": "phase"}).context["phase_form"])
    second_form = form_data(second.get(url, {"eingabe": "phase"}).context["phase_form"])

    first_form.update({"phase-to_phase": Phase.ASSESSMENT, "phase-note": "Clearing beginnt."})
    assert first.post(change, first_form).status_code == 302

    second_form.update({"phase-to_phase": Phase.PAUSED, "phase-note": "Familie verreist bis Ende Mai."})
    response = second.post(change, second_form)
    assert response.status_code == 409
    page = response.content.decode()
    assert f"{CONFLICT} Clara Casemann geändert" in page
    assert INPUT_KEPT in page
    assert "Geändert: Phase – jetzt „Clearing / Situationsanalyse“" in page
    assert "Familie verreist bis Ende Mai." in page
    case.refresh_from_db()
    assert case.phase == Phase.ASSESSMENT
    assert list(case.phase_changes.values_list("to_phase", flat=True)) == [Phase.INTAKE, Phase.ASSESSMENT]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_of_one_version_let_exactly_one_through():
    needs_postgresql()
    client = ClientFactory()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(languages: str) -> None:
        try:
            barrier.wait()
            services.client_update(
                client=Client.objects.get(pk=client.pk), by=None, expected_version=1, languages=languages
            )
            outcomes.append("saved")
        except ConcurrentEditError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(lang,)) for lang in ("Farsi", "Dari")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "saved"]
    client.refresh_from_db()
    assert client.version == 2


# --- Each service checks the version ------------------------------------------------------


@pytest.mark.django_db
def test_client_update_refuses_a_stale_version_and_writes_nothing(case_manager):
    client = ClientFactory(languages="Arabisch")
    services.client_update(client=client, by=case_manager, expected_version=1, languages="Tigrinya")
    client.refresh_from_db()
    assert client.version == 2
    entries = AuditEntry.objects.count()
    with pytest.raises(ConcurrentEditError) as refused:
        services.client_update(client=client, by=None, expected_version=1, languages="Farsi")
    assert refused.value.code == "concurrent_edit"
    assert "Clara Casemann" in refused.value.messages[0]
    client.refresh_from_db()
    assert (client.languages, client.version) == ("Tigrinya", 2)
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_client_update_without_a_version_still_counts_it_up():
    client = ClientFactory()
    services.client_update(client=client, by=None, languages="Polnisch")
    assert Client.objects.get(pk=client.pk).version == 2


@pytest.mark.django_db
def test_case_change_phase_refuses_a_stale_version():
    case = CaseFactory()
    services.case_change_phase(case=case, to_phase=Phase.ASSESSMENT, by=None, expected_version=1)
    assert Case.objects.get(pk=case.pk).version == 2
    with pytest.raises(ConcurrentEditError):
        services.case_change_phase(
            case=case,
            to_phase=Phase.CLOSED,
            by=None,
            closed_on=case.opened_on,
            closure_reason=closure_reason(),
            expected_version=1,
        )
    case.refresh_from_db()
    assert (case.phase, case.version, case.phase_changes.count()) == (Phase.ASSESSMENT, 2, 2)


@pytest.mark.django_db
def test_case_reassign_refuses_a_stale_version(case_manager, coordinator):
    case = CaseFactory()
    services.case_reassign(case=case, to_manager=case_manager, by=coordinator, expected_version=1)
    assert Case.objects.get(pk=case.pk).version == 2
    with pytest.raises(ConcurrentEditError):
        services.case_reassign(case=case, to_manager=coordinator, by=coordinator, expected_version=1)
    case.refresh_from_db()
    assert (case.case_manager, case.version, case.assignments.count()) == (case_manager, 2, 1)


@pytest.mark.django_db
def test_goal_set_status_refuses_a_stale_version():
    case = CaseFactory()
    goal = services.goal_create(case=case, by=None, title="Deutschkurs B1")
    services.goal_set_status(goal=goal, status="in_progress", by=None, expected_version=1)
    assert Goal.objects.get(pk=goal.pk).version == 2
    with pytest.raises(ConcurrentEditError):
        services.goal_set_status(goal=goal, status="dropped", by=None, expected_version=1)
    goal.refresh_from_db()
    assert (goal.status, goal.version, goal.status_changes.count()) == ("in_progress", 2, 2)


@pytest.mark.django_db
def test_actor_update_refuses_a_stale_version():
    actor = ActorFactory(city="Coesfeld")
    services.actor_update(actor=Actor.objects.get(pk=actor.pk), by=None, expected_version=1, city="Dülmen")
    assert Actor.objects.get(pk=actor.pk).version == 2
    with pytest.raises(ConcurrentEditError):
        services.actor_update(
            actor=Actor.objects.get(pk=actor.pk), by=None, expected_version=1, city="Nottuln"
        )
    actor.refresh_from_db()
    assert (actor.city, actor.version) == ("Dülmen", 2)


# --- The views and the admin ---------------------------------------------------------------


@pytest.mark.django_db
def test_goal_status_posted_from_an_old_page_is_refused(client, case_manager):
    case = CaseFactory(case_manager=case_manager)
    goal = services.goal_create(case=case, by=case_manager, title="Wohnung finden")
    services.goal_set_status(goal=goal, status="in_progress", by=case_manager)
    client.force_login(case_manager)
    url = reverse("cases:goal_status", args=[case.pk, goal.pk])
    response = client.post(url, {"status": "achieved", "version": 1}, follow=True)
    assert CONFLICT in response.content.decode()
    goal.refresh_from_db()
    assert goal.status == "in_progress"


@pytest.mark.django_db
def test_actor_edit_from_an_old_page_is_refused(client):
    from accounts.roles import COORDINATION

    editor = make_staff(COORDINATION)
    actor = ActorFactory(city="Coesfeld")
    client.force_login(editor)
    url = reverse("network:edit", args=[actor.pk])
    data = form_data(client.get(url).context["form"])
    data.update({"contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0"})
    services.actor_update(actor=Actor.objects.get(pk=actor.pk), by=None, city="Dülmen")
    data["city"] = "Nottuln"
    response = client.post(url, data)
    assert response.status_code == 409
    assert "Geändert: Ort – jetzt „Dülmen“" in response.content.decode()
    assert Actor.objects.get(pk=actor.pk).city == "Dülmen"


@pytest.mark.django_db
def test_admin_change_form_refuses_a_stale_version(client, superuser):
    login_with_otp(client, superuser)
    person = ClientFactory(languages="Arabisch")
    url = reverse("admin:casework_client_change", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.context["adminform"].form)
    data.update({"cases-TOTAL_FORMS": "0", "cases-INITIAL_FORMS": "0"})
    services.client_update(client=person, by=get_user_model().objects.get(pk=superuser.pk), languages="Farsi")
    data["languages"] = "Kurdisch"
    response = client.post(url, data)
    assert response.status_code == 200
    assert CONFLICT in response.content.decode()
    person.refresh_from_db()
    assert (person.languages, person.version) == ("Farsi", 2)
    # Saved again from the re-rendered form, it goes through.
    again = form_data(response.context["adminform"].form)
    again.update({"cases-TOTAL_FORMS": "0", "cases-INITIAL_FORMS": "0"})
    assert client.post(url, again).status_code == 302
    person.refresh_from_db()
    assert (person.languages, person.version) == ("Kurdisch", 3)
