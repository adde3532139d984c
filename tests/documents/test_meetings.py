"""Links with meetings and diagnostics: the agenda and minutes PDFs filed in the meeting's
folder, agenda items pointing to documents, the meeting page's panel."""

import datetime

from django.urls import reverse
from django.utils import timezone

from documents.models import Document, Folder
from meetings import services as meetings_services
from tests.documents.factories import make_document
from tests.meetings.factories import make_meeting
from tests.poppler import pdf_text


def test_a_published_agenda_is_filed_in_the_meetings_folder(
    as_role, personas, ouest, ouest_space, django_capture_on_commit_callbacks
):
    chef = personas["chef"]
    meeting = make_meeting(ouest, chef, title="Réunion d'équipe de novembre")
    meetings_services.item_propose(
        meeting=meeting, proposed_by=chef, title="Fête de quartier", accept=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        meetings_services.agenda_publish(meeting=meeting, requested_by=chef)
    folder = Folder.objects.get(meeting=meeting)
    assert folder.space == ouest_space and folder.kind == Folder.Kind.MEETING
    document = Document.objects.get(folder=folder)
    assert document.title == "Ordre du jour — Réunion d'équipe de novembre"
    client = as_role("agent")
    served = b"".join(client.get(document.current_version.get_download_url()).streaming_content)
    assert "Fête de quartier" in pdf_text(served)
    page = client.get(meeting.get_absolute_url()).text
    assert "Documents partagés" in page and document.title.replace("'", "&#x27;") in page


def test_published_minutes_are_filed_beside_the_agenda_and_a_new_version_follows(
    as_role, personas, ouest, ouest_space, django_capture_on_commit_callbacks
):
    chef = personas["chef"]
    start = timezone.now() - datetime.timedelta(days=10)
    meeting = make_meeting(
        ouest, chef, start=start, end=start + datetime.timedelta(hours=2), allow_past=True
    )
    item = meetings_services.item_propose(
        meeting=meeting, proposed_by=chef, title="Jardins partagés", accept=True
    )
    meetings_services.minutes_update(
        meeting=meeting,
        summary="Réunion courte.",
        items={item.pk: ("Deux parcelles proposées.", "Écrire au bailleur")},
    )
    with django_capture_on_commit_callbacks(execute=True):
        meetings_services.minutes_publish(meeting=meeting, requested_by=chef)
    folder = Folder.objects.get(meeting=meeting)
    document = Document.objects.get(folder=folder, title__startswith="Compte rendu")
    assert document.space == ouest_space and document.versions.count() == 1
    client = as_role("agent")
    served = b"".join(client.get(document.current_version.get_download_url()).streaming_content)
    assert "Deux parcelles proposées" in pdf_text(served)
    # Minutes changed and published again: a second version of the same document.
    meeting.refresh_from_db()  # as the next request reads it
    meetings_services.minutes_update(
        meeting=meeting,
        summary="Réunion courte, complétée.",
        items={item.pk: ("Trois parcelles proposées.", "Écrire au bailleur")},
    )
    with django_capture_on_commit_callbacks(execute=True):
        meetings_services.minutes_publish(meeting=meeting, requested_by=chef)
    document.refresh_from_db()
    assert Document.objects.filter(folder=folder).count() == 1
    assert document.current_version.number == 2
    served = b"".join(client.get(document.current_version.get_download_url()).streaming_content)
    assert "Trois parcelles proposées" in pdf_text(served)


def test_an_agenda_item_points_to_a_document(as_role, personas, ouest, ouest_space):
    chef = personas["chef"]
    meeting = make_meeting(ouest, chef)
    item = meetings_services.item_propose(
        meeting=meeting, proposed_by=chef, title="Éclairage public", accept=True
    )
    document = make_document(ouest_space, personas["agent"], title="Relevé des lampadaires")
    client = as_role("chef")
    response = client.post(
        reverse("documents:agenda_link", args=[meeting.pk]),
        {"item": item.pk, "document": document.pk},
    )
    assert response.status_code == 302
    assert list(document.agenda_items.all()) == [item]
    page = client.get(meeting.get_absolute_url()).text
    assert "Point « Éclairage public »" in page and "Relevé des lampadaires" in page
    # The agent reads the document but does not manage the meeting: no linking.
    assert (
        as_role("agent")
        .post(
            reverse("documents:agenda_link", args=[meeting.pk]),
            {"item": item.pk, "document": document.pk},
        )
        .status_code
        == 404
    )


def test_the_panel_is_absent_for_who_reads_the_meeting_but_not_the_space(
    as_role, personas, ouest, ouest_space
):
    make_meeting(ouest, personas["chef"])
    meeting = make_meeting(ouest, personas["chef"])
    make_document(ouest_space, personas["chef"], title="Document interne")
    page = as_role("elu").get(meeting.get_absolute_url())
    if page.status_code == 200:
        assert "Documents partagés" not in page.text


def test_the_diagnostic_lists_the_annexes(as_role, personas, ouest, ouest_space):
    from documents import services
    from tests.diagnostics.factories import diagnostic_in_state

    folder = services.folder_create(space=ouest_space, name="Annexes 2026", kind=Folder.Kind.ANNEX)
    make_document(ouest_space, personas["chef"], title="Carte des équipements", folder=folder)
    make_document(ouest_space, personas["chef"], title="Hors annexes")
    diagnostic = diagnostic_in_state(ouest, by=personas["chef"], year=2026, status="draft")
    page = as_role("chef").get(reverse("diagnostics:detail", args=[diagnostic.pk])).text
    assert "Carte des équipements" in page and "Hors annexes" not in page
