"""The number of documents a space and a folder show: those outside the bin, none for an empty
space (counted per row by the index of live documents, documents.selectors.live_documents)."""

import re

from django.urls import reverse

from documents import services
from tests.documents.factories import CSV_BYTES, upload


def add(space, by, title, folder=None):
    return services.document_create(
        space=space, by=by, title=title, folder=folder, upload=upload(CSV_BYTES, f"{title}.csv")
    )


def test_spaces_and_folders_count_their_documents_outside_the_bin(
    as_role, personas, ouest_space, group_space
):
    chef = personas["chef"]
    folder = services.folder_create(space=ouest_space, name="Comptes rendus")
    add(ouest_space, chef, "Plan", folder)
    add(ouest_space, chef, "Budget", folder)
    binned = add(ouest_space, chef, "Brouillon", folder)
    add(ouest_space, chef, "Affiche")
    services.document_delete(document=binned, by=chef)

    client = as_role("chef")
    index = client.get(reverse("documents:index")).content.decode()
    assert re.search(r"3 documents</span>", index)  # Ouest: four, one in the bin
    assert re.search(r"\b0 documents?</span>", index)  # the working group's, empty

    space = client.get(ouest_space.get_absolute_url()).content.decode()
    assert re.search(r"Comptes rendus</a> <span[^>]*>\(2<", space)
