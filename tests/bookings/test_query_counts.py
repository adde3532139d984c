"""The week and day views: the number of queries does not grow with bookings or resources."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, Resource
from tests.bookings.factories import make_resource


def _populate(place, agents, n: int, offset: int = 0):
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    for i in range(n):
        resource = make_resource(place, f"Vélo {offset + i}", audience=Resource.Audience.EVERYONE)
        for day in range(7):
            start = timezone.make_aware(
                datetime.datetime.combine(
                    monday + datetime.timedelta(days=day), datetime.time(8 + i % 8, 0)
                )
            )
            Booking.objects.create(
                resource=resource,
                booker=agents[(i + day) % len(agents)],
                start=start,
                end=start + datetime.timedelta(minutes=90),
                purpose=f"Tournée {i}",
            )
    return resource


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


PAGES = {
    "place_week": lambda place, resource: reverse("bookings:place", args=[place.slug]),
    "place_day": lambda place, resource: reverse("bookings:place", args=[place.slug]) + "?vue=jour",
    "resource_week": lambda place, resource: reverse("bookings:resource", args=[resource.pk]),
    "index": lambda place, resource: reverse("bookings:index"),
}
# session (read, then saved: 3), user, roles (memberships, services: 2), the place and its
# quartiers, its resources, the bookings of the period with their bookers; the resource page
# reads the resource with its place, the place's quartiers and its bookings.
PINNED = {"place_week": 11, "place_day": 11, "resource_week": 10, "index": 11}


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("role", ["chef", "agent"])
def test_queries_do_not_grow_with_bookings(page, role, as_role, personas, msp):
    client = as_role(role)
    agents = [personas["agent"], personas["chef"]]
    resource = _populate(msp, agents, 1)
    one = _count(client, PAGES[page](msp, resource))
    _populate(msp, agents, 6, offset=10)
    assert _count(client, PAGES[page](msp, resource)) == one


@pytest.mark.parametrize("page", sorted(PINNED))
def test_pinned_counts(page, as_role, personas, msp):
    client = as_role("agent")
    resource = _populate(msp, [personas["agent"], personas["chef"]], 4)
    assert _count(client, PAGES[page](msp, resource)) == PINNED[page]
