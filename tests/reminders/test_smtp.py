"""The digest through a real SMTP server (aiosmtpd on a free local port)."""

import socket

import pytest
from aiosmtpd.controller import Controller

from reminders.models import ReminderSettings
from reminders.services import digests_send

from .conftest import SENTINEL_TEXTS

pytestmark = pytest.mark.django_db(transaction=True)


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_digest_reaches_an_smtp_server_once(reminded_manager, settings):
    ReminderSettings.objects.create(user=reminded_manager, weekdays="0123456")
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.DEFAULT_FROM_EMAIL = "kim@kreis.example"
        assert digests_send()["sent"] == 1
        assert digests_send()["sent"] == 0
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    recipients, content = inbox.messages[0]
    assert recipients == ["cm@kreis.example"]
    assert reminded_manager.case.reference in content
    for value in SENTINEL_TEXTS:
        assert value not in content
