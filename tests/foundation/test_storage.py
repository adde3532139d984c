"""A file is never left half written under its final name (a PDF or photo whose writer died)."""

from __future__ import annotations

import os

import pytest
from django.core.files.base import ContentFile, File
from django.core.files.storage import storages


class DiesMidWrite(File):
    """Content whose writer is interrupted after the first chunk (a killed worker)."""

    def __init__(self):
        super().__init__(None, name="ordre-du-jour.pdf")
        self.size = 2 * 64 * 1024

    def chunks(self, chunk_size=None):
        yield b"%PDF-1.7 first half"
        raise KeyboardInterrupt  # what a SIGTERM'd process sees, mid-write


def test_default_storage_is_the_atomic_one():
    # The setting the app runs with, not a storage the test builds.
    assert type(storages["default"]).__name__ == "AtomicFileSystemStorage"


def test_an_interrupted_write_leaves_no_file_under_its_name(settings):
    folder = os.path.join(storages["default"].location, "documents", "2026")
    with pytest.raises(KeyboardInterrupt):
        storages["default"].save("documents/2026/ordre-du-jour.pdf", DiesMidWrite())
    assert not storages["default"].exists("documents/2026/ordre-du-jour.pdf")
    assert [n for n in os.listdir(folder) if not n.startswith(".")] == []
    assert os.listdir(folder) == []  # the partial file is removed too when the process lives


def test_a_whole_write_lands_under_its_name_with_its_content():
    name = storages["default"].save("documents/2026/compte-rendu.pdf", ContentFile(b"%PDF whole"))
    assert name == "documents/2026/compte-rendu.pdf"
    with storages["default"].open(name) as stored:
        assert stored.read() == b"%PDF whole"
    second = storages["default"].save("documents/2026/compte-rendu.pdf", ContentFile(b"%PDF other"))
    assert second != name  # never overwrites: a new name, like Django's own storage
    folder = os.path.join(storages["default"].location, "documents", "2026")
    assert not [n for n in os.listdir(folder) if n.endswith(".part")]
