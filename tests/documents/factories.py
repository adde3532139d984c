"""Builders of `documents` objects and of the real files they hold."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from documents import samples, services
from documents.models import Document, Space

CSV_BYTES = "quartier;équipement;places\nOuest;Médiathèque;40\nSud;Gymnase;120\n".encode()


def upload(content: bytes, name: str, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf_upload(text: str, name: str = "note.pdf"):
    return upload(samples.pdf("Note", [text]), name, "application/pdf")


def odt_upload(text: str, name: str = "note.odt"):
    return upload(samples.odt("Note", [text]), name, samples.ODT_MIMETYPE)


def docx_bytes(text: str) -> bytes:
    """A minimal Word document: its content types, relations and main part."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
        )
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A photo carrying EXIF with a GPS position and a comment."""
    image = Image.new("RGB", (64, 48), "teal")
    exif = Image.Exif()
    exif[0x010F] = "Fabricant"  # Make
    gps = {1: "N", 2: (50.0, 17.0, 30.0), 3: "E", 4: (2.0, 46.0, 10.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"rue des Trois Visages")
    return out.getvalue()


def make_document(
    space: Space, by, title: str = "Note", text: str = "Texte de la note", **fields
) -> Document:
    return services.document_create(
        space=space, by=by, title=title, upload=pdf_upload(text), **fields
    )
