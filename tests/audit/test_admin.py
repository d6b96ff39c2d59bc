"""The audit trail in the Django admin: what the admin records, and that nobody edits the trail there."""

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from accounts.roles import ADMINISTRATION, COORDINATION
from audit.admin_mixins import AuditedAdminMixin
from audit.models import Action, AuditEntry
from audit.services import audit_record
from casework import services
from casework.models import Case, Client, Contact, Goal, Household
from regions.models import Municipality
from tests.audit.conftest import serialized_trail
from tests.conftest import login_with_otp, make_staff
from tests.factories import CaseFactory, ClientFactory, UserFactory, municipality
from tests.test_admin import admin_url, case_change_data, management_forms, posted_back

pytestmark = pytest.mark.django_db

SENTINEL = "Zzyzx-Sentinel"
AUDITED = {
    "casework.client",
    "casework.household",
    "casework.case",
    "casework.contact",
    "casework.goal",
    "casework.referral",
    "casework.followup",
    "casework.document",
    "casework.consent",
    "casework.phasechange",
    "casework.caseassignment",
    "casework.goalstatuschange",
}


def _hidden_initial(case: Case) -> dict:
    """`opened_on` has a callable default, so the page posts its initial value in a hidden
    input and the form compares against that (the test helpers leave it out)."""
    return {"initial-opened_on": case.opened_on.isoformat()}


def test_every_model_with_client_or_case_data_is_audited_in_the_admin():
    audited = {
        model._meta.label_lower
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, AuditedAdminMixin)
    }
    assert audited == AUDITED


# --- reads ---------------------------------------------------------------------------------


def test_opening_a_change_page_records_a_view(admin_client, superuser, trail):
    case = CaseFactory(by=superuser)
    trail.mark()
    assert admin_client.get(admin_url(Case, "change", case.pk)).status_code == 200
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.object_id, entry.case_reference, entry.detail) == (
        Action.VIEW,
        "casework.case",
        str(case.pk),
        case.reference,
        "Admin",
    )
    assert entry.user == superuser


def test_opening_a_client_change_page_records_a_view(admin_client, trail):
    person = ClientFactory()
    trail.mark()
    assert admin_client.get(admin_url(Client, "change", person.pk)).status_code == 200
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.object_id) == (
        Action.VIEW,
        "casework.client",
        str(person.pk),
    )


def test_an_admin_search_records_the_parameters_not_the_text(admin_client, trail):
    ClientFactory(last_name=SENTINEL)
    trail.mark()
    response = admin_client.get(admin_url(Client, "changelist"), {"q": SENTINEL, "gender__exact": "x"})
    assert response.status_code == 200
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.object_id, entry.detail) == (
        Action.SEARCH,
        "casework.client",
        "",
        "gender__exact, q",
    )
    assert SENTINEL not in serialized_trail()


def test_an_unfiltered_admin_list_records_nothing(admin_client, trail):
    ClientFactory()
    trail.mark()
    assert admin_client.get(admin_url(Client, "changelist"), {"o": "1", "p": "1"}).status_code == 200
    assert trail.new() == []


# --- writes --------------------------------------------------------------------------------


def test_changing_a_client_records_the_changed_field_names(admin_client, trail):
    person = ClientFactory(last_name="Haddad", phone="02541 123456")
    url = admin_url(Client, "change", person.pk)
    data = posted_back(admin_client.get(url)) | {"last_name": SENTINEL, "phone": "02541 999999"}
    trail.mark()
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.object_id, entry.fields, entry.detail) == (
        Action.CHANGE,
        "casework.client",
        str(person.pk),
        ["last_name", "phone"],
        "Admin",
    )
    assert SENTINEL not in serialized_trail()
    assert "999999" not in serialized_trail()


def test_saving_an_unchanged_page_records_no_change(admin_client, trail):
    person = ClientFactory()
    url = admin_url(Client, "change", person.pk)
    data = posted_back(admin_client.get(url))
    trail.mark()
    assert admin_client.post(url, data).status_code == 302
    assert trail.new() == []


