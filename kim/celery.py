"""The Celery application: `celery -A kim worker` and `celery -A kim beat`.

Tasks live in each app's `tasks.py`. Without CELERY_BROKER_URL (the one-command demo) the
settings make every task run in the calling process (eager), so nothing else is needed.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kim.settings")

app = Celery("kim")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
