"""The photo pipeline: only real images, re-encoded without metadata; nothing half-saved."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from observations.models import Category, Observation, Photo
from tests.observations.factories import jpeg_bytes

GPS_TAG = 0x8825


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (120, 80), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° CW to display
    exif.get_ifd(GPS_TAG).update({1: "N", 2: (50.0, 17.0, 30.0), 3: "E", 4: (2.0, 46.0, 12.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_TAG), "the fixture must carry GPS"
    return data


def form_data(ouest, **extra):
    data = {
        "quartier": ouest.pk,
        "category": Category.objects.get(slug="proprete").pk,
        "title": "Dépôt sauvage",
        "place": "square Baudimont",
        "observed_at": "2026-01-05T10:00",
        "urgency": "normale",
        "confidentiality": "equipe",
    }
    data.update(extra)
    return data


def stored_files(settings) -> list[str]:
    found = []
    for root, _dirs, files in os.walk(settings.MEDIA_ROOT):
        found += [os.path.join(root, f) for f in files]
    return found


@pytest.fixture
def agent_client(as_role):
    return as_role("agent")


def test_gps_and_all_metadata_removed_and_orientation_applied(agent_client, ouest, settings):
    upload = SimpleUploadedFile("gps.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = agent_client.post(reverse("observations:create"), form_data(ouest, photos=[upload]))
    assert response.status_code == 302, response.content.decode()[:2000]
    photo = Photo.objects.get()
    for field in (photo.image, photo.thumbnail):
        with field.open("rb") as handle:
            data = handle.read()
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG"
        assert not image.getexif(), "no EXIF at all"
        assert "exif" not in image.info and "icc_profile" not in image.info
        assert b"PhoneMaker" not in data
        assert image.size[0] < image.size[1], "rotated by the EXIF orientation (was landscape)"
    served = agent_client.get(reverse("observations:photo", args=[photo.observation_id, photo.pk]))
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "private" in served["Cache-Control"]
    assert b"PhoneMaker" not in b"".join(served.streaming_content)


def test_photos_are_not_under_a_public_url(settings, world):
    photo = world["photos"]["pub_ouest"]
    assert not settings.MEDIA_ROOT.startswith(str(settings.STATIC_ROOT))
    assert photo.image.storage.base_url is None or not photo.image.url.startswith("/static")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("notes.txt", b"just some text, not an image", "pas une image"),
        ("fake.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 200, "pas une image"),
        ("polyglot.jpg", jpeg_bytes() + b"PK\x03\x04" + b"zipzipzip" * 50, "autre chose qu"),
        ("polyglot-html.jpg", jpeg_bytes() + b"<script>alert(1)</script>", "autre chose qu"),
        ("truncated.jpg", jpeg_bytes(size=(400, 300))[:600], "pas une image"),
        ("animation.gif", None, "Format non accepté"),
    ],
)
def test_bad_files_refused_with_a_clear_error_and_nothing_saved(
    agent_client, ouest, settings, name, content, message
):
    if content is None:
        buffer = io.BytesIO()
        Image.new("RGB", (10, 10)).save(buffer, format="GIF")
        content = buffer.getvalue()
    good = SimpleUploadedFile("good.jpg", jpeg_bytes(), content_type="image/jpeg")
    bad = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = agent_client.post(
        reverse("observations:create"), form_data(ouest, photos=[good, bad])
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body.replace("&#x27;", "'"), body[body.find("alert-danger") :][:600]
    assert name in body
    assert Observation.objects.count() == 0
    assert Photo.objects.count() == 0
    assert stored_files(settings) == []
    assert "Dépôt sauvage" in body, "what was typed is kept"


def png_bytes(extra: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (30, 20), (0, 200, 0, 128)).save(buffer, format="PNG")
    return buffer.getvalue() + extra


def webp_bytes(extra: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (0, 0, 200)).save(buffer, format="WEBP")
    return buffer.getvalue() + extra


@pytest.mark.parametrize(
    "content", [png_bytes(b"<html><script>x</script></html>"), webp_bytes(b"PK\x03\x04zip")]
)
def test_polyglots_of_other_formats_refused(agent_client, ouest, content):
    upload = SimpleUploadedFile("image.png", content, content_type="image/png")
    response = agent_client.post(reverse("observations:create"), form_data(ouest, photos=[upload]))
    assert response.status_code == 200
    assert "autre chose qu" in response.content.decode().replace("&#x27;", "'")
    assert Observation.objects.count() == 0


@pytest.mark.parametrize("content", [png_bytes(), webp_bytes()])
def test_png_and_webp_accepted_and_reencoded_as_jpeg(agent_client, ouest, content):
    upload = SimpleUploadedFile("image.png", content, content_type="image/png")
    assert (
        agent_client.post(
            reverse("observations:create"), form_data(ouest, photos=[upload])
        ).status_code
        == 302
    )
    with Photo.objects.get().image.open("rb") as handle:
        assert Image.open(handle).format == "JPEG"


def test_oversized_file_refused(agent_client, ouest):
    big = SimpleUploadedFile(
        "big.jpg", jpeg_bytes() + b"\x00" * (10 * 1024 * 1024), content_type="image/jpeg"
    )
    response = agent_client.post(reverse("observations:create"), form_data(ouest, photos=[big]))
    assert response.status_code == 200
    assert "10 Mo" in response.content.decode()
    assert Observation.objects.count() == 0


def test_at_most_five_photos(agent_client, ouest, world):
    uploads = [
        SimpleUploadedFile(f"p{i}.jpg", jpeg_bytes(), content_type="image/jpeg") for i in range(6)
    ]
    response = agent_client.post(reverse("observations:create"), form_data(ouest, photos=uploads))
    assert response.status_code == 200
    assert "Cinq photos au plus" in response.content.decode()
    # Adding to an existing observation counts those already there.
    observation = world["pub_ouest"]
    chef = agent_client  # noqa: F841 - readability
    more = [
        SimpleUploadedFile(f"q{i}.jpg", jpeg_bytes(), content_type="image/jpeg") for i in range(5)
    ]
    response = agent_client.post(
        reverse("observations:photos", args=[observation.pk]), {"photos": more}
    )
    assert response.status_code in (400, 404)
    assert observation.photos.count() == 1


def test_failure_while_storing_removes_written_files(agent_client, ouest, settings, monkeypatch):
    """A failure after some files were written leaves neither rows nor files."""
    from observations import services

    calls = {"n": 0}
    original = Photo.save

    def failing_save(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Photo, "save", failing_save)
    uploads = [
        SimpleUploadedFile(f"p{i}.jpg", jpeg_bytes(), content_type="image/jpeg") for i in range(2)
    ]
    with pytest.raises(OSError):
        agent_client.post(reverse("observations:create"), form_data(ouest, photos=uploads))
    assert Observation.objects.count() == 0
    assert Photo.objects.count() == 0
    assert stored_files(settings) == []
    assert services.MAX_PHOTOS == 5


def heic_bytes(extra: bytes = b"") -> bytes:
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 200, 10)).save(buffer, format="HEIF")
    return buffer.getvalue() + extra


def test_heic_from_phones_accepted(agent_client, ouest):
    upload = SimpleUploadedFile("IMG_0001.HEIC", heic_bytes(), content_type="image/heic")
    assert (
        agent_client.post(
            reverse("observations:create"), form_data(ouest, photos=[upload])
        ).status_code
        == 302
    )
    with Photo.objects.get().image.open("rb") as handle:
        assert Image.open(handle).format == "JPEG"


def test_heic_polyglot_refused(agent_client, ouest):
    upload = SimpleUploadedFile(
        "IMG_0002.HEIC", heic_bytes(b"PK\x03\x04zipzip"), content_type="image/heic"
    )
    response = agent_client.post(reverse("observations:create"), form_data(ouest, photos=[upload]))
    assert response.status_code == 200
    assert Observation.objects.count() == 0
