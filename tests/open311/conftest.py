"""Open311 fixtures: outlines for Ouest and Sud, a partner key for Ouest, a few observations."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from observations.models import Observation
from open311 import services as open311_services
from tests.observations.factories import SECRET_TITLE, make_observation

#: Two squares side by side near Arras (longitude first), Ouest to the west of Sud.
OUEST_OUTLINE = {
    "type": "Polygon",
    "coordinates": [[[2.74, 50.28], [2.76, 50.28], [2.76, 50.30], [2.74, 50.30], [2.74, 50.28]]],
}
SUD_OUTLINE = {
    "type": "Polygon",
    "coordinates": [[[2.76, 50.28], [2.78, 50.28], [2.78, 50.30], [2.76, 50.30], [2.76, 50.28]]],
}
IN_OUEST = ("50.29", "2.75")  # lat, long
IN_SUD = ("50.29", "2.77")
NOWHERE = ("48.85", "2.35")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits count in the cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def outlines(ouest, sud):
    ouest.outline = OUEST_OUTLINE
    ouest.save(update_fields=["outline"])
    sud.outline = SUD_OUTLINE
    sud.save(update_fields=["outline"])


@pytest.fixture
def partner(ouest, outlines):
    """(ApiKey, clear key) of a partner allowed in Ouest only."""
    return open311_services.api_key_create(partner="Appli citoyenne", quartiers=[ouest])


@pytest.fixture
def key(partner) -> str:
    return partner[1]


@pytest.fixture
def requests_world(personas, ouest, sud, services):
    """Public and confidential observations in Ouest, one in Sud."""
    return {
        "open": make_observation(
            ouest, personas["agent"], title="Lampadaire éteint", place="square Baudimont",
            description="Éteint depuis lundi", latitude="50.2900", longitude="2.7500",
            service=services["technique"], status=Observation.Status.SENT,
            category="voirie-eclairage",
        ),
        "closed": make_observation(
            ouest, personas["agent"], title="Banc cassé", place="parc",
            status=Observation.Status.CLOSED,
            closing_reason=Observation.ClosingReason.NO_FOLLOW_UP,
        ),
        "secret": make_observation(
            ouest, personas["chef"], title=SECRET_TITLE, place="escalier",
            confidentiality=Observation.Confidentiality.CONFIDENTIAL, category="social-precarite",
        ),
        "sud": make_observation(sud, personas["outsider"], title="Tags au city-stade"),
    }  # fmt: skip
