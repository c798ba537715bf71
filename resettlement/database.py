"""Database work the services need for bulk writes."""

from collections.abc import Iterable, Sequence

from django.db import connection


def planner_statistics_refresh(*models) -> None:
    """ANALYZE the tables of `models` on PostgreSQL after a bulk write (a roster, a draw).

    Autovacuum analyzes a table only some time after it grows; until then the planner takes a
    table that just received 100,000 rows for a small one and may plan a statement that reads
    it once per row (publishing a 100,000-entry draw then took minutes instead of seconds).
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def rows_insert(model, fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert many rows given as plain values (in the order of `fields`, attribute names such
    as "entry_id"): COPY on PostgreSQL, bulk_create elsewhere. Bypasses model instances and
    signals, so only for rows written once with no history of their own (a draw's results:
    100,000 of them in about a second instead of several)."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=2000
        )
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
