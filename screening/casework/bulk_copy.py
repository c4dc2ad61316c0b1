"""Writing many rows at once: PostgreSQL's COPY, or bulk_create on other databases.

For the bulk writers only (demo data, re-screening every intake). COPY skips what makes bulk_create slow at
100,000 rows on PostgreSQL: quoting each value into the SQL text and building one statement per batch.
Values go through each field's own database preparation (``pre_save`` for auto_now fields, then
``get_db_prep_save``), as bulk_create does; nothing here runs model ``save()`` or signals, which is also true
of bulk_create.
"""

from collections.abc import Sequence

from django.db import connections, router
from django.db.models import Model


def insert(model: type[Model], objs: Sequence[Model], *, with_ids: bool = False) -> None:
    """Insert ``objs``. With ``with_ids`` each gets its primary key first (for rows that others point at).

    Related objects must have their primary keys before these are built (set ``obj.parent`` after the
    parent has its id): the foreign key's column is read from the instance as it is."""
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs)  # sets the primary keys (RETURNING) where the database can
        return
    meta = model._meta
    table, quote = meta.db_table, connection.ops.quote_name
    with connection.cursor() as cursor:
        if with_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, meta.pk.column, len(objs)],
            )
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = pk
        fields = [f for f in meta.concrete_fields if with_ids or not f.primary_key]
        columns = ", ".join(quote(f.column) for f in fields)
        # Django's cursor wrapper hands .copy() to psycopg's cursor, inside the current transaction.
        with cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:  # nosec B608: names from the model
            for obj in objs:
                copy.write_row(
                    [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
                )
