"""Django's in-memory mail backend, slowed down: keeps a digest run busy long enough for a
second run to start while the first still holds the lock."""

import time

from django.core.mail.backends.locmem import EmailBackend


class SlowEmailBackend(EmailBackend):
    def send_messages(self, messages):
        time.sleep(0.5)
        return super().send_messages(messages)
