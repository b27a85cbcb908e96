"""Fast inserts for imports: many rows in one statement batch, ids reserved up front.

Django's bulk_create spends most of its time compiling SQL per value; an import of 50,000 rows
needs less. Ids are reserved before the insert (from the PostgreSQL sequence, or after the current
maximum on SQLite, whose IMMEDIATE transaction already excludes other writers), so the caller
knows every new row's id for its links and audit rows. Must run inside a transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models, transaction

# Values of these fields go to the database driver as they are; dates, decimals and JSON need
# Django's conversion.
PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX("{pk.column}"), 0) FROM "{table}"')  # noqa: S608 (names from models)
        start = cursor.fetchone()[0]
        return list(range(start + 1, start + 1 + count))


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert prepared database values (already converted with get_db_prep_save) into model's table."""
    if not rows:
        return
    assert transaction.get_connection().in_atomic_block, "insert_rows must run inside a transaction"
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        # COPY streams the rows in one round trip; values are adapted by psycopg as for INSERT
        copy_sql = "COPY {} ({}) FROM STDIN".format(
            qn(model._meta.db_table), ", ".join(qn(c) for c in columns)
        )
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from models, values bound)
        qn(model._meta.db_table), ", ".join(qn(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def insert_objects(objs: Sequence[models.Model]) -> None:
    """Insert new model instances of one kind, giving each its id (unless all have one already);
    no signals, no save() hooks."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields]
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objs:
                f.pre_save(obj, add=True)  # type: ignore[arg-type]
    # ids the caller reserved already (to link rows among themselves) are kept
    ids = (
        [obj.pk for obj in objs] if all(obj.pk is not None for obj in objs) else reserve_ids(model, len(objs))
    )
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    plain = [isinstance(f, PLAIN) and not isinstance(f, models.JSONField) for f in fields]
    prep = [(f.attname, f.get_db_prep_save) for f in fields]
    rows = [
        [
            getattr(obj, attname) if is_plain else p(getattr(obj, attname), connection)
            for (attname, p), is_plain in zip(prep, plain, strict=True)
        ]
        for obj in objs
    ]
    insert_rows(model, [str(f.column) for f in fields], rows)


def insert_links(field: Any, pairs: Sequence[tuple[int, int]]) -> None:
    """Rows of a many-to-many table: (owner id, target id) pairs."""
    through = field.remote_field.through
    source = through._meta.get_field(field.m2m_field_name()).column
    target = through._meta.get_field(field.m2m_reverse_field_name()).column
    insert_rows(through, [source, target], list(pairs))
