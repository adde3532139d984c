"""The list, search, detail and meeting pages: a fixed number of queries, whatever the data."""

import pytest
from django.db import connection
from django.urls import reverse

from documents import services
from meetings import services as meetings_services
from tests.documents.factories import make_document, pdf_upload
from tests.meetings.factories import make_meeting


def _fill(space, personas, n, folder=None, meeting_item=None):
    for i in range(n):
        document = make_document(space, personas["chef"], title=f"Note {i}", folder=folder)
        document.tags.set(list(space.quartier.priorities.all()) if space.quartier_id else [])
        services.version_upload(document=document, by=personas["agent"], upload=pdf_upload("v2"))
        if meeting_item is not None:
            document.agenda_items.add(meeting_item)
    return document


# session (read, then saved: 3 with its savepoints), user, roles (memberships, services), then:
# index: the spaces missing for the person (quartiers, groups), the spaces with their counts;
# a search adds the ids of the spaces the person reads (given to PostgreSQL as a list) and the
# page of documents in a transaction with more work_mem (1 + 4);
# space: the space, its folders with counts, its axes with counts, the page (keys and rows in
# one statement);
# detail: the document (joined), its tags and agenda items, its versions, can_contribute.
PINNED = {
    "index": 10,
    "search": 15,  # PostgreSQL; 12 elsewhere (no work_mem transaction)
    "space": 11,
    "folder": 11,
    "detail": 12,
}


@pytest.mark.parametrize("page", sorted(PINNED))
def test_pages_issue_a_fixed_number_of_queries(
    page, as_role, personas, ouest_space, django_assert_num_queries
):
    folder = services.folder_create(space=ouest_space, name="Cadre de vie")
    last = _fill(ouest_space, personas, 2, folder=folder)
    client = as_role("agent")
    urls = {
        "index": reverse("documents:index"),
        "search": reverse("documents:index") + "?q=Note",
        "space": reverse("documents:space", args=[ouest_space.pk]),
        "folder": reverse("documents:space", args=[ouest_space.pk]) + f"?dossier={folder.pk}",
        "detail": last.get_absolute_url(),
    }
    client.get(urls[page])  # warm: the spaces exist, the session is written
    pinned = PINNED[page] if page != "search" or connection.vendor == "postgresql" else 12
    with django_assert_num_queries(pinned):
        assert client.get(urls[page]).status_code == 200
    _fill(ouest_space, personas, 5, folder=folder)
    if page == "detail":
        for _i in range(3):
            services.version_upload(document=last, by=personas["chef"], upload=pdf_upload("v"))
    with django_assert_num_queries(pinned):
        assert client.get(urls[page]).status_code == 200


def test_the_meeting_panel_does_not_grow_with_documents(
    as_role, personas, ouest, ouest_space, django_assert_num_queries
):
    from django.test.utils import CaptureQueriesContext

    chef = personas["chef"]
    meeting = make_meeting(ouest, chef)
    item = meetings_services.item_propose(
        meeting=meeting, proposed_by=chef, title="Point", accept=True
    )
    _fill(ouest_space, personas, 2, meeting_item=item)
    client = as_role("chef")
    client.get(meeting.get_absolute_url())

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(meeting.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    _fill(ouest_space, personas, 6, meeting_item=item)
    assert count() == before
