"""Retention and deletion: `manage.py apply_retention` and privacy.services.retention_run."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum
from django.utils import timezone

from audit.models import Action, AuditEntry
from casework import services
from casework.lifecycle import Phase
from casework.models import (
    Case,
    Client,
    Consent,
    Contact,
    Document,
    FollowUp,
    Goal,
    Household,
    HouseholdRole,
    LegalFramework,
    Referral,
)
from privacy.inventory import ANONYMISED_HOUSEHOLD, ANONYMISED_NAME, DELETED_TEXT
from privacy.models import DeletionLog
from privacy.services import add_years, retention_run
from tests.factories import CaseFactory, ClientFactory, HouseholdFactory, municipality

from .conftest import closed_case

pytestmark = pytest.mark.django_db

SENTINEL = "Sentinelia"
TODAY = timezone.localdate()
OLD = add_years(TODAY, -6)  # past every period (documents 3, notes 3, identity 5 years)
MIDDLE = add_years(TODAY, -4)  # past documents and notes, not identity
RECENT = TODAY - dt.timedelta(days=30)


def _opened(closed_on: dt.date) -> dt.date:
    return closed_on - dt.timedelta(days=60)


@pytest.fixture
def world(case_manager):
    """Clients in every situation the retention rules distinguish."""
    frameworks = list(LegalFramework.objects.order_by("pk")[:2])
    w = {}
    w["gone"] = ClientFactory(
        first_name=SENTINEL,
        last_name="Vergessen",
        street="Sentinelweg 1",
        postal_code="48653",
        phone="02541 999",
        email="sentinelia@example.org",
        languages="Tigrinya",
        external_id="EXT-SENTINEL",
        nationality="ER",
        residence_status="temporary",
        residence_valid_until=OLD,
    )
    w["gone_case"] = closed_case(
        w["gone"],
        by=case_manager,
        marker=SENTINEL,
        opened_on=_opened(OLD),
        closed_on=OLD,
        legal_frameworks=frameworks,
    )
    w["middle"] = ClientFactory(first_name="Mittelfrist", last_name="Bleibt")
    w["middle_case"] = closed_case(
        w["middle"], by=case_manager, marker="Mitte4", opened_on=_opened(MIDDLE), closed_on=MIDDLE
    )
    w["recent"] = ClientFactory(first_name="Kürzlich", last_name="Abgeschlossen")
    closed_case(w["recent"], by=case_manager, marker="Neu30", opened_on=_opened(RECENT), closed_on=RECENT)
    w["active"] = ClientFactory(first_name="Aktiv", last_name="Betreut")
    closed_case(w["active"], by=case_manager, marker="AltAktiv", opened_on=_opened(OLD), closed_on=OLD)
    CaseFactory(client=w["active"], municipality=municipality("Dülmen"), case_manager=case_manager)

    # A household: the head's case is long closed, the child never had a case of their own.
    w["household"] = HouseholdFactory(name=f"Familie {SENTINEL}")
    w["head"] = ClientFactory(
        first_name=f"{SENTINEL}Vater", household=w["household"], household_role=HouseholdRole.HEAD
    )
    w["child"] = ClientFactory(
        first_name=f"{SENTINEL}Kind",
        household=w["household"],
        household_role=HouseholdRole.CHILD,
        date_of_birth=dt.date(2015, 8, 3),
    )
    closed_case(w["head"], by=case_manager, marker="HaushaltAlt", opened_on=_opened(OLD), closed_on=OLD)
    # A household one of whose members is still supported: nobody in it is touched.
    w["busy_household"] = HouseholdFactory(name="Familie Laufend")
    w["busy_head"] = ClientFactory(first_name="Laufend", household=w["busy_household"])
    closed_case(w["busy_head"], by=case_manager, marker="LaufendAlt", opened_on=_opened(OLD), closed_on=OLD)
    w["busy_partner"] = ClientFactory(first_name="Partnerin", household=w["busy_household"])
    CaseFactory(client=w["busy_partner"], case_manager=case_manager)

    # Registered long ago and never supported in a case; and one registered last month.
    w["never"] = ClientFactory(first_name="Nieunterstützt")
    Client.objects.filter(pk=w["never"].pk).update(created_at=timezone.now() - dt.timedelta(days=6 * 366))
    w["new"] = ClientFactory(first_name="Neuangemeldet")

    # The admin's change history copies the client's name.
    LogEntry.objects.create(
        user=case_manager,
        content_type=ContentType.objects.get_for_model(Client),
        object_id=str(w["gone"].pk),
        object_repr=str(w["gone"]),
        action_flag=CHANGE,
        change_message="[]",
    )
    return w


def statistics() -> dict:
    """The figures KIM reports, and what the statistics module could count."""

    def counts(queryset, *fields):
        rows = queryset.values(*fields).annotate(n=Count("pk"))
        return sorted(((tuple(row[f] for f in fields), row["n"]) for row in rows), key=repr)

    return {
        "cases_by_phase": counts(Case.objects, "phase"),
        "cases_by_framework": counts(Case.objects, "legal_frameworks__code"),
        "cases_by_reason": counts(Case.objects, "closure_reason__name"),
        "cases_by_municipality": counts(Case.objects, "municipality__name"),
        "cases_by_dates": counts(Case.objects, "opened_on", "closed_on"),
        "contacts_by_channel": counts(Contact.objects, "channel", "contacted_on"),
        "contacts_by_topic": counts(Contact.objects, "topics__name"),
        "contact_minutes": Contact.objects.aggregate(m=Sum("duration_minutes"))["m"],
        "referrals": counts(Referral.objects, "actor__actor_type__name", "status", "referred_on"),
        "goals": counts(Goal.objects, "status", "topic__name"),
        "consents": counts(Consent.objects, "given_on", "valid_until", "withdrawn_on"),
        "clients": counts(
            Client.objects,
            "gender",
            "municipality__name",
            "nationality",
            "residence_status",
            "needs_interpreter",
        ),
        "clients_by_birth_year": counts(Client.objects, "date_of_birth__year"),
        "clients_by_framework": counts(Client.objects, "legal_frameworks__code"),
    }


def snapshot() -> str:
    """Everything a run may change, as text."""
    rows = {
        "clients": list(Client.objects.order_by("pk").values()),
        "households": list(Household.objects.order_by("pk").values()),
        "contacts": list(Contact.objects.order_by("pk").values("note")),
        "goals": list(Goal.objects.order_by("pk").values("title", "description")),
        "referrals": list(Referral.objects.order_by("pk").values("outcome")),
        "follow_ups": list(FollowUp.objects.order_by("pk").values("title")),
        "consents": list(Consent.objects.order_by("pk").values("purpose")),
        "documents": list(Document.objects.order_by("pk").values("pk", "title", "file")),
        "log": list(LogEntry.objects.values("object_repr")),
        "deletion_log": DeletionLog.objects.count(),
        "audit": AuditEntry.objects.count(),
    }
    return json.dumps(rows, default=str, sort_keys=True)


def _file(document: Document) -> Path:
    return Path(document.file.path)


def _notes_of(case: Case) -> list[str]:
    return [
        *Contact.objects.filter(case=case).values_list("note", flat=True),
        *Goal.objects.filter(case=case).values_list("title", flat=True),
        *Goal.objects.filter(case=case).values_list("description", flat=True),
        *Referral.objects.filter(case=case).values_list("outcome", flat=True),
        *FollowUp.objects.filter(case=case).values_list("title", flat=True),
        *Consent.objects.filter(case=case).values_list("purpose", flat=True),
        *case.phase_changes.exclude(note="").values_list("note", flat=True),
        *case.assignments.exclude(note="").values_list("note", flat=True),
    ]


def test_a_dry_run_changes_nothing_and_reports_what_a_run_would_do(world, django_capture_on_commit_callbacks):
    files = [_file(document) for document in Document.objects.all()]
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        dry = retention_run(today=TODAY, dry_run=True)
    assert snapshot() == before
    assert all(path.exists() for path in files)
    assert dry.dry_run and dry.total > 0
    # The documents of the cases of `gone`, `middle` and `head`.
    assert dry.counts[("documents", "casework.document")] == 3
    with django_capture_on_commit_callbacks(execute=True):
        real = retention_run(today=TODAY, dry_run=False)
    assert real.counts == dry.counts
    assert (real.client_ids, real.household_ids) == (dry.client_ids, dry.household_ids)


def test_the_run_anonymises_exactly_the_clients_past_all_periods(world):
    untouched = ("middle", "recent", "active", "busy_head", "busy_partner", "new")
    before = {key: Client.objects.filter(pk=world[key].pk).values().get() for key in untouched}
    report = retention_run(today=TODAY, dry_run=False)

    for key in ("gone", "head", "child", "never"):
        client = Client.objects.get(pk=world[key].pk)
        assert (client.first_name, client.last_name) == (ANONYMISED_NAME, ANONYMISED_NAME), key
        assert client.anonymised_at is not None
        assert (client.street, client.postal_code, client.phone, client.email) == ("", "", "", "")
        assert (client.languages, client.external_id, client.residence_valid_until) == ("", "", None)
        assert client.date_of_birth == client.date_of_birth.replace(month=1, day=1)
    gone = Client.objects.get(pk=world["gone"].pk)
    assert gone.date_of_birth == dt.date(1990, 1, 1)
    assert (gone.nationality.code, gone.residence_status, gone.gender) == (
        "ER",
        "temporary",
        world["gone"].gender,
    )
    assert Client.objects.get(pk=world["child"].pk).date_of_birth == dt.date(2015, 1, 1)
    for key in untouched:
        assert Client.objects.filter(pk=world[key].pk).values().get() == before[key], key

    assert Household.objects.get(pk=world["household"].pk).name == ANONYMISED_HOUSEHOLD
    assert Household.objects.get(pk=world["busy_household"].pk).name == "Familie Laufend"
    assert report.client_ids == {world[key].pk for key in ("gone", "middle", "head", "child", "never")}
    assert report.household_ids == {world["household"].pk}


def test_the_run_blanks_notes_and_deletes_documents_with_their_files(
    world, django_capture_on_commit_callbacks
):
    documents = {key: Document.objects.get(case__client=world[key]) for key in ("gone", "middle", "recent")}
    files = {key: _file(document) for key, document in documents.items()}
    assert all(path.exists() for path in files.values())
    with django_capture_on_commit_callbacks(execute=True):
        retention_run(today=TODAY, dry_run=False)

    for key in ("gone", "middle"):
        assert not Document.objects.filter(pk=documents[key].pk).exists()
        assert not files[key].exists()
        case = Case.objects.get(client=world[key])
        notes = _notes_of(case)
        assert len(notes) == 8
        assert set(notes) == {DELETED_TEXT}, key
    assert Client.objects.get(pk=world["middle"].pk).first_name == "Mittelfrist"  # identity: 5 years
    assert files["recent"].exists()
    recent_case = Case.objects.get(client=world["recent"])
    assert DELETED_TEXT not in _notes_of(recent_case)
    # The long-closed case of a client still supported keeps everything.
    active_old = Case.objects.get(client=world["active"], phase=Phase.CLOSED)
    assert DELETED_TEXT not in _notes_of(active_old)
    assert Document.objects.filter(case=active_old).exists()


def test_the_statistics_are_the_same_before_and_after(world, django_capture_on_commit_callbacks):
    before = statistics()
    with django_capture_on_commit_callbacks(execute=True):
        retention_run(today=TODAY, dry_run=False)
    assert statistics() == before
    # The cases and what happened in them are all still there.
    case = Case.objects.get(pk=world["gone_case"].pk)
    assert (case.phase, case.closed_on, case.closure_reason.name) == (Phase.CLOSED, OLD, "Ziele erreicht")
    assert case.legal_frameworks.count() == 2


def test_the_deletion_log_names_no_person(world):
    retention_run(today=TODAY, dry_run=False)
    logs = list(DeletionLog.objects.values())
    assert logs
    text = json.dumps(logs, default=str)
    for value in (
        SENTINEL,
        "Vergessen",
        "Sentinelweg",
        "02541 999",
        "sentinelia@",
        "Tigrinya",
        "EXT-SENTINEL",
    ):
        assert value not in text
    gone = DeletionLog.objects.get(client_id=world["gone"].pk)
    assert gone.deleted["client_identity"]["casework.client"] == 1
    assert gone.deleted["documents"] == {"casework.document": 1, "casework.document.file": 1}
    assert gone.deleted["notes"]["casework.contact.note"] == 1
    assert gone.rules["client_identity"] == {
        "jahre": 5,
        "bezugsdatum": OLD.isoformat(),
        "abgelaufen_am": add_years(OLD, 5).isoformat(),
    }
    assert DeletionLog.objects.get(household_id=world["household"].pk).deleted == {
        "client_identity": {"casework.household": 1}
    }
    # The audit trail records the deletions, also without names.
    entries = AuditEntry.objects.filter(action=Action.DELETE)
    assert entries.filter(object_type="casework.client", object_id=str(world["gone"].pk)).count() == 1
    assert SENTINEL not in json.dumps(list(entries.values()), default=str)


def test_the_admin_history_loses_the_name_too(world):
    retention_run(today=TODAY, dry_run=False)
    entry = LogEntry.objects.get(object_id=str(world["gone"].pk))
    assert entry.object_repr == DELETED_TEXT


def test_a_second_run_does_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = retention_run(today=TODAY, dry_run=False)
    assert first.total > 0
    before = snapshot()
    second = retention_run(today=TODAY, dry_run=False)
    assert second.total == 0
    assert not second.client_ids and not second.household_ids
    assert snapshot() == before


def test_a_reopened_case_stops_the_clock(world, case_manager):
    case = world["gone_case"]
    services.case_change_phase(case=case, to_phase=Phase.ASSESSMENT, by=case_manager)
    retention_run(today=TODAY, dry_run=False)
    assert Client.objects.get(pk=world["gone"].pk).first_name == SENTINEL
    assert f"Kontaktnotiz {SENTINEL}" in _notes_of(case)


def test_periods_come_from_the_settings(world, settings):
    settings.KIM_RETENTION = {"documents": 10, "notes": 10, "client_identity": 10}
    report = retention_run(today=TODAY, dry_run=False)
    assert report.total == 0
    assert Client.objects.get(pk=world["gone"].pk).first_name == SENTINEL


def test_the_command_prints_a_report(world):
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", "--today", TODAY.isoformat(), stdout=out)
    text = out.getvalue()
    assert "Probelauf" in text
    assert "casework.contact.note" in text
    assert SENTINEL not in text
    assert not DeletionLog.objects.exists()

    out = io.StringIO()
    call_command("apply_retention", "--today", TODAY.isoformat(), stdout=out)
    assert "Probelauf" not in out.getvalue()
    assert DeletionLog.objects.exists()

    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "Nichts zu löschen." in out.getvalue()


def test_the_command_rejects_a_malformed_date():
    with pytest.raises(CommandError):
        call_command("apply_retention", "--today", "27.11.2026")


def test_the_admin_shows_the_deletion_log_read_only(admin_client, world):
    retention_run(today=TODAY, dry_run=False)
    log = DeletionLog.objects.first()
    assert admin_client.get("/admin/privacy/deletionlog/").status_code == 200
    page = admin_client.get(f"/admin/privacy/deletionlog/{log.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert admin_client.get("/admin/privacy/deletionlog/add/").status_code == 403
    assert (
        admin_client.post(f"/admin/privacy/deletionlog/{log.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert DeletionLog.objects.filter(pk=log.pk).exists()
