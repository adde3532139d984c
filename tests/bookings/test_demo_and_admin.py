"""The demo's MSP Marie-Thérèse Lenoir (loaded the way `loaddemo` loads it) and the admin."""

import datetime

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


@pytest.mark.parametrize("weekday", range(7))
def test_the_demo_weeks_view_has_bookings_whatever_the_day_it_is_loaded(db, client, weekday):
    """Loaded on any day, Monday to Sunday, the place's week (its page's default view) shows
    bookings: earlier this week when the days to come are next week's."""
    from bookings.selectors import week_start

    teams_demo.load()
    monday = week_start(timezone.localdate()) + datetime.timedelta(days=7)
    today = monday + datetime.timedelta(days=weekday)
    place = demo.load(today=today)
    this_week = Booking.objects.active().filter(
        resource__place=place,
        start__date__gte=monday,
        start__date__lt=monday + datetime.timedelta(days=7),
    )
    assert this_week.count() >= 3
    if weekday >= 5:  # the weekend: the days to come are next week's
        assert this_week.filter(start__date__lt=today).count() == 5
    # Loaded again the next day (no clash refused by the constraint), then again: nothing doubled.
    demo.load(today=today + datetime.timedelta(days=1))
    count = Booking.objects.count()
    demo.load(today=today + datetime.timedelta(days=1))
    assert Booking.objects.count() == count


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


@pytest.fixture
def demo_meetings(db, monkeypatch):
    """Teams, then the MSP, then the meetings: the order of `loaddemo`."""
    from meetings import demo as meetings_demo

    # PDFs of past meetings are rendered by the demo: replace the renderer to keep this fast.
    monkeypatch.setattr("meetings.documents.render_pdf", lambda template, context: b"%PDF-1.7 demo")
    teams_demo.load()
    demo.load()
    meetings_demo.load()


def test_the_demos_meetings_at_the_msp_book_its_room(demo_meetings, client):
    from meetings.models import Meeting
    from tests.teams.factories import login

    room = Resource.objects.get(kind=Resource.Kind.ROOM)
    at_msp = Meeting.objects.filter(quartier__slug="ouest").select_related("room_booking")
    assert at_msp.exists()
    assert all(m.place.startswith(room.place.name) for m in at_msp)
    booked = [m for m in at_msp if m.room_booking and not m.room_booking.is_cancelled]
    # Every one of them, unless a booking of the demo held the room then (days follow today).
    assert len(booked) >= at_msp.count() - 1
    for meeting in booked:
        assert meeting.room_booking.resource == room
        assert (meeting.room_booking.start, meeting.room_booking.end) == (
            meeting.start,
            meeting.end,
        )
    # Elsewhere (the working group meets at the médiathèque), nothing is booked.
    assert not Meeting.objects.filter(working_group__isnull=False, room_booking__isnull=False)
    # The room's week shows the next one to Claire, and its page names the room.
    upcoming = next(m for m in booked if m.start > timezone.now())
    login(client, upcoming.organiser)
    week = client.get(room.get_absolute_url(), {"date": timezone.localdate(upcoming.start)})
    assert upcoming.display_title in week.content.decode()
    page = client.get(upcoming.get_absolute_url()).content.decode()
    assert f'href="{room.get_absolute_url()}"' in page


def test_a_demo_meeting_whose_room_is_taken_is_held_without_it(db, personas, ouest):
    from meetings import demo as meetings_demo
    from tests.bookings.factories import book, make_place, make_resource
    from tests.meetings.factories import next_working_day

    room = make_resource(
        make_place(ouest), "Salle", kind=Resource.Kind.ROOM, max_duration_minutes=480
    )
    start = next_working_day(3)
    days = (timezone.localtime(start).date() - timezone.localdate()).days
    taken = book(room, personas["agent"], days=days, hour=timezone.localtime(start).hour)
    meeting, created = meetings_demo._meeting(
        kind="equipe",
        organiser=personas["chef"],
        quartier=ouest,
        place="MSP",
        start=start,
        end=start + datetime.timedelta(hours=2),
        room=room,
    )
    assert created and meeting.pk and meeting.room_booking is None
    assert list(Booking.objects.active()) == [taken]
