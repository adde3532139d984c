"""Which files get in, judged from their bytes, and how they come out (real files of each kind)."""

import io
import zipfile

import pikepdf
import pytest
from django.urls import reverse
from PIL import Image

from documents.models import Document
from tests.documents.factories import (
    CSV_BYTES,
    docx_bytes,
    jpeg_with_gps,
    make_document,
    odt_upload,
    pdf_upload,
    upload,
)
from tests.poppler import pdf_text


def _deposit(client, space, file, title="Pièce"):
    return client.post(reverse("documents:create", args=[space.pk]), {"title": title, "file": file})


@pytest.mark.parametrize(
    ("file", "content_type", "extension"),
    [
        (lambda: pdf_upload("Bilan", name="bilan.txt"), "application/pdf", "pdf"),
        (
            lambda: odt_upload("Bilan", name="bilan.pdf"),
            "application/vnd.oasis.opendocument.text",
            "odt",
        ),
        (
            lambda: upload(docx_bytes("Bilan"), "bilan.odt"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        (lambda: upload(CSV_BYTES, "effectifs.xls"), "text/csv", "csv"),
        (lambda: upload(jpeg_with_gps(), "photo.png"), "image/jpeg", "jpg"),
    ],
)
def test_the_type_comes_from_the_content_not_the_name(
    as_role, ouest_space, file, content_type, extension
):
    client = as_role("agent")
    response = _deposit(client, ouest_space, file())
    assert response.status_code == 302
    version = Document.objects.get().current_version
    assert (version.content_type, version.extension) == (content_type, extension)
    download = client.get(version.get_download_url())
    assert download["Content-Type"] == content_type
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Disposition"].endswith(f'.{extension}"')
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "page.pdf"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "programme.pdf"),
        (b"une seule ligne, sans tableau", "notes.csv"),
    ],
)
def test_other_files_are_refused_with_a_message_and_the_form_keeps_what_was_typed(
    as_role, ouest_space, content, name
):
    response = _deposit(as_role("agent"), ouest_space, upload(content, name), title="Mon titre")
    assert response.status_code == 200
    assert "Type de fichier non accepté" in response.text
    assert 'value="Mon titre"' in response.text
    assert not Document.objects.exists()


def test_a_zip_that_is_not_an_office_document_is_refused(as_role, ouest_space):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("lisez-moi.txt", "rien")
    response = _deposit(as_role("agent"), ouest_space, upload(out.getvalue(), "faux.docx"))
    assert "pas un document OpenDocument ou Office lisible" in response.text
    assert not Document.objects.exists()


def test_the_size_limit_is_announced_and_enforced(as_role, ouest_space, settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 1024
    client = as_role("agent")
    form = client.get(reverse("documents:create", args=[ouest_space.pk])).text
    assert "1,0\xa0Kio au plus" in form or "1,0 Kio au plus" in form
    response = _deposit(client, ouest_space, pdf_upload("x" * 2000))
    assert "dépasse la taille maximale" in response.text
    assert not Document.objects.exists()


def test_an_image_is_stored_without_its_metadata(as_role, ouest_space):
    client = as_role("agent")
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)  # the GPS is there before
    _deposit(client, ouest_space, upload(original, "photo.jpg"))
    version = Document.objects.get().current_version
    stored = b"".join(client.get(version.get_download_url()).streaming_content)
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif()
    assert b"Trois Visages" not in stored and b"Fabricant" not in stored
    assert "comment" not in image.info


def test_a_pdf_comes_back_byte_for_byte_and_readable_by_other_tools(as_role, personas, ouest_space):
    document = make_document(ouest_space, personas["chef"], text="Les lampadaires éteints")
    client = as_role("agent")
    served = b"".join(client.get(document.current_version.get_download_url()).streaming_content)
    with document.current_version.file.open("rb") as handle:
        assert served == handle.read()
    assert "lampadaires éteints" in pdf_text(served)
    with pikepdf.open(io.BytesIO(served)) as pdf:
        assert len(pdf.pages) == 1