def test_a_refused_admin_save_records_nothing(admin_client, trail):
    person = ClientFactory()
    url = admin_url(Client, "change", person.pk)
    data = posted_back(admin_client.get(url)) | {"last_name": SENTINEL, "postal_code": "abc"}
    trail.mark()
    assert admin_client.post(url, data).status_code == 200
    assert trail.new() == []


def test_adding_a_client_records_one_creation(admin_client, trail):
    url = admin_url(Client, "add")
    data = {
        "first_name": "Amina",
        "last_name": SENTINEL,
        "gender": "f",
        "residence_status": "unclear",
        "municipality": str(municipality("Coesfeld").pk),
        "_save": "Sichern",
        **management_forms(["cases"]),
    }
    trail.mark()
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    person = Client.objects.get(last_name=SENTINEL)
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.object_id) == (
        Action.CREATE,
        "casework.client",
        str(person.pk),
    )
    assert SENTINEL not in serialized_trail()


def test_adding_a_case_records_the_services_creation_once(admin_client, superuser, trail):
    person = ClientFactory()
    trail.mark()
    response = admin_client.post(
        admin_url(Case, "add"),
        {
            "client": str(person.pk),
            "household": "",
            "municipality": str(person.municipality_id),
            "case_manager": "",
            "opened_on": timezone.localdate().isoformat(),
            "_save": "Sichern",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.object_id, entry.case_reference, entry.user) == (
        Action.CREATE,
        "casework.case",
        str(case.pk),
        case.reference,
        superuser,
    )


def test_a_handover_and_an_edit_in_one_save_are_each_recorded_once(
    admin_client, superuser, case_manager, trail
):
    case = CaseFactory(case_manager=case_manager, by=superuser)
    successor = UserFactory()
    earlier = case.opened_on - dt.timedelta(days=3)
    trail.mark()
    response = admin_client.post(
        admin_url(Case, "change", case.pk),
        case_change_data(case, case_manager=str(successor.pk), opened_on=earlier.isoformat()),
    )
    assert response.status_code == 302
    entries = {(entry.action, tuple(entry.fields), entry.detail) for entry in trail.new()}
    assert entries == {
        (Action.CHANGE, ("case_manager",), ""),  # by services.case_reassign
        (Action.CHANGE, ("opened_on",), "Admin"),
    }


def test_a_contact_added_inline_is_recorded_once(admin_client, superuser, trail):
    case = CaseFactory(by=superuser)
    data = case_change_data(case) | management_forms(contacts=1) | _hidden_initial(case)
    data |= {
        "contacts-0-contacted_on": timezone.localdate().isoformat(),
        "contacts-0-channel": "in_person",
        "contacts-0-duration_minutes": "45",
        "contacts-0-note": "Wohnungssuche besprochen",
    }
    trail.mark()
    assert admin_client.post(admin_url(Case, "change", case.pk), data).status_code == 302
    contact = Contact.objects.get(case=case)
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.object_id, entry.case_reference) == (
        Action.CREATE,
        "casework.contact",
        str(contact.pk),
        case.reference,
    )


def test_a_contact_deleted_inline_is_recorded(admin_client, superuser, trail):
    case = CaseFactory(by=superuser)
    contact = services.contact_create(case=case, by=superuser, channel="phone", duration_minutes=10)
    url = admin_url(Case, "change", case.pk)
    data = posted_back(admin_client.get(url)) | {"contacts-0-DELETE": "on"} | _hidden_initial(case)
    trail.mark()
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and [
        formset.errors for formset in response.context["inline_admin_formsets"]
    ]
    assert not Contact.objects.exists()
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.object_id, entry.case_reference) == (
        Action.DELETE,
        "casework.contact",
        str(contact.pk),
        case.reference,
    )


