"""Uploads fuzzed: broken, huge, polyglot and decompression-bomb files, and random bytes.

Against `sanitize_image` (only ValidationError, or clean re-encoded JPEG), and against the two
upload pages (observation photos, profile photo): never a 500, never a file stored as sent.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from foundation.images import MAX_PIXELS, CleanImage, sanitize_image


def jpeg(size=(64, 48), color=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG", **save)
    return out.getvalue()


def png(size=(64, 48), mode="RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, format="PNG")
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims huge dimensions (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def real_bomb() -> bytes:
    """A real highly compressible PNG of 9000×9000 (81 Mpx) weighing a few hundred KB."""
    width = height = 9000
    raw = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * width  # grayscale, filter byte + pixels
    body = b"".join(raw.compress(row) for _ in range(height)) + raw.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", body)
        + png_chunk(b"IEND", b"")
    )


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return out.getvalue()


def html_in_png_text() -> bytes:
    """A valid PNG carrying HTML in a text chunk: accepted, but the chunk must not survive."""
    data = png(mode="RGB")
    text = png_chunk(b"tEXt", b"Comment\x00<script>alert(document.cookie)</script>")
    return data[:33] + text + data[33:]


CORPUS = {
    "zero bytes": b"",
    "random bytes": bytes(range(256)) * 8,
    "truncated jpeg": jpeg(size=(400, 300))[:700],
    "jpeg header only": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "polyglot jpeg+zip": jpeg() + zip_bytes(),
    "polyglot jpeg+html": jpeg() + b"<html><script>alert(1)</script></html>",
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "pdf renamed .jpg": b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
    "html renamed .jpg": b"<!DOCTYPE html><html><body onload=alert(1)></body></html>",
    "gif": (
        lambda: (lambda b: (Image.new("P", (8, 8)).save(b, "GIF"), b.getvalue())[1])(io.BytesIO())
    )(),
    "header claims 100000x100000": png_claiming(100_000, 100_000),
    "header claims 8000x6000 (48 Mpx)": png_claiming(8000, 6000),
    "real 81 Mpx bomb": real_bomb(),
}


# sanitize_image --------------------------------------------------------------------------------


def assert_clean(result: CleanImage) -> None:
    for content in (result.content, result.thumbnail):
        with Image.open(io.BytesIO(content)) as image:
            assert image.format == "JPEG"
            assert not image.getexif()
            assert "icc_profile" not in image.info
            assert not any(k in image.info for k in ("comment", "Comment", "xmp"))
        assert content.rstrip(b"\x00").endswith(b"\xff\xd9")


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_is_refused_with_a_french_message(name):
    with pytest.raises(ValidationError) as error:
        sanitize_image(io.BytesIO(CORPUS[name]))
    assert error.value.messages[0][0].isupper()  # a sentence, in French, for the form


def test_accepted_images_come_out_reencoded_without_metadata():
    exif = Image.Exif()
    exif[0x8825] = {2: (50.0, 17.0, 30.0)}
    for data in (jpeg(exif=exif), png(), html_in_png_text()):
        result = sanitize_image(io.BytesIO(data))
        assert_clean(result)
        assert result.content != data
        assert b"<script" not in result.content


def test_pixel_limit_is_below_pillows_bomb_threshold():
    assert MAX_PIXELS <= Image.MAX_IMAGE_PIXELS


@settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.binary(max_size=4096))
def test_random_bytes_never_raise_anything_but_validation_error(data):
    try:
        result = sanitize_image(io.BytesIO(data))
    except ValidationError:
        return
    assert_clean(result)


SEED_JPEG = jpeg(size=(32, 24))


@settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    st.lists(
        st.tuples(st.integers(0, len(SEED_JPEG) - 1), st.integers(0, 255)), min_size=1, max_size=12
    ),
    st.integers(0, len(SEED_JPEG)),
    st.binary(max_size=64),
)
def test_mutated_jpegs_are_refused_or_cleaned(flips, cut, tail):
    data = bytearray(SEED_JPEG)
    for index, value in flips:
        data[index] = value
    data = bytes(data[:cut]) + tail
    try:
        result = sanitize_image(io.BytesIO(data))
    except ValidationError:
        return
    assert_clean(result)


# Upload pages ---------------------------------------------------------------------------------


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


BAD_UPLOADS = [
    "zero bytes",
    "truncated jpeg",
    "polyglot jpeg+zip",
    "polyglot jpeg+html",
    "svg",
    "pdf renamed .jpg",
    "header claims 100000x100000",
    "real 81 Mpx bomb",
]


@pytest.fixture
def observation_url(personas, ouest):
    try:
        return reverse("observations:create")
    except NoReverseMatch:
        pytest.skip("observations app not there yet")


def observation_data(**extra):
    from observations.models import Category

    return {
        "quartier": "",
        "category": Category.objects.filter(is_active=True).first().pk,
        "title": "Banc cassé",
        "place": "Square Baudimont",
        "observed_at": "2026-01-05T10:00",
        "urgency": "normale",
        "confidentiality": "equipe",
        **extra,
    }


@pytest.mark.parametrize("name", BAD_UPLOADS)
def test_observation_form_refuses_bad_photos_without_storing_them(
    client, personas, ouest, observation_url, settings, name
):
    from observations.models import Observation, Photo

    client.force_login(personas["agent"])
    client.raise_request_exception = False
    data = observation_data(quartier=ouest.pk, photos=upload(f"{name}.jpg", CORPUS[name]))
    response = client.post(observation_url, data)
    assert response.status_code == 200, response.status_code  # the form again, with the error
    assert "photos" in response.context["form"].errors
    assert not Observation.objects.exists()
    assert not Photo.objects.exists()
    assert stored_files(settings) == []


def test_observation_photo_is_stored_reencoded(client, personas, ouest, observation_url, settings):
    from observations.models import Photo

    client.force_login(personas["agent"])
    original = html_in_png_text()
    response = client.post(
        observation_url,
        observation_data(quartier=ouest.pk, photos=upload("plan.png", original, "image/png")),
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    assert Photo.objects.count() == 1
    files = stored_files(settings)
    assert files
    for path in files:
        content = path.read_bytes()
        assert content != original
        assert content.startswith(b"\xff\xd8") and b"<script" not in content


@pytest.mark.parametrize("name", BAD_UPLOADS)
def test_observation_photo_add_refuses_bad_files(client, personas, ouest, settings, name):
    from observations.models import Category, Observation, Photo

    try:
        url_name = "observations:photos"
        reverse(url_name, args=[1])
    except NoReverseMatch:
        pytest.skip("observations app not there yet")
    observation = Observation.objects.create(
        quartier=ouest,
        author=personas["agent"],
        category=Category.objects.filter(is_active=True).first(),
        title="Tag",
        place="École",
    )
    client.force_login(personas["agent"])
    client.raise_request_exception = False
    response = client.post(
        reverse(url_name, args=[observation.pk]), {"photos": upload(f"{name}.jpg", CORPUS[name])}
    )
    assert response.status_code in (200, 302, 400)
    assert not Photo.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize("name", BAD_UPLOADS)
def test_profile_photo_refuses_bad_files(client, personas, settings, name):
    agent = personas["agent"]
    client.force_login(agent)
    client.raise_request_exception = False
    form = client.get(reverse("teams:profile_edit")).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "photo"}
    data["photo_upload"] = upload(f"{name}.jpg", CORPUS[name])
    response = client.post(reverse("teams:profile_edit"), data)
    assert response.status_code == 200
    assert "photo_upload" in response.context["form"].errors
    agent.refresh_from_db()
    assert not agent.photo
    assert stored_files(settings) == []


def test_profile_photo_is_stored_reencoded(client, personas, settings):
    agent = personas["agent"]
    client.force_login(agent)
    form = client.get(reverse("teams:profile_edit")).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "photo"}
    exif = Image.Exif()
    exif[0x8825] = {2: (50.0, 17.0, 30.0)}
    original = jpeg(size=(900, 900), exif=exif)
    data["photo_upload"] = upload("moi.jpg", original)
    response = client.post(reverse("teams:profile_edit"), data)
    assert response.status_code == 302
    agent.refresh_from_db()
    content = agent.photo.read()
    assert content != original
    with Image.open(io.BytesIO(content)) as image:
        assert not image.getexif()
