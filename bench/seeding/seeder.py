"""Running the stages, in the direction data flows, in one transaction."""

from __future__ import annotations

import datetime
import functools
import random
import time
import zoneinfo
from collections.abc import Callable, Iterable

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from bench.seeding.city import Sizes
from bench.seeding.stage_meetings import seed_diagnostics, seed_meetings
from bench.seeding.stage_observations import seed_observations
from bench.seeding.stage_teams import load_city, seed_teams
from bench.seeding.tables import DeferredIndexes, TableWriter

STAGES = ("teams", "observations", "meetings", "diagnostics")
LATER_STAGES = {"meetings": seed_meetings, "diagnostics": seed_diagnostics}


class Seeder:
    """Runs the stages in one transaction; holds what they share (the writer, the time span)."""

    def __init__(self, sizes: Sizes, *, log: Callable[[str], None] = print) -> None:
        self.sizes = sizes
        self.log = log
        self.writer = TableWriter()
        self.tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        # Everything happened before `today` (midnight), so a city seeded today is all in the past.
        self.end = datetime.datetime.combine(sizes.today, datetime.time(0, 0), tzinfo=self.tz)
        self.start = self.end - datetime.timedelta(days=365 * sizes.years)
        self.timings: dict[str, float] = {}

    def stage_rng(self, name: str) -> random.Random:
        """An independent, reproducible stream per stage: adding a stage never changes another."""
        return random.Random(f"{self.sizes.seed}:{name}")  # noqa: S311 - test data, not secrets

    def run(self, stages: Iterable[str] = STAGES, *, defer_indexes: bool | None = None) -> dict:
        stages = [s for s in STAGES if s in set(stages)]
        self.sizes.check()
        if defer_indexes is None:
            defer_indexes = self.sizes.observations >= 200_000
        started = time.monotonic()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Check foreign keys at the end of each COPY, not at commit: the queue of deferred
                # checks of millions of rows would not fit in memory (and blocks CREATE INDEX).
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            if "teams" in stages:
                self._timed("teams", functools.partial(seed_teams, self))
            city = load_city(self) if set(stages) - {"teams"} else None
            if "observations" in stages:
                tables = [
                    apps.get_model("observations", name)._meta.db_table
                    for name in (
                        "Observation",
                        "StatusChange",
                        "Comment",
                        "Escalation",
                        "Orientation",
                    )
                ]
                if defer_indexes:
                    self._skip_foreign_key_triggers()
                assert city is not None  # (loaded for every stage after teams)
                with DeferredIndexes(tables, defer_indexes):
                    self._timed("observations", functools.partial(seed_observations, self, city))
                    index_started = time.monotonic()
                self.timings["observations indexes"] = time.monotonic() - index_started
            for stage in ("meetings", "diagnostics"):
                if stage in stages and apps.is_installed(stage):
                    try:
                        apps.get_model(stage, "Meeting" if stage == "meetings" else "Diagnostic")
                    except LookupError:
                        self.log(f"  {stage}: no models yet, skipped")
                        continue
                    self._timed(stage, functools.partial(LATER_STAGES[stage], self, city))
            self.writer.reset_sequences()
        if connection.vendor == "postgresql" and defer_indexes:
            analyze_started = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
            self.timings["vacuum analyze"] = time.monotonic() - analyze_started
        elif connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.timings["total"] = time.monotonic() - started
        return {"rows": dict(self.writer.counts), "seconds": self.timings}

    def _skip_foreign_key_triggers(self) -> None:
        """For a large load on PostgreSQL, as `pg_restore --disable-triggers` does: the rows are
        consistent by construction, and checking millions of foreign keys one row at a time is
        most of the load's time. Needs a superuser; otherwise the checks simply stay on."""
        if connection.vendor != "postgresql":
            return
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            self.log("  (not a superuser: foreign keys are checked row by row)")

    def _timed(self, name: str, func: Callable[[], None]) -> None:
        started = time.monotonic()
        self.log(f"{name}…")
        func()
        self.timings[name] = time.monotonic() - started
        self.log(f"{name}: {self.timings[name]:.1f} s")
