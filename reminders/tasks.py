from celery import shared_task

from jobs.services import scheduled_run

from .services import digests_send


@shared_task(name="reminders.tasks.send_digests")
def send_digests() -> str:
    with scheduled_run("reminder_digest") as run:
        if run is None:
            return "skipped"
        counts = digests_send()
        run.summary = (
            f"{counts['sent']} gesendet, {counts['nothing']} ohne Einträge oder schon gesendet, "
            f"{counts['failed']} fehlgeschlagen"
        )
        return "ok"
