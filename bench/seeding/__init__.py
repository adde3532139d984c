"""A synthetic city for load tests: reproducible from a seed, written fast (COPY on PostgreSQL).

`Seeder(sizes).run(stages)` runs the stages in the direction data flows (teams → observations →
meetings → diagnostics). Each stage reads what it needs from the database, so a later stage can be
added to a database seeded earlier (`stages=("meetings",)`). Rows go through `TableWriter`: COPY
on PostgreSQL, large `bulk_create` batches elsewhere. Primary keys are allocated there, so rows
can point at each other without a round trip; the sequences are moved past them at the end. The
few reference rows (services, categories, needs) come from the demo's own upserts.

Same seed, same `today`, same sizes, same empty database → the same rows.

Modules: `city` (sizes, what later stages read back), `text` (the words), `tables` (COPY and
deferred indexes), `reference`, `stage_teams`, `stage_observations`, `stage_meetings` (meetings and
diagnostics), `seeder` (running them in one transaction). `manage.py seed_scale` runs it.
"""

from bench.seeding.city import SCALE_DOMAIN, SCALE_SLUG_PREFIX, City, Sizes
from bench.seeding.seeder import STAGES, Seeder

__all__ = ["SCALE_DOMAIN", "SCALE_SLUG_PREFIX", "STAGES", "City", "Seeder", "Sizes"]
