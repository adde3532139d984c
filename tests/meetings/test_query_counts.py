"""List and detail pages: the number of queries does not grow with the number of rows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import services
from tests.meetings.factories import add_item, make_meeting


def _populate(ouest, personas, observations, n: int):
    meetings = []
    for i in range(n):
        start = timezone.now() - datetime.timedelta(days=30 + i * 7)
        held = make_meeting(
            ouest,
            personas["chef"],
            start=start,
            end=start + datetime.timedelta(hours=2),
            allow_past=True,
        )
        item = add_item(held, personas["agent"], f"Point {i}", 10)
        item.observations.set(list(observations.values()))
        action = services.action_create(
            meeting=held,
            agenda_item=item,
            title=f"Action {i}",
            owner=personas["agent"],
            due_date=timezone.localdate() - datetime.timedelta(days=i),
            observation=observations["public"],
            priority=ouest.priorities.first(),
        )
        action.services.set(ouest.priorities.none() or [])
        meetings.append(held)
    upcoming = [make_meeting(ouest, personas["chef"], days=14 + 7 * i) for i in range(n)]
    for meeting in upcoming:
        for j in range(n):
            item = add_item(meeting, personas["agent"], f"Sujet {j}", 5)
            item.observations.set(list(observations.values()))
            add_item(meeting, personas["agent"], f"Proposition {j}", 5, accept=False)
    return upcoming


PAGES = {
    "index": lambda ouest, m: reverse("meetings:index"),
    "my_agenda": lambda ouest, m: reverse("meetings:my_agenda"),
    "calendar": lambda ouest, m: reverse("meetings:quartier_calendar", args=[ouest.slug]),
    "my_actions": lambda ouest, m: reverse("meetings:my_actions") + "?status=all",
    "board": lambda ouest, m: reverse("meetings:actions_board", args=[ouest.slug]) + "?status=all",
    "detail": lambda ouest, m: reverse("meetings:detail", args=[m[0].pk]),
    "agenda": lambda ouest, m: reverse("meetings:agenda", args=[m[0].pk]),
}


def _count(client, url, _unused=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("role", ["chef", "agent"])
def test_queries_do_not_grow_with_rows(
    page,
    role,
    as_role,
    personas,
    ouest,
    observations,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    client = as_role(role)
    upcoming = _populate(ouest, personas, observations, 1)
    url = PAGES[page](ouest, upcoming)
    one = _count(client, url, django_assert_max_num_queries)
    _populate(ouest, personas, observations, 4)
    with django_assert_num_queries(one):
        client.get(url)


# detail: one query counts the invitees not served by each letter (organisers only).
# detail: the shared documents panel (documents app) looks for the meeting's space, here none
# (its own counts with documents: tests/documents/test_query_counts.py).
PINNED = {"index": 12, "detail": 17, "agenda": 15, "board": 12}


@pytest.mark.parametrize("page", sorted(PINNED))
def test_pinned_counts_for_the_chef(
    page, as_role, personas, ouest, observations, django_assert_max_num_queries
):
    client = as_role("chef")
    upcoming = _populate(ouest, personas, observations, 3)
    assert _count(client, PAGES[page](ouest, upcoming), None) == PINNED[page]
