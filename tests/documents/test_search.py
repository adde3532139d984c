"""Finding a document by a word inside its file: extracted in a background job (the outbox),
stored in the search vector (PostgreSQL) or searched as text elsewhere."""

import pytest
from django.urls import reverse

from documents import services
from documents.models import Document, DocumentVersion
from foundation.models import OutboxJob
from tests.documents.factories import odt_upload, pdf_upload, upload


@pytest.fixture
def filed(personas, ouest_space, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pdf = services.document_create(
            space=ouest_space, by=personas["chef"], title="Compte rendu de quartier",
            upload=pdf_upload("Les riverains signalent des lampadaires défectueux"),
        )  # fmt: skip
        odt = services.document_create(
            space=ouest_space, by=personas["agent"], title="Note de la médiathèque",
            upload=odt_upload("Projet de bibliothèque ambulante au printemps"),
        )  # fmt: skip
    return pdf, odt


def _titles(client, **params):
    response = client.get(reverse("documents:index"), params)
    assert response.status_code == 200
    return [document.title for document in response.context["page"].rows]


def test_the_text_is_extracted_through_the_outbox(filed):
    pdf, odt = filed
    assert OutboxJob.objects.filter(task_name="documents.tasks.extract_text").count() == 2
    assert set(DocumentVersion.objects.values_list("text_status", flat=True)) == {
        DocumentVersion.TextStatus.READY
    }
    pdf.refresh_from_db()
    assert "lampadaires" in pdf.extracted_text


def test_a_word_inside_a_pdf_finds_it(as_role, filed):
    # French stemming on PostgreSQL: "lampadaire" finds "lampadaires"; elsewhere the word as typed.
    assert _titles(as_role("agent"), q="lampadaires") == ["Compte rendu de quartier"]


def test_a_word_inside_an_odt_finds_it(as_role, filed):
    assert _titles(as_role("agent"), q="ambulante") == ["Note de la médiathèque"]


def test_a_new_version_replaces_the_searched_text(
    as_role, personas, filed, django_capture_on_commit_callbacks
):
    pdf, _odt = filed
    with django_capture_on_commit_callbacks(execute=True):
        services.version_upload(
            document=pdf, by=personas["agent"], upload=pdf_upload("Désormais il s'agit de bancs")
        )
    client = as_role("agent")
    assert _titles(client, q="lampadaires") == []
    assert _titles(client, q="bancs") == ["Compte rendu de quartier"]


def test_a_document_in_the_bin_is_not_found(as_role, personas, filed):
    services.document_delete(document=filed[0], by=personas["chef"])
    assert _titles(as_role("agent"), q="lampadaires") == []


def test_a_file_whose_text_cannot_be_read_is_marked_and_still_found_by_title(
    as_role, personas, ouest_space, django_capture_on_commit_callbacks
):
    broken = b"%PDF-1.4\n" + b"garbage" * 10
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_create(
            space=ouest_space, by=personas["chef"], title="Plan abîmé",
            upload=upload(broken, "plan.pdf"),
        )  # fmt: skip
    version = document.versions.get()
    assert version.text_status in {
        DocumentVersion.TextStatus.FAILED,
        DocumentVersion.TextStatus.READY,  # pdftotext may read nothing without failing
    }
    assert _titles(as_role("agent"), q="abîmé") == ["Plan abîmé"]


def test_the_list_pages_by_keyset(as_role, personas, ouest_space):
    for number in range(30):
        Document.objects.create(space=ouest_space, title=f"Fiche {number:02d}")
    client = as_role("agent")
    url = reverse("documents:space", args=[ouest_space.pk])
    first = client.get(url).context["page"]
    assert len(first.rows) == 25 and first.next_cursor
    second = client.get(url, {"apres": first.next_cursor}).context["page"]
    assert [d.title for d in second.rows] == [f"Fiche {n:02d}" for n in range(4, -1, -1)]
