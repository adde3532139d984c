"""A stored full-text document, kept by a trigger, replaces the index on an expression.

With the expression index, every row PostgreSQL rechecks (a lossy bitmap: a common phrase over
millions of observations) is stemmed again: seen at 1.7 s for "dépôt sauvage" over 2,000,000
observations once the bitmap outgrew `work_mem`. The stored document is read instead.

On PostgreSQL the trigger fills `search_document` on insert and on any update that writes the
title, the description, the place or the document itself (Django's `save()` writes them all;
`QuerySet.update(status=...)` leaves it alone). Existing rows are filled here: on a large table
this UPDATE rewrites it, so run the migration at a quiet hour. Nothing happens on other databases.
"""

import django.contrib.postgres.search
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

CONFIG = "french_unaccent"
OLD_INDEX = "obs_search_fr_unaccent"
NEW_INDEX = "obs_search_fr_document"
TABLE = "observations_observation"

FORWARDS = f"""
CREATE OR REPLACE FUNCTION observations_search_document() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_document := to_tsvector(
        '{CONFIG}'::regconfig,
        coalesce(NEW.title, '') || ' ' || coalesce(NEW.description, '') || ' '
        || coalesce(NEW.place, '')
    );
    RETURN NEW;
END
$$;
CREATE TRIGGER observations_search_document
    BEFORE INSERT OR UPDATE OF title, description, place, search_document ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION observations_search_document();
-- Also under session_replication_role = replica (a bulk load skipping foreign-key checks, a
-- logical replica): the document must never be missing.
ALTER TABLE {TABLE} ENABLE ALWAYS TRIGGER observations_search_document;
UPDATE {TABLE} SET search_document = NULL;
CREATE INDEX {NEW_INDEX} ON {TABLE} USING gin (search_document);
DROP INDEX IF EXISTS {OLD_INDEX};
ANALYZE {TABLE};
"""

BACKWARDS = f"""
DROP INDEX IF EXISTS {NEW_INDEX};
DROP TRIGGER IF EXISTS observations_search_document ON {TABLE};
DROP FUNCTION IF EXISTS observations_search_document();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARDS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(BACKWARDS)
    Observation = apps.get_model("observations", "Observation")
    schema_editor.add_index(
        Observation,
        GinIndex(SearchVector("title", "description", "place", config=CONFIG), name=OLD_INDEX),
    )


class Migration(migrations.Migration):
    dependencies = [("observations", "0006_status_change_treated_index")]

    operations = [
        migrations.AddField(
            model_name="observation",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
