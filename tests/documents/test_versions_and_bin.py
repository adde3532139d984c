"""Versions (upload, who and when, restore as a new version) and the bin (30 days, then erased)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from arras_quartiers.models import AuditEvent
from documents import services
from documents.models import Document, DocumentVersion
from tests.documents.factories import make_document, pdf_upload, upload


def test_versions_list_who_and_when_and_restoring_copies_an_earlier_one(
    as_role, personas, ouest_space
):
    document = make_document(ouest_space, personas["chef"], text="Première rédaction")
    first = document.current_version
    client = as_role("agent")
    response = client.post(
        reverse("documents:version_upload", args=[document.pk]),
        {"file": pdf_upload("Deuxième rédaction", name="v2.pdf")},
    )
    assert response.status_code == 302
    page = client.get(document.get_absolute_url()).text
    assert "Agent Test" in page and "Chef Test" in page and "v2.pdf" in page

    response = client.post(reverse("documents:version_restore", args=[document.pk, first.pk]))
    assert response.status_code == 302
    document.refresh_from_db()
    third = document.current_version
    assert [v.number for v in document.versions.order_by("number")] == [1, 2, 3]
    assert third.number == 3 and third.restored_from == first
    assert third.checksum == first.checksum and third.file.name != first.file.name
    assert third.uploaded_by == personas["agent"]
    served = b"".join(client.get(third.get_download_url()).streaming_content)
    with first.file.open("rb") as handle:
        assert served == handle.read()
    assert "copie de la version 1" in client.get(document.get_absolute_url()).text


def test_a_refused_version_leaves_the_document_as_it_was(as_role, personas, ouest_space):
    document = make_document(ouest_space, personas["chef"])
    response = as_role("agent").post(
        reverse("documents:version_upload", args=[document.pk]),
        {"file": upload(b"\x00\x01 binaire", "v2.pdf")},
    )
    assert response.status_code == 400
    assert "Type de fichier non accepté" in response.text
    assert document.versions.count() == 1


def test_a_failed_write_leaves_no_file_behind(personas, ouest_space, monkeypatch, tmp_path):
    def broken(*args, **kwargs):
        raise RuntimeError("la base a refusé")

    monkeypatch.setattr(services.outbox, "enqueue", broken)
    try:
        make_document(ouest_space, personas["chef"])
    except RuntimeError:
        pass
    assert not Document.objects.exists()
    media = tmp_path / "media"
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_the_bin_keeps_30_days_then_the_periodic_task_erases_rows_and_files(
    as_role, personas, ouest_space, django_capture_on_commit_callbacks
):
    document = make_document(ouest_space, personas["chef"])
    services.version_upload(document=document, by=personas["chef"], upload=pdf_upload("v2"))
    paths = [v.file.path for v in document.versions.all()]
    client = as_role("chef")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("documents:delete", args=[document.pk]))
    assert client.get(document.get_absolute_url()).status_code == 404
    assert "Note" in client.get(reverse("documents:bin", args=[ouest_space.pk])).text

    with django_capture_on_commit_callbacks(execute=True):
        assert services.erase_expired(now=timezone.now() + datetime.timedelta(days=29)) == 0
    assert Document.objects.filter(pk=document.pk).exists()

    from documents.tasks import erase_expired

    Document.objects.filter(pk=document.pk).update(
        deleted_at=timezone.now() - datetime.timedelta(days=31)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert erase_expired.apply().get() == 1
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not DocumentVersion.objects.exists()
    assert all(not __import__("os").path.exists(path) for path in paths)
    events = list(AuditEvent.objects.filter(target_id=str(document.pk)).order_by("pk"))
    assert [(e.event, e.details.get("state")) for e in events] == [
        ("deletion", "corbeille"),
        ("deletion", "effacé"),
    ]


def test_restoring_from_the_bin_is_journaled(
    as_role, personas, ouest_space, django_capture_on_commit_callbacks
):
    document = make_document(ouest_space, personas["chef"])
    client = as_role("chef")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("documents:delete", args=[document.pk]))
        response = client.post(reverse("documents:restore", args=[document.pk]))
    assert response.status_code == 302
    assert client.get(document.get_absolute_url()).status_code == 200
    assert list(
        AuditEvent.objects.filter(target_id=str(document.pk))
        .order_by("pk")
        .values_list("event", flat=True)
    ) == ["deletion", "restoration"]
