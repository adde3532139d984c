"""Published versus draft: what the chef de projet edits after publishing stays hers until published.

A canary (a unique marker) is written into the agenda and the minutes after a version was
published; every reader walks every page and document where the meeting shows, and finds it
nowhere. The chef de projet sees it, marked as a draft.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from meetings import services
from meetings.models import AgendaDocument, MinutesDocument
from tests.meetings.factories import add_item, publish

CANARY = "canari-3f9a2c"
READERS = ["agent", "responsable", "direction", "elu", "maire", "outsider"]
DRAFT_BADGE = "Brouillon — modifications non publiées"


def _pdf_text(document) -> str:
    document.refresh_from_db()
    with document.file.open("rb") as stream:
        pages = PdfReader(io.BytesIO(stream.read())).pages
        return " ".join(" ".join(page.extract_text() for page in pages).split())


def _walk(client, meeting, quartier, documents) -> str:
    """Every page and document a person may reach where the meeting shows, as one text."""
    pages = [
        reverse("home"),
        reverse("teams:quartier_detail", args=[quartier.slug]),
        reverse("meetings:index"),
        reverse("meetings:my_agenda") + f"?annee={timezone.localtime(meeting.start).year}",
        reverse("meetings:quartier_calendar", args=[quartier.slug])
        + f"?annee={timezone.localtime(meeting.start).year}",
        reverse("meetings:my_actions") + "?status=all",
        reverse("meetings:actions_board", args=[quartier.slug]) + "?status=all",
        reverse("meetings:detail", args=[meeting.pk]),
        reverse("meetings:agenda", args=[meeting.pk]),
    ]
    seen = []
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        seen.append(response.content.decode())
    for kind, document in documents:
        url = reverse("meetings:document_download", args=[meeting.pk, kind, document.pk])
        response = client.get(url)
        if response.status_code == 200:
            pdf = b"".join(response.streaming_content)
            pages_ = PdfReader(io.BytesIO(pdf)).pages
            seen.append(" ".join(page.extract_text() for page in pages_))
    return "\n".join(seen)


@pytest.fixture
def published_agenda(meeting, personas, django_capture_on_commit_callbacks, mailoutbox):
    """An agenda published (v1), then changed: a point added, another one reworded."""
    kept = add_item(meeting, personas["agent"], "Propreté des abords de l'école", 20)
    document, _created = publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    assert CANARY not in _pdf_text(document) and "Propreté des abords" in _pdf_text(document)
    meeting.refresh_from_db()  # as each request reads it
    add_item(meeting, personas["chef"], f"Point ajouté {CANARY}-odj", 10)
    services.item_update(
        item=kept,
        title=kept.title,
        description=f"Précision {CANARY}-description",
        duration_minutes=20,
    )
    return document


@pytest.mark.parametrize("role", ["agent", "elu", "maire", "direction"])
def test_readers_still_see_what_was_published(role, as_role, meeting, published_agenda):
    page = as_role(role).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Propreté des abords" in page and "version 1 publiée" in page


def test_invitees_read_the_published_agenda_on_its_page(as_role, meeting, published_agenda):
    page = as_role("agent").get(reverse("meetings:agenda", args=[meeting.pk])).content.decode()
    assert "Propreté des abords" in page and CANARY not in page


def test_the_pdf_is_the_version_published_even_when_rendered_after_an_edit(
    meeting, personas, django_capture_on_commit_callbacks
):
    add_item(meeting, personas["agent"], "Jardin partagé", 20)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document, _created = services.agenda_publish(meeting=meeting, requested_by=personas["chef"])
    add_item(meeting, personas["chef"], f"Ajout {CANARY} avant le rendu", 10)
    for callback in callbacks:  # the PDF job runs only now, after the edit
        callback()
    text = _pdf_text(AgendaDocument.objects.get(pk=document.pk))
    assert "Jardin partagé" in text and CANARY not in text


def test_the_chef_sees_the_draft_marked_as_such(as_role, meeting, published_agenda):
    client = as_role("chef")
    for url in (
        reverse("meetings:detail", args=[meeting.pk]),
        reverse("meetings:agenda", args=[meeting.pk]),
    ):
        page = client.get(url).content.decode()
        assert f"{CANARY}-odj" in page and f"{CANARY}-description" in page, url
        assert DRAFT_BADGE in page, url


def test_the_next_version_published_reaches_the_readers(
    as_role, meeting, personas, published_agenda, django_capture_on_commit_callbacks
):
    publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    for role in ("elu", "agent"):
        page = as_role(role).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
        assert f"{CANARY}-odj" in page and "version 2 publiée" in page
    assert DRAFT_BADGE not in as_role("chef").get(reverse("meetings:detail", args=[meeting.pk]))


# Minutes ----------------------------------------------------------------------------------------


@pytest.fixture
def published_minutes(past_meeting, personas, django_capture_on_commit_callbacks):
    """Minutes published (v1), then edited: summary, notes, a decision and an action added."""
    item = add_item(past_meeting, personas["chef"], "Sécurité du square", 20)
    services.minutes_update(
        meeting=past_meeting,
        summary="Bonne participation.",
        items={item.pk: ("Échanges nourris.", "Installer un éclairage")},
    )
    due = timezone.localdate() + datetime.timedelta(days=30)
    services.action_create(
        meeting=past_meeting,
        agenda_item=item,
        title="Commander deux lampadaires",
        owner=personas["agent"],
        due_date=due,
    )
    with django_capture_on_commit_callbacks(execute=True):
        document, _created = services.minutes_publish(
            meeting=past_meeting, requested_by=personas["chef"]
        )
    past_meeting.refresh_from_db()  # as each request reads it
    services.minutes_update(
        meeting=past_meeting,
        summary=f"Synthèse {CANARY}-synthese",
        items={item.pk: (f"Notes {CANARY}-notes", f"Décision {CANARY}-decision")},
    )
    services.action_create(
        meeting=past_meeting,
        agenda_item=item,
        title=f"Action {CANARY}-action",
        owner=personas["chef"],
        due_date=due,
    )
    return document


@pytest.mark.parametrize("role", ["agent", "elu", "maire", "direction"])
def test_readers_still_read_the_minutes_published(role, as_role, past_meeting, published_minutes):
    page = as_role(role).get(reverse("meetings:detail", args=[past_meeting.pk])).content.decode()
    assert "Bonne participation." in page and "Installer un éclairage" in page
    board = as_role(role).get(
        reverse("meetings:actions_board", args=[past_meeting.quartier.slug]) + "?status=all"
    )
    assert "Commander deux lampadaires" in board.content.decode()


def test_the_chef_sees_the_minutes_draft_marked_as_such(as_role, past_meeting, published_minutes):
    client = as_role("chef")
    detail = client.get(reverse("meetings:detail", args=[past_meeting.pk])).content.decode()
    assert f"{CANARY}-notes" in detail and f"{CANARY}-synthese" in detail
    assert DRAFT_BADGE in detail
    minutes = client.get(reverse("meetings:minutes", args=[past_meeting.pk])).content.decode()
    assert f"{CANARY}-action" in minutes and DRAFT_BADGE in minutes
    board = client.get(
        reverse("meetings:actions_board", args=[past_meeting.quartier.slug]) + "?status=all"
    )
    assert f"{CANARY}-action" in board.content.decode()


def test_the_minutes_pdf_is_the_version_published(past_meeting, published_minutes):
    text = _pdf_text(MinutesDocument.objects.get(pk=published_minutes.pk))
    assert "Bonne participation." in text and "Commander deux lampadaires" in text
    assert CANARY not in text


# Every reader, every page and document ---------------------------------------------------------

CASES = {  # document edited after publication: (its meeting, the published document, its URL kind)
    "agenda": ("meeting", "published_agenda", "ordre-du-jour"),
    "minutes": ("past_meeting", "published_minutes", "compte-rendu"),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_published_version_not_the_later_edits(role, case, request, as_role, ouest):
    meeting_fixture, document_fixture, kind = CASES[case]
    document = request.getfixturevalue(document_fixture)
    meeting = request.getfixturevalue(meeting_fixture)
    seen = _walk(as_role(role), meeting, ouest, [(kind, document)])
    assert CANARY not in seen
    assert DRAFT_BADGE not in seen
