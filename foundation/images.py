"""Re-encoding of user images: only real images get in, and nothing of their metadata.

Every uploaded picture (an observation's photos, an agent's portrait) goes through
`sanitize_image`: decoded by Pillow (HEIC through pillow-heif), rotated by its EXIF
orientation, bounded in pixels, and written anew as JPEG without EXIF, GPS, XMP, ICC, comment
or text data: nothing but the JFIF header, the tables and the pixels. A file that does not decode fully is refused: polyglots and truncated files included.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

try:  # HEIC/HEIF photos from phones, when the registry wheel is available.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover
    HEIF_SUPPORTED = False

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40 Mpx phone photo; beyond, a decompression bomb
MAX_SIDE = 2560
THUMB_SIDE = 480
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "HEIC", "MPO"}


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    thumbnail: bytes
    width: int
    height: int


def _encode(image: Image.Image, side: int) -> tuple[bytes, int, int]:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    # Pillow writes some of what it decoded back on save (a JPEG comment, a PNG "comment" text
    # chunk, XMP): start from no information at all, so only pixels go out.
    copy.info = {}
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=85, optimize=True)  # no exif=, no icc_profile=: stripped
    return out.getvalue(), copy.width, copy.height


def sanitize_image(upload) -> CleanImage:
    """Decode an upload (file-like) and return clean JPEG bytes, or raise ValidationError in French."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("L'image dépasse 10 Mo."), code="too_large")
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("L'image dépasse 10 Mo."), code="too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise ValidationError(
                        _("Format non accepté : envoyez une photo JPEG, PNG, WebP ou HEIC."),
                        code="format",
                    )
                if probe.width * probe.height > MAX_PIXELS:
                    raise ValidationError(
                        _("L'image est trop grande (plus de 40 mégapixels)."), code="pixels"
                    )
                probe.verify()  # structural check of the whole file
            with Image.open(io.BytesIO(data)) as decoded:
                decoded.load()  # full decode: a truncated or forged file fails here
                image = ImageOps.exif_transpose(decoded)
                if image.mode not in ("RGB", "L"):
                    background = Image.new("RGB", image.size, "white")
                    rgba = image.convert("RGBA")
                    background.paste(rgba, mask=rgba.getchannel("A"))
                    image = background
                elif image.mode == "L":
                    image = image.convert("RGB")
                content, width, height = _encode(image, MAX_SIDE)
                thumbnail, _w, _h = _encode(image, THUMB_SIDE)
    except ValidationError:
        raise
    except (
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ValidationError(
            _("Ce fichier n'est pas une image lisible (JPEG, PNG, WebP ou HEIC)."), code="invalid"
        ) from exc
    # Polyglots: bytes after the image's end (e.g. a ZIP or HTML appended to a JPEG, PNG, WebP).
    if _has_trailing_data(data):
        raise ValidationError(_("Ce fichier contient autre chose qu'une image."), code="polyglot")
    return CleanImage(content=content, thumbnail=thumbnail, width=width, height=height)


PNG_END = b"IEND\xaeB`\x82"


def _has_trailing_data(data: bytes) -> bool:
    """Whether bytes follow the end of the image, by the container's own framing."""
    if data[:3] == b"\xff\xd8\xff":  # JPEG: ends with the EOI marker (zero padding tolerated)
        return not data.rstrip(b"\x00").endswith(b"\xff\xd9")
    if data[:8] == b"\x89PNG\r\n\x1a\n":  # PNG: ends with the IEND chunk and its CRC
        return not data.endswith(PNG_END)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":  # WebP: the RIFF size covers the file
        riff_end = int.from_bytes(data[4:8], "little") + 8
        return len(data) > riff_end + (riff_end % 2)
    if data[4:8] == b"ftyp":  # HEIF/HEIC (ISO BMFF): top-level boxes tile the file exactly
        return not _boxes_tile(data)
    return False


def _boxes_tile(data: bytes) -> bool:
    offset = 0
    while offset < len(data):
        if offset + 8 > len(data):
            return False
        size = int.from_bytes(data[offset : offset + 4], "big")
        if size == 1:
            if offset + 16 > len(data):
                return False
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        elif size == 0:
            return True  # the last box runs to the end of the file
        if size < 8:
            return False
        offset += size
    return offset == len(data)
