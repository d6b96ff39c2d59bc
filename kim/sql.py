"""Plain SQL reads for the few hot paths where building a queryset costs more than the read.

Each such statement names its columns, takes parameters only (never formatted values), and is
run by the tests on PostgreSQL and SQLite alike.
"""

from django.db import connection


def fetch_all(sql: str, params: list) -> list[tuple]:
    """The rows of one statement on the default database."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
