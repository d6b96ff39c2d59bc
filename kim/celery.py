"""The Celery application: `celery -A kim worker` and `celery -A kim beat`.

Tasks live in each app's `tasks.py`. Without CELERY_BROKER_URL (the one-command demo) the
settings make every task run in the calling process (eager), so nothing else is needed.
"""

import os
import sys
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kim.settings")
# A worker or the scheduler is a job process, not a web request: its statements get the jobs'
# statement timeout (settings.KIM_PROCESS_KIND). The web's processes import this module too,
# so only the `celery` command sets it.
if Path(sys.argv[0]).name == "celery" or sys.argv[0].endswith(os.path.join("celery", "__main__.py")):
    os.environ.setdefault("KIM_PROCESS_KIND", "job")

app = Celery("kim")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
