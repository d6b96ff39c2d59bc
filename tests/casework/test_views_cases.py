import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import CASE_MANAGEMENT
from casework import services
from casework.consent import LEGAL_BASIS_EXAMPLE
from casework.lifecycle import Phase
from casework.models import Case, CaseAssignment, Contact, FollowUp, Referral
from casework.views.cases import TIMELINE_RECENT
from regions.models import Municipality
from tests.conftest import make_staff
from tests.factories import ActorFactory, CaseFactory, ClientFactory, closure_reason, topic

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def in_municipality(name: str, **kwargs) -> Case:
    return CaseFactory(client=ClientFactory(municipality=Municipality.objects.get(name=name)), **kwargs)


@pytest.fixture
def cm_client(client, case_manager):
    client.force_login(case_manager)
    return client


# --- access ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dashboard", "cases:list", "cases:bulk_reassign"])
def test_pages_require_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/anmelden/")


def test_case_detail_requires_login(client):
    case = CaseFactory()
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 302


def test_case_in_another_region_is_404_and_not_listed(cm_client):
    other = in_municipality("Senden")
    mine = in_municipality("Coesfeld")
    assert cm_client.get(reverse("cases:detail", args=[other.pk])).status_code == 404
    listing = cm_client.get(reverse("cases:list")).content.decode()
    assert mine.reference in listing
    assert other.reference not in listing
    assert cm_client.post(reverse("cases:add_contact", args=[other.pk]), {}).status_code == 404


def test_case_manager_cannot_write_a_colleagues_case_in_the_same_region(cm_client):
    colleague = make_staff(CASE_MANAGEMENT)
    case = in_municipality("Coesfeld", case_manager=colleague)
    page = cm_client.get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200
    assert "Kontakt erfassen" not in page.content.decode()
    response = cm_client.post(
        reverse("cases:add_contact", args=[case.pk]),
        {
            "contact-contacted_on": TODAY.isoformat(),
            "contact-channel": "phone",
            "contact-duration_minutes": 10,
        },
    )
    assert response.status_code == 403
    assert "Keine Berechtigung" in response.content.decode()
    assert Contact.objects.count() == 0


# --- list ------------------------------------------------------------------------------


def test_list_filters_search_and_count(cm_client, case_manager):
    mine = in_municipality("Coesfeld", case_manager=case_manager)
    mine.client.last_name = "Qaddoura"
    mine.client.save()
    in_municipality("Billerbeck")
    closed = in_municipality("Havixbeck", case_manager=case_manager)
    services.case_change_phase(
        case=closed, to_phase=Phase.CLOSED, by=None, closed_on=TODAY, closure_reason=closure_reason()
    )
    url = reverse("cases:list")

    def refs(query):
        response = cm_client.get(url, query)
        assert response.status_code == 200
        return {c.reference for c in response.context["cases"]}, response

    assert refs({})[0] == {mine.reference, closed.reference} | {
        Case.objects.get(municipality__name="Billerbeck").reference
    }
    assert refs({"manager": "me"})[0] == {mine.reference, closed.reference}
    assert refs({"manager": "me", "phase": "open"})[0] == {mine.reference}
    assert refs({"phase": Phase.CLOSED})[0] == {closed.reference}
    assert refs({"municipality": Municipality.objects.get(name="Coesfeld").pk})[0] == {mine.reference}
    assert refs({"q": "qaddo"})[0] == {mine.reference}
    found, response = refs({"q": mine.reference})
    assert found == {mine.reference}
    assert "1 Fall" in response.content.decode()


def test_overdue_filter_and_opened_between(cm_client, case_manager):
    late = in_municipality("Coesfeld", case_manager=case_manager, opened_on=TODAY - dt.timedelta(days=60))
    on_time = in_municipality("Coesfeld", case_manager=case_manager, opened_on=TODAY - dt.timedelta(days=5))
    FollowUp.objects.create(case=late, title="Rückruf", due_on=TODAY - dt.timedelta(days=1))
    FollowUp.objects.create(case=on_time, title="Rückruf", due_on=TODAY + dt.timedelta(days=1))
    response = cm_client.get(reverse("cases:list"), {"overdue": "true"})
    assert [c.reference for c in response.context["cases"]] == [late.reference]
    response = cm_client.get(
        reverse("cases:list"), {"opened_after": (TODAY - dt.timedelta(days=10)).isoformat()}
    )
    assert [c.reference for c in response.context["cases"]] == [on_time.reference]


