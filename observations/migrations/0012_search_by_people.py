"""The full-text index also holds each observation's quartier, author and service (btree_gin).

A search by someone who reads a few quartiers used to read the matches of the whole city from
the text index, then keep theirs: 98,000 matches of « dépôt sauvage » for 1,122 kept, 20 ms of
24 over 2,000,000 observations. With the ids in the same index, each branch of the reading rule
(`scope_observations`: their quartiers, their own, their service's) reads its own matches only:
6 ms. The ids must then be compared as bigint (`observations.permissions.any_of`): btree_gin
indexes same-type comparisons only. The index replaces the text-only one, which it serves too.
"""

from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations

TABLE = "observations_observation"
NEW_INDEX = "obs_search_fr_people"
OLD_INDEX = "obs_search_fr_document"

FORWARDS = f"""
CREATE INDEX {NEW_INDEX} ON {TABLE}
    USING gin (quartier_id, author_id, service_id, search_document);
DROP INDEX IF EXISTS {OLD_INDEX};
ANALYZE {TABLE};
"""

BACKWARDS = f"""
CREATE INDEX {OLD_INDEX} ON {TABLE} USING gin (search_document);
DROP INDEX IF EXISTS {NEW_INDEX};
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARDS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARDS)


class Migration(migrations.Migration):
    dependencies = [("observations", "0011_observation_idempotency_key")]

    operations = [
        BtreeGinExtension(),
        migrations.RunPython(forwards, backwards),
    ]
