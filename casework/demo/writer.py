"""Bulk writes for the demo data: COPY on PostgreSQL, multi-row INSERTs on SQLite."""

from __future__ import annotations

import datetime as dt
import io
import operator
import sqlite3

from django.db import DEFAULT_DB_ALIAS, connections, models

from .common import BATCH_SIZE, COPY_BATCH


def _copy_escape(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


class RowWriter:
    """Writes many rows fast: COPY on PostgreSQL, multi-row INSERTs elsewhere.

    `bulk_create` prepares every value through the field API, which for a few hundred
    thousand rows is most of the run. Here each column gets one converter, chosen from
    its field once: dates and datetimes go through the backend's `ops` (SQLite stores
    them as UTC text) or into COPY's text format, plain values pass as they are, and
    anything else (such as a `CountryField`) through `get_db_prep_save`. Statements go
    to the DB-API cursor directly: the debug cursor would re-quote every parameter
    under DEBUG. Columns not given take the field default; `auto_now` fields get `now`.
    """

    PLAIN_FIELDS = (
        models.CharField,
        models.TextField,
        models.EmailField,
        models.SlugField,
        models.URLField,
        models.BooleanField,
        models.IntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.SmallIntegerField,
        models.BigIntegerField,
        models.ForeignKey,
    )

    def __init__(self, *, now: dt.datetime, using: str = DEFAULT_DB_ALIAS):
        self.now = now
        self.connection = connections[using]
        self.copy = self.connection.vendor == "postgresql"

    def _converter(self, model_field: models.Field):
        """value -> what the statement takes; None where a value can be passed as it is."""
        internal = model_field.get_internal_type()
        ops = self.connection.ops
        if self.copy:
            if internal in ("DateTimeField", "DateField"):
                base = operator.methodcaller("isoformat")  # datetimes keep their UTC offset
            elif internal == "BooleanField":
                base = {True: "t", False: "f"}.__getitem__
            elif (
                isinstance(model_field, models.CharField | models.TextField)
                and type(model_field) in self.PLAIN_FIELDS
            ):
                base = _copy_escape
            elif type(model_field) in self.PLAIN_FIELDS:
                base = str
            else:
                return lambda v: (
                    "\\N"
                    if v is None
                    else _copy_escape(str(model_field.get_db_prep_save(v, self.connection)))
                )
            return lambda v: "\\N" if v is None else base(v)
        if internal == "DateTimeField":
            return ops.adapt_datetimefield_value
        if internal == "DateField":
            return ops.adapt_datefield_value
        if type(model_field) in self.PLAIN_FIELDS:
            return None
        return lambda v: model_field.get_db_prep_save(v, self.connection)

    def insert(self, model: type[models.Model], rows: list[dict], *, returning: bool = False) -> list[int]:
        """Write `rows` (dicts keyed by attname); with `returning`, their new primary keys in order."""
        if not rows:
            return []
        given = rows[0].keys()
        columns: list[str] = []
        keys: list[str] = []
        converters = []
        constants: dict[str, object] = {}
        for f in model._meta.concrete_fields:
            if f.primary_key:
                continue
            convert = self._converter(f)
            if f.attname not in given:
                auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                value = self.now if auto else f.get_default()
                constants[f.attname] = (
                    value if convert is None or (value is None and not self.copy) else convert(value)
                )
                convert = None
            columns.append(f.column)
            keys.append(f.attname)
            converters.append(convert)
        pairs = list(zip(keys, converters, strict=True))
        values = [
            [
                constants[key] if key in constants else (row[key] if convert is None else convert(row[key]))
                for key, convert in pairs
            ]
            for row in rows
        ]
        if self.copy:
            return self._copy(model, columns, values, returning=returning)
        return self._insert(model, columns, values, returning=returning)

    def _max_params(self) -> int:
        connection = self.connection
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            getlimit = getattr(connection.connection, "getlimit", None)  # Python 3.11+
            if getlimit is not None:
                return getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        return connection.features.max_query_params or 65535

    def _insert(self, model: type[models.Model], columns: list[str], values: list[list], *, returning: bool):
        if returning and not self.connection.features.can_return_rows_from_bulk_insert:
            raise NotImplementedError("The demo data needs INSERT … RETURNING (SQLite 3.35+ or PostgreSQL).")
        quote = self.connection.ops.quote_name
        prefix = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) VALUES "
        suffix = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
        placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
        batch = max(1, min(BATCH_SIZE, self._max_params() // len(columns)))
        ids: list[int] = []
        with self.connection.cursor() as wrapper:
            cursor = wrapper.cursor
            for start in range(0, len(values), batch):
                part = values[start : start + batch]
                cursor.execute(
                    prefix + ", ".join([placeholder] * len(part)) + suffix, [v for r in part for v in r]
                )
                if returning:
                    ids.extend(row[0] for row in cursor.fetchall())
        return ids

    def _copy(self, model: type[models.Model], columns: list[str], values: list[list], *, returning: bool):
        """COPY cannot return keys, so they are drawn from the table's sequence first."""
        quote = self.connection.ops.quote_name
        table = model._meta.db_table
        ids: list[int] = []
        with self.connection.cursor() as wrapper:
            cursor = wrapper.cursor
            if returning:
                pk = model._meta.pk.column
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [quote(table), pk, len(values)],
                )
                ids = sorted(row[0] for row in cursor.fetchall())
                columns = [pk, *columns]
                values = [[str(pk_value), *row] for pk_value, row in zip(ids, values, strict=True)]
            sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
            for start in range(0, len(values), COPY_BATCH):
                data = "".join("\t".join(row) + "\n" for row in values[start : start + COPY_BATCH])
                if hasattr(cursor, "copy_expert"):  # psycopg2
                    cursor.copy_expert(sql, io.StringIO(data))
                else:  # psycopg 3
                    with cursor.copy(sql) as copy:
                        copy.write(data)
        return ids

    def insert_objects(self, model: type[models.Model], objs: list[models.Model]) -> None:
        """Write unsaved model instances and give them their primary keys."""
        if not objs:
            return
        fields = [
            f
            for f in model._meta.concrete_fields
            if not f.primary_key and not (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
        ]
        rows = []
        for obj in objs:
            # Takes the keys of related objects saved since this one was built.
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
            rows.append({f.attname: f.pre_save(obj, True) for f in fields})
        for obj, pk in zip(objs, self.insert(model, rows, returning=True), strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = self.connection.alias