def test_bad_filter_values_do_not_crash(cm_client):
    response = cm_client.get(
        reverse("cases:list"),
        {"region": "abc", "manager": "99999", "opened_after": "31.02.x", "page": "-1", "o": "nonsense"},
    )
    assert response.status_code == 200


def test_list_sorts_by_reference(cm_client):
    cases = [in_municipality("Coesfeld") for _ in range(3)]
    response = cm_client.get(reverse("cases:list"), {"o": "reference"})
    assert [c.reference for c in response.context["cases"]] == sorted(c.reference for c in cases)
    response = cm_client.get(reverse("cases:list"), {"o": "-reference"})
    assert [c.reference for c in response.context["cases"]] == sorted(
        (c.reference for c in cases), reverse=True
    )


def test_list_query_count_does_not_grow_with_rows(cm_client, case_manager, django_assert_max_num_queries):
    for n in (3, 40):
        while Case.objects.count() < n:
            case = in_municipality("Coesfeld", case_manager=case_manager)
            FollowUp.objects.create(case=case, title="x", due_on=TODAY - dt.timedelta(days=1))
        cm_client.get(reverse("cases:list"))  # the first request's session refresh
        # Session, user, roles with scope, legal frameworks, staff, the search's audit entry,
        # count and page ids in one, the rows (with their legal frameworks).
        with django_assert_max_num_queries(8):
            response = cm_client.get(reverse("cases:list"), {"manager": "me", "phase": "open"})
        assert len(response.context["cases"]) == n


# --- detail and entries -------------------------------------------------------------------


def test_detail_shows_header_and_timeline(cm_client, case_manager):
    case = in_municipality("Dülmen", case_manager=case_manager)
    case_manager.regions.add(case.municipality.region)
    services.contact_create(
        case=case, by=case_manager, channel="phone", duration_minutes=20, note="Termin JC"
    )
    body = cm_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert case.reference in body
    assert case.client.full_name in body
    assert "Dülmen" in body and "Mitte" in body
    assert "Termin JC" in body
    assert "Fall eröffnet" in body


def test_detail_query_count_does_not_grow(cm_client, case_manager, django_assert_max_num_queries):
    case = in_municipality("Coesfeld", case_manager=case_manager)
    actor = ActorFactory()
    for rows in (2, 30):
        while case.contacts.count() < rows:
            services.contact_create(
                case=case, by=case_manager, channel="phone", duration_minutes=5, topics=[topic()]
            )
            services.referral_create(case=case, by=case_manager, actor=actor, legal_basis=LEGAL_BASIS_EXAMPLE)
            services.goal_create(case=case, by=case_manager, title="Ziel")
            services.follow_up_create(case=case, by=case_manager, title="WV", due_on=TODAY)
        with django_assert_max_num_queries(29):
            assert cm_client.get(reverse("cases:detail", args=[case.pk])).status_code == 200


