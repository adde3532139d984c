"""List, detail and live pages: the number of queries does not grow with walks, stops or notes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from observations.models import Category, Observation
from tests.walks.factories import POINTS, make_walk
from walks import services


def _populate(ouest, personas, n: int):
    walks = []
    category = Category.objects.get(slug="proprete")
    for _ in range(n):
        walk = make_walk(ouest, personas["chef"], invited=[personas["agent"]], stops=POINTS * n)
        for stop in walk.stops.all():
            services.note_observation(
                stop=stop, author=personas["agent"], category=category, title="Vu"
            )
            services.note_observation(
                stop=stop, author=personas["chef"], category=category, title="Secret",
                confidentiality=Observation.Confidentiality.CONFIDENTIAL,
            )  # fmt: skip
        walks.append(walk)
    return walks


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["chef", "agent"])
def test_pages_do_not_grow(client, as_role, personas, ouest, role):
    small = _populate(ouest, personas, 1)[0]
    as_role(role)
    counts_small = {
        "index": _count(client, reverse("walks:index")),
        "detail": _count(client, reverse("walks:detail", args=[small.pk])),
        "live": _count(client, reverse("walks:live", args=[small.pk])),
    }
    big = _populate(ouest, personas, 3)[-1]
    counts_big = {
        "index": _count(client, reverse("walks:index")),
        "detail": _count(client, reverse("walks:detail", args=[big.pk])),
        "live": _count(client, reverse("walks:live", args=[big.pk])),
    }
    assert counts_big == counts_small
    # Pinned: a new query on these pages is a decision, not an accident.
    assert counts_small == PINNED[role]


PINNED = {
    "chef": {"index": 8, "detail": 13, "live": 10},
    "agent": {"index": 8, "detail": 13, "live": 10},
}
