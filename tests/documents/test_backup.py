"""The backup archive holds the shared documents: every version's file (the bin's too, restorable
for 30 days), byte for byte what the document's row says it is."""

import json
import tarfile

import pytest
from django.db import connection
from django.urls import reverse

from arras_quartiers.management.commands.backup import backup
from documents import services
from tests.documents.factories import make_document, pdf_upload


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's test database is in memory; the backup copies a database file "
    "(tests/jobs/test_backup.py runs it on one)",
)
def test_the_backup_holds_every_version_of_every_document(
    as_role, personas, ouest_space, tmp_path, django_capture_on_commit_callbacks
):
    kept = make_document(ouest_space, personas["chef"], title="Plan d'actions")
    services.version_upload(document=kept, by=personas["agent"], upload=pdf_upload("v2"))
    binned = make_document(ouest_space, personas["chef"], title="Brouillon")
    with django_capture_on_commit_callbacks(execute=True):
        as_role("chef").post(reverse("documents:delete", args=[binned.pk]))
    versions = [*kept.versions.all(), *binned.versions.all()]
    assert len(versions) == 3

    archive = backup(tmp_path / "sauvegardes")
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        for version in versions:
            name = f"media/{version.file.name}"
            assert manifest["files"][name] == version.checksum
            with version.file.open("rb") as handle:
                assert tar.extractfile(name).read() == handle.read()
