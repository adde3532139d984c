"""Writing many rows fast: COPY on PostgreSQL (psycopg 3), large `bulk_create` batches elsewhere.

Primary keys are allocated by `TableWriter`, so rows can point at each other without a round trip;
`reset_sequences` moves the sequences past them at the end. `DeferredIndexes` drops a table's
secondary indexes during a large load and builds them once after.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, models


class TableWriter:
    """Writes tuples of column values into a model's table: COPY on PostgreSQL, bulk_create elsewhere.

    Columns a caller leaves out get the field's default (evaluated once), so a field added to a
    model later does not break the seed.
    """

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.counts: dict[str, int] = defaultdict(int)
        self.next_ids: dict[type[models.Model], int] = {}

    def allocate(self, model: type[models.Model], count: int) -> int:
        """Reserve `count` primary keys; returns the first one."""
        if model not in self.next_ids:
            last = model._default_manager.aggregate(m=models.Max("pk"))["m"] or 0
            self.next_ids[model] = last + 1
        first = self.next_ids[model]
        self.next_ids[model] += count
        return first

    def _completed(self, model, columns: list[str]) -> tuple[list[str], tuple]:
        now = datetime.datetime.now(datetime.UTC)
        extra_columns, extra_values = [], []
        for f in model._meta.concrete_fields:
            if f.column in columns:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default() or (f.empty_strings_allowed and not f.null):
                value = f.get_default()
            elif f.null:
                value = None
            elif f.primary_key:
                continue
            else:
                raise ValueError(f"{model.__name__}.{f.name} needs a value in the seed")
            extra_columns.append(f.column)
            extra_values.append(f.get_db_prep_save(value, connection) if self.postgres else value)
        unknown = set(columns) - {f.column for f in model._meta.concrete_fields}
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
        return columns + extra_columns, tuple(extra_values)

    def write(self, model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> int:
        all_columns, extra = self._completed(model, list(columns))
        count = 0
        if self.postgres:
            table = connection.ops.quote_name(model._meta.db_table)
            names = ", ".join(connection.ops.quote_name(c) for c in all_columns)
            with connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row + extra if extra else row)
                        count += 1
        else:
            attnames = {f.column: f.attname for f in model._meta.concrete_fields}
            keys = [attnames[c] for c in all_columns]
            batch = []
            for row in rows:
                batch.append(model(**dict(zip(keys, row + extra, strict=True))))
                count += 1
                if len(batch) >= 5000:
                    model._default_manager.bulk_create(batch)
                    batch = []
            if batch:
                model._default_manager.bulk_create(batch)
        self.counts[model._meta.label] += count
        return count

    def reset_sequences(self) -> None:
        if not self.postgres:
            return
        with connection.cursor() as cursor:
            for model in self.next_ids:
                table = model._meta.db_table
                column = model._meta.pk.column
                assert column is not None  # (a concrete model's primary key has a column)
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), "  # noqa: S608 - identifiers from models
                    f"COALESCE((SELECT MAX({connection.ops.quote_name(column)}) FROM "
                    f"{connection.ops.quote_name(table)}), 1))",
                    [table, column],
                )


class DeferredIndexes:
    """Drops a table's secondary indexes during a large load and rebuilds them after (PostgreSQL).

    Building an index once is much faster than maintaining it row by row (the French full-text
    GIN index above all). Indexes backing a constraint (primary key, unique) stay.
    """

    def __init__(self, tables: list[str], enabled: bool) -> None:
        self.tables = tables
        self.enabled = enabled and connection.vendor == "postgresql"
        self.definitions: list[tuple[str, str]] = []

    def __enter__(self) -> DeferredIndexes:
        if not self.enabled:
            return self
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
                AND NOT EXISTS (
                    SELECT 1 FROM pg_constraint c
                    WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass
                )
                ORDER BY i.tablename, i.indexname
                """,
                [self.tables],
            )
            self.definitions = cursor.fetchall()
            for name, _definition in self.definitions:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if not self.definitions or exc_type is not None:
            return  # on failure the transaction rolls the drops back
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _name, definition in self.definitions:
                cursor.execute(definition)
