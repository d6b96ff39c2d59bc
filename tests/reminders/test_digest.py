"""The daily digest: once per user and day, references and links only, never personal data."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from jobs.models import RunOutcome, ScheduledRun
from reminders.models import DigestSent, ReminderSettings
from reminders.services import digests_send
from reminders.tasks import send_digests

from .conftest import SENTINEL_TEXTS

pytestmark = pytest.mark.django_db(transaction=True)


def _weekday_today() -> str:
    return str(timezone.localdate().weekday())


def _needs_concurrent_database():
    if connection.vendor == "sqlite":
        pytest.skip(
            "two runs at once need PostgreSQL: the in-memory SQLite test database locks without waiting"
        )


@pytest.fixture(autouse=True)
def _every_day(reminded_manager):
    # The default is Monday to Friday; these tests must pass on a weekend too.
    ReminderSettings.objects.create(user=reminded_manager, weekdays="0123456")


def test_two_overdue_follow_ups_are_sent_once_without_personal_data(reminded_manager):
    assert digests_send()["sent"] == 1
    assert digests_send()["sent"] == 0  # the same day again: nothing more
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["cm@kreis.example"]
    text = message.subject + message.body
    reference = reminded_manager.case.reference
    assert text.count(f"- {reference}: Wiedervorlage überfällig seit") == 2
    assert f"/faelle/{reminded_manager.case.pk}/" in text or f"/{reminded_manager.case.pk}/" in text
    assert "Aufenthaltsfrist endet am" in text
    for value in SENTINEL_TEXTS:
        assert value not in text, f"{value} in the digest"
    assert DigestSent.objects.filter(user=reminded_manager).count() == 1


def test_no_mail_when_there_is_nothing_to_say(reminded_manager):
    reminded_manager.case.followups.update(done_at=timezone.now())
    reminded_manager.case.assignments.update(seen_at=timezone.now())
    reminded_manager.case.client.__class__.objects.filter(pk=reminded_manager.case.client_id).update(
        residence_valid_until=None
    )
    assert digests_send()["sent"] == 0
    assert mail.outbox == []


def test_switched_off_or_another_weekday_sends_nothing(reminded_manager):
    settings_row = ReminderSettings.objects.get(user=reminded_manager)
    settings_row.enabled = False
    settings_row.save()
    assert digests_send()["sent"] == 0
    settings_row.enabled = True
    settings_row.weekdays = "".join(d for d in "0123456" if d != _weekday_today())
    settings_row.save()
    assert digests_send()["sent"] == 0
    assert mail.outbox == []


def test_the_settings_page_switches_it_off(client, reminded_manager):
    client.force_login(reminded_manager)
    page = client.get("/einstellungen/erinnerungen/").content.decode()
    assert "Erinnerungen per E-Mail" in page
    response = client.post("/einstellungen/erinnerungen/", {"weekdays": ["0", "2"]})
    assert response.status_code == 302
    row = ReminderSettings.objects.get(user=reminded_manager)
    assert (row.enabled, row.weekdays) == (False, "02")
    response = client.post("/einstellungen/erinnerungen/", {"enabled": "on"})
    assert "mindestens einen Wochentag" in response.content.decode()


def test_two_runs_at_once_send_once(reminded_manager, settings):
    """Two schedulers (or a manual run during the scheduled one) start the task together."""
    _needs_concurrent_database()
    settings.EMAIL_BACKEND = "tests.reminders.slow_mail.SlowEmailBackend"
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(send_digests())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == ["ok", "skipped"]
    assert len(mail.outbox) == 1
    assert DigestSent.objects.count() == 1
    outcomes = sorted(ScheduledRun.objects.filter(task="reminder_digest").values_list("outcome", flat=True))
    assert outcomes == [RunOutcome.OK, RunOutcome.SKIPPED]
    ok = ScheduledRun.objects.get(task="reminder_digest", outcome=RunOutcome.OK)
    assert ok.summary.startswith("1 gesendet") and ok.finished_at is not None


def test_a_handover_is_listed(reminded_manager):
    from casework import services
    from tests.conftest import make_staff

    other = make_staff("Case Management", ("Nord",))
    services.case_reassign(case=reminded_manager.case, to_manager=other, by=None, note="")
    services.case_reassign(case=reminded_manager.case, to_manager=reminded_manager, by=None, note="")
    digests_send(today=timezone.localdate())
    body = mail.outbox[0].body
    assert "Neu übernommene Fälle" in body and "an Sie übergeben am" in body


def test_the_digest_of_yesterday_does_not_block_today(reminded_manager):
    DigestSent.objects.create(user=reminded_manager, day=timezone.localdate() - dt.timedelta(days=1))
    assert digests_send()["sent"] == 1
