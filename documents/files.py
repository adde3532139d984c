"""What a shared file is, judged from its bytes (never its name), and the text inside it.

Accepted: PDF, ODF (a zip whose first entry `mimetype` names an OpenDocument type), OOXML (a zip
with `[Content_Types].xml` and the main part of a Word, Excel or PowerPoint document), images
(re-encoded without metadata by `foundation.images.sanitize_image`) and CSV (text in UTF-8 or
Windows-1252 that the csv module reads as rows of the same width). Anything else is refused with a
message in French.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from foundation.images import sanitize_image

PDF = "application/pdf"
CSV = "text/csv"
JPEG = "image/jpeg"

ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.oasis.opendocument.graphics": "odg",
}
#: The main part each kind of OOXML document has, and what it is served as.
OOXML_PARTS = {
    "word/document.xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "xl/workbook.xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
}
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"}

#: Text kept per document for the search (a long report's first pages are enough to find it).
MAX_TEXT_CHARS = 200_000
#: Uncompressed bytes read from a zip's XML parts: a zip bomb stops here.
MAX_XML_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    content_type: str
    extension: str


def max_upload_bytes() -> int:
    return int(settings.DOCUMENTS_MAX_UPLOAD_BYTES)


def size_limit_label() -> str:
    return str(filesizeformat(max_upload_bytes()))


def check_upload(upload) -> CheckedFile:
    """Read and classify an uploaded file, or raise ValidationError (in French)."""
    limit = max_upload_bytes()
    size = getattr(upload, "size", None)
    too_large = _("Le fichier dépasse la taille maximale (%(limit)s).") % {
        "limit": size_limit_label()
    }
    if size is not None and size > limit:
        raise ValidationError(too_large, code="too_large")
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(too_large, code="too_large")
    if not data:
        raise ValidationError(_("Le fichier est vide."), code="empty")
    return classify(data)


def classify(data: bytes) -> CheckedFile:
    if data.startswith(b"%PDF-"):
        return CheckedFile(data, PDF, "pdf")
    if data.startswith(b"PK\x03\x04"):
        return _office(data)
    kind = filetype.guess(data)
    if kind is not None and kind.mime in IMAGE_TYPES:
        clean = sanitize_image(io.BytesIO(data))
        return CheckedFile(clean.content, JPEG, "jpg")
    if kind is None and _is_csv(data):
        return CheckedFile(data, CSV, "csv")
    raise ValidationError(
        _(
            "Type de fichier non accepté : envoyez un PDF, un document bureautique "
            "(OpenDocument ou Office), une image ou un fichier CSV."
        ),
        code="type",
    )


def _office(data: bytes) -> CheckedFile:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if names and names[0] == "mimetype":
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if mimetype in ODF_TYPES and "content.xml" in names:
                    return CheckedFile(data, mimetype, ODF_TYPES[mimetype])
            if "[Content_Types].xml" in names:
                for part, (mimetype, extension) in OOXML_PARTS.items():
                    if part in names:
                        return CheckedFile(data, mimetype, extension)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _not_office() from exc
    raise _not_office()


def _not_office() -> ValidationError:
    return ValidationError(
        _("Cette archive n'est pas un document OpenDocument ou Office lisible."), code="office"
    )


def _decode_text(data: bytes) -> str | None:
    if b"\x00" in data:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _is_csv(data: bytes) -> bool:
    """Rows of text (two at least) cut by one delimiter into the same number of columns (two at
    least)."""
    text = _decode_text(data)
    if text is None or not text.strip():
        return False
    sample = text[: 64 * 1024]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return False
    lines = sample.splitlines()
    if len(text) > len(sample):
        lines = lines[:-1]  # the sample may cut the last line
    rows = [row for row in csv.reader(lines, dialect) if row]
    widths = {len(row) for row in rows}
    return len(rows) >= 2 and len(widths) == 1 and widths.pop() >= 2


# Text extraction (in the background job) -------------------------------------------------------


def extract_text(data: bytes, content_type: str) -> str:
    """The searchable text of a file: PDF through poppler's pdftotext (pypdf if it is missing),
    ODF and OOXML from their XML parts, CSV as is. Images have none."""
    if content_type == PDF:
        text = _pdf_text(data)
    elif content_type in ODF_TYPES:
        text = _zip_xml_text(data, lambda name: name == "content.xml")
    elif content_type in {mimetype for mimetype, _ext in OOXML_PARTS.values()}:
        text = _zip_xml_text(data, _is_ooxml_text_part)
    elif content_type == CSV:
        text = _decode_text(data) or ""
    else:
        text = ""
    return re.sub(r"\s+", " ", text).strip()[:MAX_TEXT_CHARS]


def has_text(content_type: str) -> bool:
    return not content_type.startswith("image/")


def _pdf_text(data: bytes) -> str:
    try:
        result = subprocess.run(
            ["pdftotext", "-q", "-enc", "UTF-8", "-", "-"],  # noqa: S607 - poppler-utils, in PATH
            input=data,
            capture_output=True,
            timeout=60,
            check=False,
        )
    except FileNotFoundError:
        return _pdf_text_pypdf(data)
    if result.returncode != 0:
        return _pdf_text_pypdf(data)
    return result.stdout.decode("utf-8", "replace")


def _pdf_text_pypdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts, length = [], 0
    for page in reader.pages:
        text = page.extract_text() or ""
        parts.append(text)
        length += len(text)
        if length > MAX_TEXT_CHARS:
            break
    return "\n".join(parts)


def _is_ooxml_text_part(name: str) -> bool:
    return (
        name == "word/document.xml"
        or name == "xl/sharedStrings.xml"
        or bool(re.fullmatch(r"ppt/slides/slide\d+\.xml", name))
    )


def _zip_xml_text(data: bytes, wanted) -> str:
    texts: list[str] = []
    budget = MAX_XML_BYTES
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not wanted(info.filename):
                continue
            with archive.open(info) as part:
                xml = part.read(budget + 1)
            if len(xml) > budget:
                raise ValueError("XML part too large")
            budget -= len(xml)
            texts.append(_xml_text(xml))
    return " ".join(texts)


def _xml_text(xml: bytes) -> str:
    # ElementTree resolves no external entity; paragraphs end with a space so words stay apart.
    root = ElementTree.fromstring(xml)  # noqa: S314 - a size-bounded part, no entity expansion
    words: list[str] = []
    for element in root.iter():
        if element.text:
            words.append(element.text)
        words.append(" " if _is_block(element.tag) else "")
        if element.tail:
            words.append(element.tail)
    return "".join(words)


def _is_block(tag: str) -> bool:
    local = tag.rsplit("}", 1)[-1]
    return local in {"p", "h", "tab", "br", "s", "si", "list-item", "table-cell", "line-break"}