def _queries_of(client, url) -> int:
    """Queries of a page view, without the first request's session refresh."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add_contacts(case, by, n):
    contacts = Contact.objects.bulk_create(
        Contact(
            case=case, created_by=by, contacted_on=TODAY, channel="phone", duration_minutes=5, note=f"K{i}"
        )
        for i in range(n)
    )
    Contact.topics.through.objects.bulk_create(
        Contact.topics.through(contact_id=c.pk, topic_id=topic().pk) for c in contacts
    )


def test_detail_query_count_is_the_same_for_2_and_200_contacts(cm_client, case_manager):
    case = in_municipality("Coesfeld", case_manager=case_manager)
    ActorFactory.create_batch(3, district=case.district)
    url = reverse("cases:detail", args=[case.pk])
    _add_contacts(case, case_manager, 2)
    few = _queries_of(cm_client, url)
    _add_contacts(case, case_manager, 198)
    many = _queries_of(cm_client, url)
    assert few == many
    assert many <= 24


def test_detail_shows_the_newest_timeline_entries_and_links_to_all(cm_client, case_manager):
    case = in_municipality("Coesfeld", case_manager=case_manager)
    _add_contacts(case, case_manager, 60)
    url = reverse("cases:detail", args=[case.pk])
    body = cm_client.get(url).content.decode()
    assert body.count('class="timeline-contact"') == TIMELINE_RECENT == 20
    assert "ältere Einträge anzeigen" in body and "?verlauf=alle" in body
    body = cm_client.get(url, {"verlauf": "alle"}).content.decode()
    assert body.count('class="timeline-contact"') == 60
    assert "Fall eröffnet" in body
    assert "ältere Einträge anzeigen" not in body


def test_add_contact_and_errors(cm_client, case_manager):
    case = in_municipality("Coesfeld", case_manager=case_manager)
    url = reverse("cases:add_contact", args=[case.pk])
    response = cm_client.post(
        url,
        {"contact-contacted_on": "kein Datum", "contact-channel": "fax", "contact-duration_minutes": "-3"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bitte ein gültiges Datum eingeben." in body
    assert Contact.objects.count() == 0
    future = (TODAY + dt.timedelta(days=3)).isoformat()
    response = cm_client.post(
        url, {"contact-contacted_on": future, "contact-channel": "phone", "contact-duration_minutes": "10"}
    )
    assert "nicht in der Zukunft" in response.content.decode()
    assert Contact.objects.count() == 0
    response = cm_client.post(
        url,
        {
            "contact-contacted_on": TODAY.isoformat(),
            "contact-channel": "phone",
            "contact-duration_minutes": "25",
            "contact-topics": [topic().pk],
            "contact-note": "<script>alert(1)</script>",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.created_by == case_manager
    body = cm_client.get(case.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)</script>" not in body


def test_closing_needs_a_reason_and_then_refuses_entries(cm_client, case_manager):
    case = in_municipality("Coesfeld", case_manager=case_manager)
    url = reverse("cases:change_phase", args=[case.pk])
    response = cm_client.post(url, {"phase-to_phase": Phase.CLOSED, "phase-closed_on": TODAY.isoformat()})
    assert response.status_code == 200
    assert "Abschlussgrund anzugeben" in response.content.decode()
    response = cm_client.post(
        url,
        {
            "phase-to_phase": Phase.CLOSED,
            "phase-closed_on": TODAY.isoformat(),
            "phase-closure_reason": closure_reason().pk,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.phase == Phase.CLOSED
    response = cm_client.post(
        reverse("cases:add_follow_up", args=[case.pk]),
        {"follow_up-title": "Nachfassen", "follow_up-due_on": TODAY.isoformat()},
    )
    assert response.status_code == 200
    assert "abgeschlossen und nimmt keine neuen Einträge an" in response.content.decode()
    assert FollowUp.objects.count() == 0


def test_phase_form_offers_only_allowed_transitions(cm_client, case_manager):
    case = in_municipality("Coesfeld", case_manager=case_manager)
    form = cm_client.get(case.get_absolute_url(), {"eingabe": "phase"}).context["phase_form"]
    assert [value for value, _ in form.fields["to_phase"].choices] == [
        Phase.ASSESSMENT,
        Phase.CLOSED,
        Phase.PAUSED,
    ]
    response = cm_client.post(
        reverse("cases:change_phase", args=[case.pk]), {"phase-to_phase": Phase.MONITORING}
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.phase == Phase.INTAKE


def test_referral_goal_follow_up_document_and_consent(cm_client, case_manager):
    case = in_municipality("Coesfeld", case_manager=case_manager)
    actor = ActorFactory(name="Jugendmigrationsdienst Coesfeld")
    base = case.get_absolute_url()
    # The consent comes first: the referral passes data to the actor (casework/consent.py).
    assert (
        cm_client.post(
            reverse("cases:add_consent", args=[case.pk]),
            {
                "consent-purpose": "Austausch mit JMD",
                "consent-actors": [actor.pk],
                "consent-given_on": TODAY.isoformat(),
            },
        ).status_code
        == 302
    )
    consent = case.consents.get()
    assert (
        cm_client.post(
            reverse("cases:add_referral", args=[case.pk]),
            {
                "referral-actor": actor.pk,
                "referral-referred_on": TODAY.isoformat(),
                "referral-status": "referred",
                "referral-consent": consent.pk,
            },
        ).status_code
        == 302
    )
    assert (
        cm_client.post(reverse("cases:add_goal", args=[case.pk]), {"goal-title": "B1-Kurs"}).status_code
        == 302
    )
    assert (
        cm_client.post(
            reverse("cases:add_follow_up", args=[case.pk]),
            {"follow_up-title": "Bescheid", "follow_up-due_on": TODAY.isoformat()},
        ).status_code
        == 302
    )
    upload = SimpleUploadedFile("Bescheid Haddad.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    assert (
        cm_client.post(
            reverse("cases:add_document", args=[case.pk]),
            {"document-title": "Bescheid", "document-file": upload},
        ).status_code
        == 302
    )
    assert Referral.objects.get().actor == actor
    assert Referral.objects.get().consent == consent
    document = case.documents.get()
    assert "Haddad" not in document.file.name
    download = cm_client.get(reverse("cases:document", args=[case.pk, document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    body = cm_client.get(base).content.decode()
    assert "Jugendmigrationsdienst Coesfeld" in body and "B1-Kurs" in body


def test_document_with_forbidden_type_is_refused(cm_client, case_manager):
    case = in_municipality("Coesfeld", case_manager=case_manager)
    upload = SimpleUploadedFile("tool.exe", b"MZ", content_type="application/octet-stream")
    response = cm_client.post(
        reverse("cases:add_document", args=[case.pk]), {"document-title": "x", "document-file": upload}
    )
    assert response.status_code == 200
    assert "Dateityp ist nicht erlaubt" in response.content.decode()
    assert case.documents.count() == 0


# --- handover -----------------------------------------------------------------------------


def test_case_manager_cannot_reassign(cm_client, case_manager):
    case = in_municipality("Coesfeld", case_manager=case_manager)
    response = cm_client.post(
        reverse("cases:reassign", args=[case.pk]), {"reassign-to_manager": case_manager.pk}
    )
    assert response.status_code == 403
    assert cm_client.get(reverse("cases:bulk_reassign")).status_code == 403


def test_coordination_reassigns_one_and_many(client, coordinator):
    leaving, taking_over = make_staff(CASE_MANAGEMENT), make_staff(CASE_MANAGEMENT)
    cases = [in_municipality("Coesfeld", case_manager=leaving) for _ in range(3)]
    outside = in_municipality("Senden", case_manager=leaving)
    client.force_login(coordinator)
    response = client.post(
        reverse("cases:reassign", args=[cases[0].pk]),
        {"reassign-to_manager": taking_over.pk, "reassign-note": "Urlaub"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("cases:bulk_reassign"),
        {
            "from_manager": leaving.pk,
            "to_manager": taking_over.pk,
            "only_open": "on",
            "note": "Ausgeschieden",
            "action": "bestaetigen",
        },
    )
    assert response.status_code == 302
    assert Case.objects.filter(case_manager=taking_over).count() == 3
    outside.refresh_from_db()
    assert outside.case_manager == leaving  # another region is not the coordinator's to move
    assert CaseAssignment.objects.filter(to_manager=taking_over).count() == 3


# --- dashboard ----------------------------------------------------------------------------


def test_dashboard_shows_my_cases_due_follow_ups_and_residence_deadlines(cm_client, case_manager):
    case = in_municipality("Coesfeld", case_manager=case_manager)
    services.follow_up_create(
        case=case, by=case_manager, title="Jobcenter anrufen", due_on=TODAY - dt.timedelta(days=2)
    )
    services.follow_up_create(case=case, by=case_manager, title="Später", due_on=TODAY + dt.timedelta(days=9))
    expiring = in_municipality("Coesfeld", case_manager=case_manager)
    expiring.client.residence_status = "duldung"
    expiring.client.residence_valid_until = TODAY + dt.timedelta(days=20)
    expiring.client.save()
    response = cm_client.get(reverse("dashboard"))
    body = response.content.decode()
    assert "Jobcenter anrufen" in body
    assert "Später" not in body
    assert "Duldung läuft ab" in body
    assert case.reference in body
    assert "2 offene Fälle" in body


def test_dashboard_names_cases_outside_my_open_cases_too(cm_client, case_manager):
    """A follow-up assigned to me on a colleague's case, a contact I logged in a case closed
    since: both rows name their case, read in one more query."""
    colleagues = in_municipality("Coesfeld", case_manager=make_staff(CASE_MANAGEMENT))
    FollowUp.objects.create(
        case=colleagues, created_by=case_manager, assigned_to=case_manager, title="Vertretung", due_on=TODAY
    )
    closed = in_municipality("Billerbeck", case_manager=case_manager)
    services.contact_create(case=closed, by=case_manager, channel="phone", duration_minutes=10)
    services.case_change_phase(
        case=closed, to_phase=Phase.CLOSED, by=case_manager, closed_on=TODAY, closure_reason=closure_reason()
    )
    page = cm_client.get(reverse("dashboard"))
    due, contacts = page.context["due"], page.context["recent_contacts"]
    assert [(item.title, item.case.reference, item.case.subject) for item in due] == [
        ("Vertretung", colleagues.reference, colleagues.client.full_name)
    ]
    assert [(c.case.reference, c.case.subject) for c in contacts] == [
        (closed.reference, closed.client.full_name)
    ]
    assert reverse("cases:detail", args=[closed.pk]) in page.content.decode()


def test_dashboard_query_count_does_not_grow(cm_client, case_manager, django_assert_max_num_queries):
    for n in (2, 25):
        while Case.objects.count() < n:
            case = in_municipality("Coesfeld", case_manager=case_manager)
            services.follow_up_create(case=case, by=case_manager, title="x", due_on=TODAY)
            services.contact_create(case=case, by=case_manager, channel="phone", duration_minutes=5)
        with django_assert_max_num_queries(14):
            assert cm_client.get(reverse("dashboard")).status_code == 200


def test_dashboard_query_count_is_the_same_for_5_and_100_open_cases(cm_client, case_manager):
    counts = []
    for n in (5, 100):
        while Case.objects.count() < n:
            case = in_municipality("Coesfeld", case_manager=case_manager)
            FollowUp.objects.create(
                case=case, created_by=case_manager, assigned_to=case_manager, title="x", due_on=TODAY
            )
            _add_contacts(case, case_manager, 1)
        counts.append(_queries_of(cm_client, reverse("dashboard")))
    assert counts[0] == counts[1]
    # Session, user, roles with scope, then the page's own: phases, open cases, follow-ups,
    # deadlines (clients and household members), cases newly taken over, referrals without a
    # Rückmeldung, recent contacts, my appointments (the quick-contact form opens on request);
    # the case page's handover mark is written when a case is opened, not here.
    assert counts[1] <= 11


def test_quick_contact_offers_exactly_the_users_open_cases(cm_client, case_manager):
    mine = [in_municipality("Coesfeld", case_manager=case_manager) for _ in range(3)]
    closed = in_municipality("Coesfeld", case_manager=case_manager)
    services.case_change_phase(
        case=closed, to_phase=Phase.CLOSED, by=case_manager, closed_on=TODAY, closure_reason=closure_reason()
    )
    colleagues = in_municipality("Coesfeld", case_manager=make_staff(CASE_MANAGEMENT))
    # The page offers the panel; the form opens in it (?eingabe=kontakt) or as a fragment.
    page = cm_client.get(reverse("dashboard"))
    assert page.context["quick_form"] is None
    assert 'id="panel-quick-contact" data-panel-url="/kontakt/formular/"' in page.content.decode()
    fragment = cm_client.get(reverse("quick_contact_form"))
    assert {"no-store", "private"} <= {part.strip() for part in fragment["Cache-Control"].split(",")}
    assert 'name="quick-submit_token"' in fragment.content.decode()
    from_fragment = [
        value for value, _ in fragment.context["quick_form"].fields["case"].choices if value != ""
    ]
    form = cm_client.get(reverse("dashboard"), {"eingabe": "kontakt"}).context["quick_form"]
    offered = [value for value, _ in form.fields["case"].choices if value != ""]
    assert sorted(int(str(value)) for value in from_fragment) == sorted(offered)
    assert sorted(offered) == sorted(case.pk for case in mine)
    assert closed.pk not in offered and colleagues.pk not in offered
    labels = [label for value, label in form.fields["case"].choices if value != ""]
    assert labels == sorted(labels)
    assert f"{mine[0].reference} – {mine[0].client.full_name}" in labels


def test_quick_contact(cm_client, case_manager):
    case = in_municipality("Coesfeld", case_manager=case_manager)
    response = cm_client.post(
        reverse("quick_contact"),
        {
            "quick-case": case.pk,
            "quick-contacted_on": TODAY.isoformat(),
            "quick-channel": "in_person",
            "quick-duration_minutes": 30,
        },
    )
    assert response.status_code == 302
    assert case.contacts.count() == 1
    other = in_municipality("Coesfeld")
    response = cm_client.post(
        reverse("quick_contact"),
        {
            "quick-case": other.pk,
            "quick-contacted_on": TODAY.isoformat(),
            "quick-channel": "phone",
            "quick-duration_minutes": 5,
        },
    )
    assert response.status_code == 200
    assert other.contacts.count() == 0


def test_detail_warns_when_the_clients_residence_title_runs_out(cm_client, case_manager):
    case = in_municipality("Coesfeld", case_manager=case_manager)
    case.client.residence_status = "duldung"
    case.client.residence_valid_until = TODAY + dt.timedelta(days=20)
    case.client.save()
    body = cm_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    expected = (TODAY + dt.timedelta(days=20)).strftime("%d.%m.%Y")
    assert f"Duldung gültig bis {expected} – Verlängerung rechtzeitig klären." in body


# --- undo of "erledigt" ----------------------------------------------------------------------


def test_a_done_follow_up_can_be_opened_again_and_both_steps_are_audited(cm_client, case_manager):
    from audit.models import Action, AuditEntry

    case = in_municipality("Coesfeld", case_manager=case_manager)
    follow_up = services.follow_up_create(case=case, by=case_manager, title="Bescheid prüfen", due_on=TODAY)
    done = cm_client.post(reverse("cases:follow_up_done", args=[case.pk, follow_up.pk]), follow=True)
    page = done.content.decode()
    # The message offers the undo; the case page lists the follow-up under "Zuletzt erledigt".
    assert "Rückgängig machen: wieder öffnen" in page
    reopen_url = reverse("cases:follow_up_reopen", args=[case.pk, follow_up.pk])
    assert f'action="{reopen_url}"' in page

    response = cm_client.post(reopen_url)
    assert response.status_code == 302 and response["Location"].endswith("#follow-ups-title")
    follow_up.refresh_from_db()
    assert follow_up.done_at is None and follow_up.done_by is None
    assert follow_up in FollowUp.objects.filter(case=case, done_at__isnull=True)
    changes = AuditEntry.objects.filter(
        object_type="casework.followup", object_id=str(follow_up.pk), action=Action.CHANGE
    )
    assert changes.count() == 2
    # Opening it again twice changes nothing more.
    cm_client.post(reopen_url)
    assert changes.count() == 2


def test_a_colleague_cannot_reopen_a_follow_up_of_a_case_not_theirs(client, case_manager):
    case = in_municipality("Coesfeld", case_manager=case_manager)
    follow_up = services.follow_up_create(case=case, by=case_manager, title="Bescheid prüfen", due_on=TODAY)
    services.follow_up_complete(follow_up=follow_up, by=case_manager)
    client.force_login(make_staff(CASE_MANAGEMENT))
    response = client.post(reverse("cases:follow_up_reopen", args=[case.pk, follow_up.pk]))
    assert response.status_code == 403
    assert FollowUp.objects.get(pk=follow_up.pk).done_at is not None
