"""POST requests: an observation in « nouvelle », routed like the form's, in the key's quartiers;
a media fetched and re-encoded in the background, with a token while it is pending."""

from __future__ import annotations

import io
import socket

import pytest
from PIL import Image

from observations.models import Category, Notification, Observation, Photo
from open311 import media
from open311.models import ServiceAttribute, Submission
from tests.observations.factories import jpeg_bytes
from tests.open311 import spec
from tests.open311.conftest import IN_OUEST, IN_SUD, NOWHERE
from tests.tools.local_http import local_server

BASE = "/open311/v2"


def post(client, key, fmt="json", **fields):
    data = {"api_key": key, "service_code": "voirie-eclairage", "description": "Lampadaire cassé"}
    data.update(fields)
    return client.post(f"{BASE}/requests.{fmt}", {k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_creates_a_new_observation_routed_to_the_chef(client, key, personas, ouest, fmt):
    lat, long = IN_OUEST
    response = post(client, key, fmt, lat=lat, long=long, address_string="12 rue Verlaine")
    assert response.status_code == 200, response.content
    (item,) = spec.check_list(response, "requests", spec.POSTED, fmt)
    observation = Observation.objects.get(pk=int(spec.field(item, "service_request_id")))
    assert observation.status == Observation.Status.NEW
    assert observation.quartier == ouest
    assert observation.category.slug == "voirie-eclairage"
    assert observation.author is None
    assert observation.place == "12 rue Verlaine"
    assert float(observation.latitude) == 50.29
    assert "Appli citoyenne" in observation.description
    assert observation.status_changes.get().to_status == Observation.Status.NEW
    # Routed like any other: the chef de projet of Ouest is told there is one to triage.
    assert Notification.objects.filter(
        recipient=personas["chef"], observation=observation, kind=Notification.Kind.NEW
    ).exists()
    submission = Submission.objects.get(observation=observation)
    assert spec.field(item, "token") == str(submission.token)
    # And it reads back.
    detail = client.get(f"{BASE}/requests/{observation.pk}.json", {"api_key": key})
    spec.check_json(spec.REQUEST, detail.json()[0])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"lat": IN_SUD[0], "long": IN_SUD[1]}, "aucun des quartiers"),
        ({"lat": NOWHERE[0], "long": NOWHERE[1]}, "aucun des quartiers"),
        ({"lat": "50.29"}, "lat et long"),
        ({"lat": "nord", "long": "2.75"}, "nombre"),
        ({}, "emplacement"),
        ({"service_code": "inconnu", "lat": IN_OUEST[0], "long": IN_OUEST[1]}, "service_code"),
        (
            {"lat": IN_OUEST[0], "long": IN_OUEST[1], "media_url": "file:///etc/passwd"},
            "http",
        ),
    ],
)
def test_bad_posts_are_spec_400s_and_create_nothing(client, key, ouest, fields, message):
    response = post(client, key, **fields)
    assert response.status_code == 400
    (item,) = spec.check_list(response, "errors", spec.ERROR, "json")
    assert message in item["description"]
    assert not Observation.objects.exists()


def test_post_needs_a_key(client, partner):
    response = post(client, None, lat=IN_OUEST[0], long=IN_OUEST[1])
    assert response.status_code == 403
    assert not Observation.objects.exists()


def test_required_attributes(client, key, ouest):
    ServiceAttribute.objects.create(
        category=Category.objects.get(slug="voirie-eclairage"), code="objet",
        description="Qu'est-ce qui est abîmé ?", datatype="singlevaluelist", required=True,
        values=[{"key": "lampadaire", "name": "Lampadaire"}],
    )  # fmt: skip
    lat, long = IN_OUEST
    assert post(client, key, lat=lat, long=long).status_code == 400
    assert post(client, key, lat=lat, long=long, **{"attribute[objet]": "x"}).status_code == 400
    response = post(client, key, lat=lat, long=long, **{"attribute[objet]": "lampadaire"})
    assert response.status_code == 200
    observation = Observation.objects.get()
    assert "Qu'est-ce qui est abîmé ? : Lampadaire" in observation.description


