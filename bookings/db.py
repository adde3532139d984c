"""The PostgreSQL exclusion constraint that keeps two bookings of a resource from overlapping.

The app also runs on SQLite, which has no such constraint: `PostgresOnly` wraps a migration
operation so that it runs on PostgreSQL only and leaves the migration state alone (the models
do not declare the constraint: `makemigrations` would otherwise try to create it on SQLite).
On SQLite, `bookings.services` serializes the writes (a write lock taken before the overlap
query, in the same transaction) to the same effect.
"""

from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.db import IntegrityError
from django.db.migrations.operations.base import Operation
from django.db.models import F, Func, Q

OVERLAP_CONSTRAINT = "booking_no_overlap"


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def overlap_constraint() -> ExclusionConstraint:
    """No two active bookings of one resource share an instant ([start, end) ranges)."""
    return ExclusionConstraint(
        name=OVERLAP_CONSTRAINT,
        expressions=[
            (F("resource"), RangeOperators.EQUAL),
            (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
        ],
        condition=Q(cancelled_at__isnull=True),
    )


def is_overlap_violation(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    return getattr(diag, "constraint_name", None) == OVERLAP_CONSTRAINT or (
        OVERLAP_CONSTRAINT in str(exc)
    )


def is_deadlock(exc: Exception) -> bool:
    """Two transactions inserting conflicting rows at once each wait for the other's row: the
    exclusion constraint's check ends in PostgreSQL's deadlock detection (SQLSTATE 40P01) for
    one of them, rather than in a violation (PostgreSQL documents this for exclusion
    constraints). Its retry then meets the other's booking."""
    return getattr(exc.__cause__, "sqlstate", None) == "40P01"


class PostgresOnly(Operation):
    """Run `operation` on PostgreSQL only; the migration state is left as it is."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, operation: Operation) -> None:
        self.operation = operation

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.operation], {})

    def state_forwards(self, app_label, state) -> None:
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self) -> str:
        return f"On PostgreSQL only: {self.operation.describe()}"
