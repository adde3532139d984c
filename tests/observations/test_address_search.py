"""A typed address becomes a point with no map: the server asks the geocoder (a real HTTP
server on localhost here), and the form offers the addresses found, those in the quartier
first."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from observations.permissions import quartiers_for_logging
from tests.teams.factories import ROLES
from tests.tools.local_http import local_server

pytestmark = pytest.mark.django_db

OUEST = {"type": "Polygon", "coordinates": [[[2.74, 50.28], [2.77, 50.28], [2.77, 50.30], [2.74, 50.30], [2.74, 50.28]]]}  # fmt: skip


def feature(label, lon, lat):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"label": label, "score": 0.9},
    }


ANSWER = {
    "type": "FeatureCollection",
    "features": [
        feature("12 Rue de Douai 62000 Arras", 2.78512345, 50.2801),  # outside Ouest
        feature("12 Rue Jean Jaurès 62000 Arras", 2.75498765, 50.29123456),
        {"type": "Feature", "geometry": None, "properties": {}},  # skipped, not an error
    ],
}


@pytest.fixture
def geocoder(settings):
    with local_server() as server:
        server.body = json.dumps(ANSWER).encode()
        settings.GEOCODER_URL = server.url + "/search"
        yield server


@pytest.fixture
def outlined(ouest):
    ouest.outline = OUEST
    ouest.save()
    return ouest


def search(client, q, quartier):
    return client.get(reverse("observations:address_search"), {"q": q, "quartier": quartier.pk})


def test_addresses_found_are_offered_in_the_quartier_first_with_rounded_points(
    as_role, personas, outlined, geocoder
):
    response = search(as_role("agent"), "12 rue", outlined)
    assert response.status_code == 200
    html = response.content.decode()
    first = html.index("Rue Jean Jaurès")
    second = html.index("Rue de Douai")
    assert first < second
    assert 'data-lat="50.2912" data-lon="2.7550"' in html  # rounded like stored points
    assert html.count("hors du quartier") == 1
    assert html[second:].count("hors du quartier") == 1
    assert "2 adresses trouvées" in html
    # The geocoder is asked near the quartier (the middle of its outline), at most five answers.
    (asked,) = geocoder.requests
    assert asked.path == "/search"
    assert asked.query["q"] == ["12 rue"]
    assert asked.query["limit"] == ["5"]
    assert asked.query["lon"] == ["2.755"] and asked.query["lat"] == ["50.29"]


def test_the_same_search_is_asked_once(as_role, personas, outlined, geocoder):
    client = as_role("agent")
    search(client, "12 rue", outlined)
    search(client, "12   rue ", outlined)
    assert len(geocoder.requests) == 1


@pytest.mark.parametrize("status, body", [(503, b"busy"), (200, b"<html>"), (200, b"{}")])
def test_a_geocoder_that_fails_gets_a_french_message_not_an_error(
    as_role, personas, outlined, geocoder, status, body
):
    geocoder.status, geocoder.body = status, body
    response = search(as_role("agent"), "12 rue", outlined)
    assert response.status_code == 200
    assert "ne répond pas pour le moment" in response.content.decode()


def test_an_unreachable_geocoder_gets_the_same_message(as_role, personas, outlined, settings):
    settings.GEOCODER_URL = "http://127.0.0.1:9/search"  # discard port: refused
    response = search(as_role("agent"), "12 rue", outlined)
    assert "ne répond pas pour le moment" in response.content.decode()


def test_nothing_found_says_so_with_what_was_typed(as_role, personas, outlined, geocoder):
    geocoder.body = json.dumps({"type": "FeatureCollection", "features": []}).encode()
    html = search(as_role("agent"), "impasse inconnue", outlined).content.decode()
    assert "Aucune adresse trouvée pour « impasse inconnue »" in html


def test_too_short_a_query_asks_nothing(as_role, personas, outlined, geocoder):
    search(as_role("agent"), "12", outlined)
    assert geocoder.requests == []


@pytest.mark.parametrize("role", ROLES)
def test_only_people_who_log_observations_may_search(role, as_role, personas, outlined, geocoder):
    logs = quartiers_for_logging(personas[role]).exists()
    assert search(as_role(role), "12 rue", outlined).status_code == (200 if logs else 404)
    assert len(geocoder.requests) == (1 if logs else 0)


def test_anonymous_people_are_sent_to_sign_in(client, outlined, geocoder):
    response = search(client, "12 rue", outlined)
    assert response.status_code == 302 and "/comptes/" in response["Location"]
    assert geocoder.requests == []


def test_the_form_offers_the_search_only_when_a_geocoder_is_set(as_role, personas, settings):
    client = as_role("agent")
    settings.GEOCODER_URL = "http://127.0.0.1:9/search"
    assert 'id="address-search"' in client.get(reverse("observations:create")).content.decode()
    settings.GEOCODER_URL = ""
    assert 'id="address-search"' not in client.get(reverse("observations:create")).content.decode()
