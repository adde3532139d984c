"""Per-person rate limits on the live checks and the photo views: 429 with a French message."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from observations import ratelimit
from observations.models import Category


@pytest.fixture
def check_data(ouest):
    return {
        "quartier": ouest.pk,
        "category": Category.objects.get(slug="proprete").pk,
        "title": "Dépôt sauvage",
        "place": "square Baudimont",
    }


def test_live_check_is_limited_per_person_by_default(as_role, check_data):
    client = as_role("agent")
    url = reverse("observations:check")
    for _ in range(30):
        assert client.post(url, check_data).status_code == 200
    response = client.post(url, check_data)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Trop de demandes en peu de temps" in text
    assert 1 <= int(response["Retry-After"]) <= 61
    # Somebody else is not held back by the agent's count.
    assert as_role("chef").post(url, check_data).status_code == 200


def test_window_resets_after_the_period(as_role, check_data, settings, monkeypatch):
    settings.OBSERVATIONS_RATE_LIMITS = {"check": (2, 60)}
    clock = {"now": 1_000_020.0}
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock["now"])
    client = as_role("agent")
    url = reverse("observations:check")
    assert [client.post(url, check_data).status_code for _ in range(3)] == [200, 200, 429]
    clock["now"] += 60
    assert client.post(url, check_data).status_code == 200


def test_photo_and_thumbnail_share_one_limit(as_role, world, settings):
    settings.OBSERVATIONS_RATE_LIMITS = {"photos": (3, 60)}
    photo = world["photos"]["pub_ouest"]
    client = as_role("agent")
    image = reverse("observations:photo", args=[photo.observation_id, photo.pk])
    thumb = reverse("observations:photo_thumbnail", args=[photo.observation_id, photo.pk])
    codes = [client.get(url).status_code for url in (image, thumb, image, thumb)]
    assert codes == [200, 200, 200, 429]
    response = client.get(image)
    assert response.status_code == 429
    assert "Patientez" in response.content.decode()
    assert as_role("chef").get(image).status_code == 200


def test_a_cache_outage_lets_requests_through(as_role, check_data, settings, monkeypatch):
    settings.OBSERVATIONS_RATE_LIMITS = {"check": (1, 60)}

    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "add", down)
    client = as_role("agent")
    url = reverse("observations:check")
    assert [client.post(url, check_data).status_code for _ in range(3)] == [200, 200, 200]
