"""Reading a large queryset a chunk at a time, by keyset.

`QuerySet.iterator()` would stream through a server-side cursor, which lives as long as its
transaction and cannot sit behind PgBouncer in transaction mode; the settings turn those cursors
off on every PostgreSQL deployment, so `.iterator()` fetches the whole result at once. Keyset chunks are plain
queries (`pk > last ORDER BY pk LIMIT n`), each answered by the primary key's index: the memory
stays bounded on every deployment, and rows deleted or added between chunks make no row of the
next chunk skipped or read twice (which OFFSET pagination would).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Model, QuerySet


def in_chunks[M: Model](
    queryset: QuerySet[M], *, size: int = 2000, descending: bool = False
) -> Iterator[M]:
    """The rows of `queryset` in primary-key order (newest first with `descending`), `size` per query."""
    if size < 1:
        raise ValueError("size must be positive")
    ordered = queryset.order_by("-pk" if descending else "pk")
    after = "pk__lt" if descending else "pk__gt"
    last = None
    while True:
        chunk = ordered if last is None else ordered.filter(**{after: last})
        rows = list(chunk[:size])
        yield from rows
        if len(rows) < size:
            return
        last = rows[-1].pk
