"""A lock for scheduled work that holds across processes and machines: a row in the database.

Inserting a row with the lock's name as primary key succeeds for exactly one of several
concurrent runs (PostgreSQL makes the second insert wait for the first transaction and then
fail; SQLite serialises writers), so it works wherever the application runs, without Redis.
"""

import datetime as dt
import uuid
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import TaskLock


@contextmanager
def task_lock(name: str, *, ttl: dt.timedelta = dt.timedelta(hours=2)):
    """Yields True while holding the lock `name`, False if another run holds it."""
    holder = uuid.uuid4().hex
    now = timezone.now()
    acquired = False
    try:
        with transaction.atomic():
            # A lock past its expiry belongs to a run that was killed: take it over.
            TaskLock.objects.filter(name=name, expires_at__lt=now).delete()
            TaskLock.objects.create(name=name, holder=holder, acquired_at=now, expires_at=now + ttl)
        acquired = True
    except IntegrityError:
        acquired = False
    try:
        yield acquired
    finally:
        if acquired:
            TaskLock.objects.filter(name=name, holder=holder).delete()
