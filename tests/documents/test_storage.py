"""Documents go through Django's storage API only: with a storage that has no local path (as the
S3 setting gives), a document is deposited, its text extracted, found, served, binned, erased."""

import datetime
import os

import pytest
from django.core.files.storage import InMemoryStorage, default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils._os import safe_join

from documents import services
from documents.models import Document
from tests.documents.factories import pdf_upload


class BucketStorage(InMemoryStorage):
    """Files kept in memory and, like an S3 bucket, no local path to open them by."""

    def _relative_path(self, name):  # the parent's, without the public `path()`
        return os.path.relpath(safe_join(self.location, name), self.location)

    def path(self, name):
        raise NotImplementedError("This backend doesn't support absolute paths.")


@pytest.fixture
def object_store(settings):
    """The `default` storage of STORAGES, the setting the S3 option fills."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.BucketStorage"},
    }
    with pytest.raises(NotImplementedError):
        default_storage.path("x")
    return default_storage


def test_a_document_lives_and_dies_in_the_object_store(
    object_store, as_role, ouest_space, django_capture_on_commit_callbacks
):
    client = as_role("agent")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("documents:create", args=[ouest_space.pk]),
            {"title": "Diagnostic en marchant", "file": pdf_upload("Trottoirs encombrés")},
        )
    assert response.status_code == 302
    document = Document.objects.get()
    version = document.current_version
    assert object_store.exists(version.file.name)
    found = client.get(reverse("documents:index"), {"q": "encombrés"}).context["page"].rows
    assert [d.pk for d in found] == [document.pk]
    served = client.get(version.get_download_url())
    assert b"".join(served.streaming_content).startswith(b"%PDF")

    chef = as_role("chef")
    with django_capture_on_commit_callbacks(execute=True):
        chef.post(reverse("documents:delete", args=[document.pk]))
    assert object_store.exists(version.file.name)  # in the bin: the file is kept
    with django_capture_on_commit_callbacks(execute=True):
        erased = services.erase_expired(now=timezone.now() + datetime.timedelta(days=31))
    assert erased == 1 and not object_store.exists(version.file.name)
