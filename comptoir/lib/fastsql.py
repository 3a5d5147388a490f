"""Cached INSERTs for the ingest hot path (one row: `insert`; many: `insert_many`).

Measured on the ingest benchmark: building the SQL of every `Model.objects.create()` costs
more CPU than the database spends on the row (about 0.4 ms against 0.15 ms per insert on the
2-core reference machine). `insert()` builds each model's statement once, from the model's
own field list, so it stays in step with migrations; values go through each field's
`get_db_prep_save`, exactly as the ORM does. No signals are sent (Comptoir uses none).
"""

from collections.abc import Sequence
from functools import cache

from django.db import connection, models


@cache
def parts(model: type[models.Model]) -> tuple[str, str, str, tuple[models.Field, ...]]:
    """`INSERT INTO t (columns)`, one row's `(%s, ...)`, `RETURNING pk`, and the fields."""
    meta = model._meta
    fields = tuple(
        f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))
    )
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    pk_column = str(meta.pk.column) if meta.pk is not None else "id"
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return (
        f"INSERT INTO {quote(meta.db_table)} ({columns})",
        row,
        f"RETURNING {quote(pk_column)}",
        fields,
    )


@cache
def _statement(model: type[models.Model]) -> tuple[str, tuple[models.Field, ...]]:
    head, row, returning, fields = parts(model)
    return f"{head} VALUES {row} {returning}", fields


def insert(obj: models.Model) -> None:
    """INSERT `obj` (a new instance) and set its primary key."""
    sql, fields = _statement(type(obj))
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    obj.pk = row[0]  # type: ignore[index]
    obj._state.adding = False
    obj._state.db = connection.alias


def insert_many(objs: Sequence[models.Model]) -> None:
    """INSERT new instances of one model, many rows a statement, and set their primary keys:
    the bulk path's `bulk_create` without the ORM's compiler (PostgreSQL and SQLite return
    the rows in the VALUES order, which Django's own bulk_create relies on too)."""
    if not objs:
        return
    head, row, returning, fields = parts(type(objs[0]))
    size = max(1, connection.ops.bulk_batch_size(list(fields), list(objs)))
    for start in range(0, len(objs), size):
        chunk = objs[start : start + size]
        params = []
        for obj in chunk:
            # A related object saved after this one was built: copy its new id, as save() does.
            obj._prepare_related_fields_for_save(operation_name="insert")  # type: ignore[attr-defined]
            params += [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
        with connection.cursor() as cursor:
            cursor.execute(f"{head} VALUES {', '.join([row] * len(chunk))} {returning}", params)
            rows = cursor.fetchall()
        for obj, pk in zip(chunk, rows, strict=True):
            obj.pk = pk[0]
            obj._state.adding = False
            obj._state.db = connection.alias


def select_id(sql: str, params: list[int | str]) -> int | None:
    """The id in the first column of the first row, or None: for hot lookups in plain SQL."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row else None


def update_many(objs: Sequence[models.Model], names: Sequence[str]) -> None:
    """UPDATE these fields of saved instances of one model, row by row as `save(update_fields)`
    does, in one `executemany` (one round trip with psycopg 3's pipeline; SQLite loops in C).
    Django's `bulk_update` builds a CASE per field and row: more CPU than the rows cost."""
    if not objs:
        return
    meta = type(objs[0])._meta
    fields = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)  # type: ignore[union-attr]
    pk = quote(str(meta.pk.column)) if meta.pk is not None else "id"
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {pk} = %s"
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] + [obj.pk]  # type: ignore[union-attr]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
