"""Plain SQL reads for the few hot paths where building a queryset costs more than the read.

Each such statement names its columns, takes parameters only (never formatted values), and is
run by the tests on PostgreSQL and SQLite alike.
"""

from contextlib import contextmanager

from django.db import connection


def fetch_all(sql: str, params: list) -> list[tuple]:
    """The rows of one statement on the default database."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@contextmanager
def statement_timeout(milliseconds: int):
    """Run the block's statements under a statement timeout of its own (PostgreSQL only).

    For the few requests that may take longer than the connection's web timeout (the
    statistics, kim/settings.py). RESET returns to the connection's own value afterwards,
    the one its startup options set, so a pooled connection keeps the web timeout.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [str(int(milliseconds))])
    try:
        yield
    finally:
        # In a transaction that is being rolled back, the rollback undoes the SET itself.
        if connection.connection is not None and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("RESET statement_timeout")