def _exif_jpeg() -> bytes:
    image = Image.new("RGB", (80, 60), (10, 200, 10))
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def test_media_is_fetched_in_the_background_and_re_encoded(
    client, key, ouest, settings, django_capture_on_commit_callbacks
):
    settings.OPEN311_MEDIA_PRIVATE_HOSTS = ["127.0.0.1"]
    lat, long = IN_OUEST
    with local_server() as server:
        server.body, server.content_type = _exif_jpeg(), "image/jpeg"
        with django_capture_on_commit_callbacks(execute=False) as pending:
            response = post(client, key, lat=lat, long=long, media_url=f"{server.url}/p.jpg")
        # While the media waits: a token, no request id yet.
        (item,) = response.json()
        assert "service_request_id" not in item
        token = item["token"]
        answer = client.get(f"{BASE}/tokens/{token}.json", {"api_key": key})
        (waiting,) = answer.json()
        spec.check_json(spec.TOKEN, waiting)
        assert waiting["service_request_id"] == ""
        assert not Observation.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            for callback in pending:
                callback()
    observation = Observation.objects.get()
    photo = Photo.objects.get(observation=observation)
    data = photo.image.read()
    assert b"SecretCamera" not in data
    assert Image.open(io.BytesIO(data)).format == "JPEG"
    for fmt in ("json", "xml"):
        answer = client.get(f"{BASE}/tokens/{token}.{fmt}", {"api_key": key})
        (done,) = spec.check_list(answer, "requests", spec.TOKEN, fmt)
        assert spec.field(done, "service_request_id") == str(observation.pk)


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"<html>hello</html>", "text/html", "pas une image"),
        (b"not really a jpeg", "image/jpeg", ""),
    ],
)
def test_a_bad_media_refuses_the_request_visibly(
    client, key, ouest, settings, django_capture_on_commit_callbacks, body, content_type, message
):
    settings.OPEN311_MEDIA_PRIVATE_HOSTS = ["127.0.0.1"]
    lat, long = IN_OUEST
    with local_server() as server:
        server.body, server.content_type = body, content_type
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, key, lat=lat, long=long, media_url=f"{server.url}/m")
    token = response.json()[0]["token"]
    answer = client.get(f"{BASE}/tokens/{token}.json", {"api_key": key})
    assert answer.status_code == 400
    (error,) = answer.json()
    spec.check_json(spec.ERROR, error)
    assert message in error["description"]
    assert not Observation.objects.exists()


def test_private_hosts_are_refused_by_default(
    client, key, ouest, django_capture_on_commit_callbacks
):
    lat, long = IN_OUEST
    with local_server() as server:
        server.body, server.content_type = jpeg_bytes(), "image/jpeg"
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, key, lat=lat, long=long, media_url=f"{server.url}/p.jpg")
        assert server.requests == []  # never asked
    token = response.json()[0]["token"]
    answer = client.get(f"{BASE}/tokens/{token}.json", {"api_key": key})
    assert "hôte public" in answer.json()[0]["description"]


def test_tokens_of_other_keys_are_not_found(client, key, ouest):
    from open311.services import api_key_create

    lat, long = IN_OUEST
    token = post(client, key, lat=lat, long=long).json()[0]["token"]
    _, other = api_key_create(partner="Autre", quartiers=[ouest])
    assert client.get(f"{BASE}/tokens/{token}.json", {"api_key": other}).status_code == 404


def test_the_media_is_fetched_from_the_address_checked_not_a_second_dns_answer(
    settings, monkeypatch
):
    """DNS rebinding: a partner's host name answers a public address to the check, then an
    inward one (here a local server) when the connection is made. The fetch connects to the
    public address it checked (nothing listens there: it fails), never inward."""
    settings.OPEN311_MEDIA_TIMEOUT = 2
    real_getaddrinfo = socket.getaddrinfo
    with local_server(host="127.0.0.2") as inward:
        inward.body, inward.content_type = jpeg_bytes(), "image/jpeg"
        port = int(inward.url.rsplit(":", 1)[1])
        answers = iter(["1.1.1.1"] + ["127.0.0.2"] * 5)

        def rebinding(host, *args, **kwargs):
            if host != "media.partenaire.test":
                return real_getaddrinfo(host, *args, **kwargs)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        with pytest.raises(OSError):
            media.fetch(f"http://media.partenaire.test:{port}/p.jpg")

    assert inward.requests == []
