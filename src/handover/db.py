"""Database building blocks every app shares: the UUID base model, and what set-based statements need
on SQLite and PostgreSQL alike (a list of ids as one parameter, ids made by the database, INSERT …
SELECT), so that moving 10,000 rows takes the same few statements as moving 10."""

import json
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import NotSupportedError, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql.compiler import SQLCompiler


class UUIDModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class IdList(models.Expression):
    """A list of UUIDs sent as ONE parameter (a JSON array) and unpacked by the database, for
    `filter(id__in=IdList(ids))`: an IN list of N parameters would hit SQLite's limit (999 or 32,766)
    and make a statement whose text grows with N."""

    output_field = models.UUIDField()

    def __init__(self, ids: Iterable[uuid.UUID]):
        super().__init__()
        # SQLite stores a UUID as 32 hex digits; PostgreSQL reads that form too.
        self.payload = json.dumps([value.hex for value in ids])

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, tuple[Any, ...]]:
        raise NotSupportedError(f"IdList has no SQL for {connection.vendor}")

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        return "(SELECT value FROM json_each(%s))", (self.payload,)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        return "(SELECT value::uuid FROM jsonb_array_elements_text(%s::jsonb))", (self.payload,)


# A version 4 UUID in SQLite's form (32 hex digits), from 122 random bits ("%%": a parameter-style SQL text).
_SQLITE_UUID4 = (
    "lower(hex(randomblob(4)) || hex(randomblob(2)) || '4' || substr(hex(randomblob(2)), 2) || "
    "substr('89ab', 1 + (abs(random()) %% 4), 1) || substr(hex(randomblob(2)), 2) || hex(randomblob(6)))"
)


class NewUUID(models.Expression):
    """A random (version 4) UUID made by the database, one per row of an INSERT … SELECT."""

    output_field = models.UUIDField()

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, tuple[Any, ...]]:
        raise NotSupportedError(f"NewUUID has no SQL for {connection.vendor}")

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        return _SQLITE_UUID4, ()

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        return "gen_random_uuid()", ()


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field.column


def insert_from(
    model: type[models.Model],
    rows: models.QuerySet[Any],
    *,
    columns: dict[str, str],
    ignore_conflicts: bool = False,
) -> int:
    """`INSERT INTO model (…) SELECT …`: one statement whatever the number of rows; returns how many.

    `columns` maps each field of `model` to the name of the field or annotation of `rows` that gives
    its value. With `ignore_conflicts`, a row that would break a unique constraint is left out.
    """
    selected = rows.values(*columns.values())
    if ignore_conflicts and not selected.query.where:
        raise ValueError("insert_from(ignore_conflicts=True) needs rows with a WHERE clause (SQLite)")
    connection = connections[selected.db]
    quote = connection.ops.quote_name
    targets = ", ".join(quote(_column(model, name)) for name in columns)
    select, params = selected.query.get_compiler(using=selected.db).as_sql()
    # The queryset's WHERE keeps SQLite from reading ON CONFLICT as the ON of a join.
    suffix = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({targets}) {select}{suffix}", params)
        return cursor.rowcount
