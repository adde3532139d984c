"""Query counts of the list, detail and other pages are pinned and do not grow with rows."""

import pytest
from django.db import connection
from django.urls import reverse

from observations.models import Comment, Escalation, StatusChange
from tests.observations.factories import add_photo, make_observation

# Every page: session, user, roles (memberships, managed services), session renewal (3).
BASE = 7
# A search on PostgreSQL runs in a transaction of its own that first widens work_mem
# (selectors.search_room): set_config, and BEGIN / COMMIT (here a savepoint and its release).
SEARCH_ROOM = 3 if connection.vendor == "postgresql" else 0


def grow(personas, ouest, extra: int):
    """`extra` more observations, each with a photo, comments, history and an escalation."""
    for index in range(extra):
        observation = make_observation(ouest, personas["agent"], title=f"Observation {index}")
        add_photo(observation, personas["agent"])
        StatusChange.objects.create(
            observation=observation, to_status="nouvelle", changed_by=personas["agent"]
        )
        Comment.objects.create(observation=observation, author=personas["chef"], body="vu")
        Escalation.objects.create(
            observation=observation, escalated_by=personas["chef"], reason="r"
        )


@pytest.fixture
def target(personas, ouest):
    observation = make_observation(
        ouest, personas["agent"], title="Cible", place="square Baudimont"
    )
    Escalation.objects.create(observation=observation, escalated_by=personas["chef"], reason="r")
    return observation


PAGES = {
    # role, url name, own queries
    # The page of rows, the quartiers offered, the categories and services offered (the filter
    # bar from the cache once drawn: test_list_page_with_its_filter_bar_cached below).
    "list as agent": ("agent", "observations:index", None, 4),
    "list as chef": ("chef", "observations:index", None, 4),
    "search as agent": ("agent", "observations:index", "?q=Observation", 4 + SEARCH_ROOM),
    "export as agent": ("agent", "observations:export", None, 1),
    "map as chef": ("chef", "observations:map", None, 4),
    "map points as agent": ("agent", "observations:map_points", None, 1),
    "map points in an area as chef": (
        "chef",
        "observations:map_points",
        "?bbox=2.7,50.2,2.9,50.4",
        1,
    ),
    "queue as responsable": ("responsable", "observations:queue", None, 2),
    "escalations as direction": ("direction", "observations:escalations", None, 5),
    "emerging as elu": ("elu", "observations:emerging", None, 4),
    "orientations as chef": ("chef", "observations:orientations", None, 3),
}


@pytest.mark.parametrize("extra", [0, 6])
@pytest.mark.parametrize("page", sorted(PAGES))
def test_list_pages_query_counts(
    page, extra, as_role, personas, ouest, target, django_assert_num_queries
):
    grow(personas, ouest, extra)
    role, name, query, own = PAGES[page]
    client = as_role(role)
    with django_assert_num_queries(BASE + own):
        response = client.get(reverse(name) + (query or ""))
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["agent", "chef"])
def test_list_page_with_its_filter_bar_cached(
    role, as_role, personas, ouest, target, django_assert_num_queries
):
    """Once drawn, the filter bar costs no query: the page reads its rows alone."""
    client = as_role(role)
    client.get(reverse("observations:index"))
    with django_assert_num_queries(BASE + 1):
        response = client.get(reverse("observations:index"))
    assert response.status_code == 200


@pytest.mark.parametrize("extra", [0, 4])
@pytest.mark.parametrize("role, own", [("agent", 6), ("chef", 8), ("responsable", 6)])
def test_detail_query_count(
    role, own, extra, as_role, personas, ouest, target, services, django_assert_num_queries
):
    target.service = services["technique"]
    target.save()
    for _ in range(extra):
        add_photo(target, personas["agent"])
        StatusChange.objects.create(
            observation=target, to_status="transmise", changed_by=personas["chef"]
        )
        Comment.objects.create(observation=target, author=personas["chef"], body="vu")
        Escalation.objects.create(
            observation=target, escalated_by=personas["chef"], reason="r", answer="ok"
        )
    client = as_role(role)
    with django_assert_num_queries(BASE + own):
        response = client.get(target.get_absolute_url())
    assert response.status_code == 200
