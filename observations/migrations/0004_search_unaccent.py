"""Accent-insensitive French full-text search on PostgreSQL: "depot" finds "dépôt".

A text search configuration copying `french` with `unaccent` before stemming; the GIN index
is rebuilt on it. Nothing happens on other databases (the search falls back to icontains).
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import UnaccentExtension
from django.contrib.postgres.search import SearchVector
from django.db import migrations

OLD_INDEX = "obs_search_fr"
NEW_INDEX = "obs_search_fr_unaccent"
CONFIG = "french_unaccent"


def _index(name, config):
    return GinIndex(SearchVector("title", "description", "place", config=config), name=name)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Observation = apps.get_model("observations", "Observation")
    schema_editor.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{CONFIG}') THEN "
        f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = french); "
        f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR hword, hword_part, word "
        f"WITH unaccent, french_stem; END IF; END $$;"
    )
    schema_editor.remove_index(Observation, _index(OLD_INDEX, "french"))
    schema_editor.add_index(Observation, _index(NEW_INDEX, CONFIG))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Observation = apps.get_model("observations", "Observation")
    schema_editor.remove_index(Observation, _index(NEW_INDEX, CONFIG))
    schema_editor.add_index(Observation, _index(OLD_INDEX, "french"))
    schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")


class Migration(migrations.Migration):
    dependencies = [("observations", "0003_notification_kind_new")]

    operations = [
        UnaccentExtension(),
        migrations.RunPython(forwards, backwards),
    ]
