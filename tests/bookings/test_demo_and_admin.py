"""The demo's MSP Marie-Thérèse Lenoir (loaded the way `loaddemo` loads it) and the admin."""

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import demo
from bookings.models import Booking, Resource
from teams import demo as teams_demo


def test_demo_msp_with_room_vehicle_four_bikes_and_bookings_to_come(db):
    teams_demo.load()
    place = demo.load()
    counts = (Resource.objects.count(), Booking.objects.count())
    demo.load()
    assert (Resource.objects.count(), Booking.objects.count()) == counts  # idempotent
    assert place.name == "MSP Marie-Thérèse Lenoir"
    assert list(place.quartiers.values_list("slug", flat=True)) == ["ouest"]
    kinds = sorted(place.resources.values_list("kind", flat=True))
    assert kinds == ["bike"] * 4 + ["room", "vehicle"]
    broken = place.resources.get(out_of_service=True)
    assert broken.kind == "bike" and broken.out_of_service_reason
    upcoming = Booking.objects.active().filter(start__gte=timezone.now())
    assert upcoming.count() >= 5
    assert not upcoming.filter(resource=broken).exists()


def test_loaddemo_runs_the_bookings_demo_between_observations_and_meetings():
    from arras_quartiers.management.commands.loaddemo import DEMO_MODULES

    assert DEMO_MODULES.index("bookings.demo") < DEMO_MODULES.index("meetings.demo")
    # (The whole command, bookings' demo included, runs in tests/teams/test_foundation.py.)


@pytest.mark.parametrize("name", ["place", "resource", "booking"])
def test_admin_changelists(name, as_role, msp, bike, personas):
    from tests.bookings.factories import book

    book(bike, personas["agent"])
    response = as_role("admin").get(reverse(f"admin:bookings_{name}_changelist"))
    assert response.status_code == 200
