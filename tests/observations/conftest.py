"""Observations fixtures: a small world of observations around the shared personas.

- `pub_ouest`: Ouest, by the agent, sent to the technical service, escalated, with a photo;
- `secret_ouest`: Ouest, CONFIDENTIAL, by a colleague of the agent, sent to the technical
  service, escalated, with a photo (its title and place are unique words to grep for);
- `pub_sud`: Sud, by the outsider (the Sud agent).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from observations.models import Escalation, Observation
from teams.models import Membership
from tests.observations.factories import SECRET_PLACE, SECRET_TITLE, add_photo, make_observation
from tests.teams.factories import join, make_agent


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits count in the cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def colleague(ouest, services):
    agent = make_agent("colleague@test.example", service=services["ccas"])
    join(agent, ouest, Membership.Role.MEMBRE)
    return agent


@pytest.fixture
def world(personas, ouest, sud, services, colleague):
    pub_ouest = make_observation(
        ouest, personas["agent"], title="Lampadaire éteint square Baudimont", place="square Baudimont",
        service=services["technique"], status=Observation.Status.SENT, category="voirie-eclairage",
    )  # fmt: skip
    secret_ouest = make_observation(
        ouest, colleague, title=SECRET_TITLE, place=SECRET_PLACE, description="Zorglub détails sociaux",
        confidentiality=Observation.Confidentiality.CONFIDENTIAL, service=services["technique"],
        status=Observation.Status.SENT, category="social-precarite",
    )  # fmt: skip
    pub_sud = make_observation(
        sud, personas["outsider"], title="Tags au city-stade du Val", place="city-stade"
    )
    Escalation.objects.create(
        observation=pub_ouest, escalated_by=personas["chef"], reason="Récurrent"
    )
    Escalation.objects.create(
        observation=secret_ouest, escalated_by=personas["chef"], reason="Besoin d'arbitrage"
    )
    photos = {
        "pub_ouest": add_photo(pub_ouest, personas["agent"]),
        "secret_ouest": add_photo(secret_ouest, colleague),
        "pub_sud": add_photo(pub_sud, personas["outsider"]),
    }
    return {
        "pub_ouest": pub_ouest,
        "secret_ouest": secret_ouest,
        "pub_sud": pub_sud,
        "photos": photos,
    }
