"""Fast inserts for imports (many rows in one statement batch, ids reserved up front), and the
actions on the records ticked in a list (delete the selection, all or none).

Django's bulk_create spends most of its time compiling SQL per value; an import of 50,000 rows
needs less. Ids are reserved before the insert (from the PostgreSQL sequence, or after the current
maximum on SQLite, whose IMMEDIATE transaction already excludes other writers), so the caller
knows every new row's id for its links and audit rows. Must run inside a transaction.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from datetime import UTC, datetime
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


def _db_converter(field: models.Field[Any, Any]) -> Any:
    """How a field's Python value becomes what the driver takes; None when it takes it as it is."""
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    if isinstance(field, PLAIN):
        return None
    if isinstance(field, models.DateTimeField) and connection.vendor == "sqlite":
        # what Django's SQLite backend stores: UTC without offset, as text; each distinct time of
        # a batch (the shared created_at of an import, its meetings' recurring hours) converted once
        texts: dict[Any, str] = {}

        def to_text(value: Any) -> Any:
            if value is None:
                return None
            key = (value, value.fold)  # a clock's repeated hour: equal in its zone, not one instant
            text = texts.get(key)
            if text is None:
                text = texts[key] = str(value.astimezone(UTC).replace(tzinfo=None))
            return text

        return to_text
    if isinstance(field, models.DateTimeField) and connection.vendor == "postgresql":
        return None  # psycopg adapts aware datetimes itself
    return lambda value: None if value is None else field.get_db_prep_save(value, connection)


def insert_objects(objs: Sequence[models.Model], now: datetime | None = None) -> None:
    """Insert new model instances of one kind, giving each its id (unless all have one already);
    no signals, no save() hooks. Fields with auto_now(_add) get `now` (one time for the batch) or
    the time of each pre_save."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields]
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objs:
                if now is not None:
                    setattr(obj, f.attname, now)
                else:
                    f.pre_save(obj, add=True)  # type: ignore[arg-type]
    # ids the caller reserved already (to link rows among themselves) are kept
    ids = (
        [obj.pk for obj in objs] if all(obj.pk is not None for obj in objs) else reserve_ids(model, len(objs))
    )
    pk_name, alias = meta.pk.attname, connection.alias  # type: ignore[union-attr]
    for obj, pk in zip(objs, ids, strict=True):
        obj.__dict__[pk_name] = pk  # what `obj.pk = pk` sets, without the property's call
        state = obj._state
        state.adding, state.db = False, alias
    attnames = [f.attname for f in fields]
    row_of = operator.itemgetter(*attnames) if len(attnames) > 1 else lambda v: (v[attnames[0]],)
    converters = [(i, c) for i, c in enumerate(_db_converter(f) for f in fields) if c is not None]
    rows = []
    for obj in objs:
        row = list(row_of(obj.__dict__))
        for i, convert in converters:
            row[i] = convert(row[i])
        rows.append(row)
    insert_rows(model, [str(f.column) for f in fields], rows)


def insert_links(field: Any, pairs: Sequence[tuple[int, int]]) -> None:
    """Rows of a many-to-many table: (owner id, target id) pairs."""
    through = field.remote_field.through
    source = through._meta.get_field(field.m2m_field_name()).column
    target = through._meta.get_field(field.m2m_reverse_field_name()).column
    insert_rows(through, [source, target], list(pairs))


# --- Actions on the records ticked in a list --------------------------------------------------------
# A list page shows 20 rows; a hostile form may post any number of ids. Past this many the request
# is refused rather than read.
MAX_SELECTED = 500


class SelectionRefused(Exception):
    """The selection cannot be acted on as a whole; the message says why, in Chinese."""


def selected_ids(values: Sequence[str]) -> list[int]:
    """The posted ids as integers, each once, in the order given; refused past MAX_SELECTED."""
    from .query import MAX_ID, parse_int

    if len(values) > MAX_SELECTED:
        raise SelectionRefused(f"一次最多选择 {MAX_SELECTED} 条记录。")
    ids: dict[int, None] = {}
    for value in values:
        number = parse_int(str(value), lo=1, hi=MAX_ID)
        if number is None:
            raise SelectionRefused("所选记录无法识别，请刷新页面后重新勾选。")
        ids[number] = None
    return list(ids)


def records_delete(*, acting_user: Any, model: type[Any], ids: Sequence[int]) -> list[Any]:
    """Soft-delete the selected records of one kind, all or none: every one must be a live record
    the person may manage (the unit's managers) and delete; each gets its own audit row."""
    from .services import record_delete

    if not ids:
        raise SelectionRefused("请先勾选要删除的记录。")
    with transaction.atomic():
        allowed = model.objects.restrict(acting_user, "manage").filter(pk__in=ids)
        allowed = allowed.filter(pk__in=model.objects.restrict(acting_user, "delete").values("pk"))
        found = list(allowed.order_by("pk"))
        if len(found) != len(ids):
            missing = len(ids) - len(found)
            raise SelectionRefused(f"所选记录中有 {missing} 条您无权删除或已不存在，未删除任何记录。")
        for obj in found:
            record_delete(acting_user=acting_user, instance=obj)
    return found
