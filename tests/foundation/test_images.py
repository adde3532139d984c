"""Image re-encoding leaves no metadata block at all, read back by walking the JPEG's own
segments (not by Pillow, which wrote them)."""

from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin

from foundation.images import sanitize_image

MARKER = b"CANARY-METADATA-7f3e"

# Segments a clean baseline JPEG may hold: the JFIF header, tables, frame, scan and restart.
ALLOWED = {0xE0, 0xDB, 0xC4, 0xC0, 0xC1, 0xC2, 0xDD, 0xDA} | set(range(0xD0, 0xD8))


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of the segments before the first scan, as a JPEG reader walks them."""
    assert data[:2] == b"\xff\xd8"
    markers, offset = [], 2
    while offset < len(data):
        assert data[offset] == 0xFF
        marker = data[offset + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            return markers
        length = int.from_bytes(data[offset + 2 : offset + 4], "big")
        offset += 2 + length
    return markers


def photo(format: str, **params) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 30, 200)).save(out, format=format, **params)
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("comment", MARKER.decode())
    info.add_text("Description", MARKER.decode())
    info.add_itxt("Author", MARKER.decode())
    return photo("PNG", pnginfo=info)


def jpeg_with_everything() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = MARKER.decode()  # ImageDescription
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + MARKER + b"</x:xmpmeta>"
    return photo("JPEG", comment=MARKER, exif=exif, xmp=xmp, icc_profile=b"\0" * 128 + MARKER)


@pytest.mark.parametrize("source", [jpeg_with_everything, png_with_text, lambda: photo("WEBP")])
def test_reencoded_images_carry_no_metadata_segment(source):
    result = sanitize_image(io.BytesIO(source()))
    for content in (result.content, result.thumbnail):
        assert MARKER not in content
        markers = jpeg_segments(content)
        assert set(markers) <= ALLOWED, [hex(m) for m in markers if m not in ALLOWED]


def test_the_canary_is_really_in_the_sources():
    # The test above would prove nothing if the sources carried no metadata to strip.
    assert 0xFE in jpeg_segments(jpeg_with_everything())  # COM
    assert MARKER in jpeg_with_everything()
    assert MARKER in png_with_text()