def test_a_goal_status_and_title_changed_in_the_admin(admin_client, superuser, trail):
    case = CaseFactory(by=superuser)
    goal = services.goal_create(case=case, by=superuser, title="Kita-Platz finden")
    trail.mark()
    response = admin_client.post(
        admin_url(Goal, "change", goal.pk),
        {
            "title": "Kita-Platz in Dülmen finden",
            "description": "",
            "topic": "",
            "status": "achieved",
            "target_date": "",
            **management_forms(["status_changes"]),
        },
    )
    assert response.status_code == 302
    entries = {(entry.action, tuple(entry.fields), entry.detail) for entry in trail.new()}
    assert entries == {(Action.CHANGE, ("status",), ""), (Action.CHANGE, ("title",), "Admin")}


def test_deleting_on_the_delete_page_records_a_deletion(admin_client, superuser, trail):
    case = CaseFactory(by=superuser)
    contact = services.contact_create(case=case, by=superuser, channel="phone", duration_minutes=10)
    trail.mark()
    response = admin_client.post(admin_url(Contact, "delete", contact.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Contact.objects.exists()
    entry = trail.one()
    assert (entry.action, entry.object_type, entry.object_id, entry.case_reference, entry.detail) == (
        Action.DELETE,
        "casework.contact",
        str(contact.pk),
        case.reference,
        "Admin",
    )


def test_deleting_selected_rows_records_each_deletion(admin_client, trail):
    municipality = Municipality.objects.order_by("pk").first()
    households = [Household.objects.create(name=f"Familie {n}", municipality=municipality) for n in range(3)]
    trail.mark()
    response = admin_client.post(
        admin_url(Household, "changelist"),
        {"action": "delete_selected", "post": "yes", "_selected_action": [str(h.pk) for h in households]},
    )
    assert response.status_code == 302
    assert not Household.objects.exists()
    entries = trail.new()
    assert sorted(entry.object_id for entry in entries) == sorted(str(h.pk) for h in households)
    assert {(entry.action, entry.object_type) for entry in entries} == {(Action.DELETE, "casework.household")}


# --- the trail itself ----------------------------------------------------------------------


@pytest.fixture
def entry(superuser) -> AuditEntry:
    return audit_record(user=superuser, action=Action.VIEW, obj=CaseFactory())


def test_administrators_read_the_trail(client, entry):
    administrator = make_staff(ADMINISTRATION, is_staff=True)
    login_with_otp(client, administrator)
    response = client.get(admin_url(AuditEntry, "changelist"))
    assert response.status_code == 200
    assert entry in response.context["cl"].result_list
    assert client.get(admin_url(AuditEntry, "change", entry.pk)).status_code == 200


def test_other_staff_do_not_read_the_trail(client, entry):
    login_with_otp(client, make_staff(COORDINATION, is_staff=True))
    assert client.get(admin_url(AuditEntry, "changelist")).status_code == 403
    assert client.get(admin_url(AuditEntry, "change", entry.pk)).status_code == 403


def test_nobody_adds_changes_or_deletes_entries_in_the_admin(admin_client, entry):
    assert admin_client.get(admin_url(AuditEntry, "add")).status_code == 403
    assert admin_client.post(admin_url(AuditEntry, "add"), {"action": "view"}).status_code == 403
    assert admin_client.get(admin_url(AuditEntry, "delete", entry.pk)).status_code == 403
    assert admin_client.post(admin_url(AuditEntry, "delete", entry.pk), {"post": "yes"}).status_code == 403
    change = admin_client.post(admin_url(AuditEntry, "change", entry.pk), {"action": "delete"})
    assert change.status_code == 403
    response = admin_client.post(
        admin_url(AuditEntry, "changelist"),
        {"action": "delete_selected", "post": "yes", "_selected_action": [str(entry.pk)]},
    )
    assert response.status_code in (200, 302)
    assert AuditEntry.objects.filter(pk=entry.pk, action=Action.VIEW).exists()


def test_the_change_page_shows_every_field_read_only(admin_client, entry):
    response = admin_client.get(admin_url(AuditEntry, "change", entry.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="_save"' not in content
    assert 'name="_continue"' not in content
    assert response.context["adminform"].form.fields == {}
    shown = {
        field.field["field"]
        for fieldset in response.context["adminform"]
        for line in fieldset
        for field in line
    }
    assert {
        "at",
        "user",
        "username",
        "action",
        "object_type",
        "object_id",
        "case_reference",
        "fields",
    } <= shown
    assert entry.case_reference in content


def test_the_list_offers_no_actions_and_no_delete(admin_client, entry):
    response = admin_client.get(admin_url(AuditEntry, "changelist"))
    content = response.content.decode()
    assert 'name="action"' not in content
    assert "action-checkbox" not in content
    assert response.context["cl"].show_full_result_count is False
    assert admin.site._registry[AuditEntry].get_actions(response.wsgi_request) == {}


@pytest.mark.parametrize("field", ["reference", "username", "object_id"])
def test_the_list_searches_exact_values(admin_client, superuser, entry, field):
    other = audit_record(user=UserFactory(), action=Action.VIEW, obj=CaseFactory())
    term = {
        "reference": entry.case_reference.lower(),
        "username": superuser.username,
        "object_id": entry.object_id,
    }[field]
    response = admin_client.get(admin_url(AuditEntry, "changelist"), {"q": term})
    assert response.status_code == 200
    results = list(response.context["cl"].result_list)
    assert entry in results
    assert other not in results


def test_the_list_filters_by_action_and_object_type(admin_client, superuser, entry):
    search = audit_record(user=superuser, action=Action.SEARCH, obj=Client)
    url = admin_url(AuditEntry, "changelist")
    by_action = admin_client.get(url, {"action__exact": "search"})
    assert list(by_action.context["cl"].result_list) == [search]
    by_type = admin_client.get(url, {"object_type": "casework.case"})
    assert entry in by_type.context["cl"].result_list
    assert search not in by_type.context["cl"].result_list
    assert reverse("admin:audit_auditentry_changelist") == url


def test_a_bare_object_id_finds_entries_of_every_type_through_the_type_index(admin_client, superuser):
    case = CaseFactory()
    on_case = audit_record(user=superuser, action=Action.VIEW, obj=case)
    on_client = audit_record(user=superuser, action=Action.VIEW, obj=case.client)
    same_id = on_case.object_id == on_client.object_id
    url = admin_url(AuditEntry, "changelist")
    response = admin_client.get(url, {"q": on_client.object_id})
    assert on_client in response.context["cl"].result_list
    assert (on_case in response.context["cl"].result_list) == same_id
    # The SQL names every object type the trail holds, so the index on (object_type, …) serves it.
    assert set(AuditEntry.objects.object_types()) == {"casework.case", "casework.client"}
    typed = admin_client.get(url, {"q": on_client.object_id, "object_type": "casework.case"})
    assert on_client not in typed.context["cl"].result_list


def test_a_username_without_account_is_looked_up_only_among_entries_of_deleted_accounts(
    admin_client, superuser
):
    gone = UserFactory(username="ehemals.weg")
    entry = audit_record(user=gone, action=Action.VIEW, obj=CaseFactory())
    gone.delete()
    entry.refresh_from_db()
    assert entry.user_id is None and entry.username == "ehemals.weg"
    url = admin_url(AuditEntry, "changelist")
    assert list(admin_client.get(url, {"q": "ehemals.weg"}).context["cl"].result_list) == [entry]
    assert list(admin_client.get(url, {"q": "niemand.hier"}).context["cl"].result_list) == []


def test_deep_pages_end_at_the_last_page_offered(admin_client, superuser, settings):
    from kim import pagination

    AuditEntry.objects.bulk_create(
        AuditEntry(
            user=superuser, username=superuser.username, action=Action.VIEW, object_type="x", object_id=n
        )
        for n in range(12)
    )
    admin.site._registry[AuditEntry].list_per_page = 2
    original = pagination.MAX_ADMIN_PAGE
    pagination.MAX_ADMIN_PAGE = 3
    try:
        response = admin_client.get(admin_url(AuditEntry, "changelist"), {"p": "10000"})
    finally:
        pagination.MAX_ADMIN_PAGE = original
        admin.site._registry[AuditEntry].list_per_page = 50
    assert response.status_code == 200
    cl = response.context["cl"]
    assert cl.paginator.num_pages == 3
    assert len(cl.result_list) == 2
