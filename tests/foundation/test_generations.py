"""Page parts cached until a write (foundation.generations): each one is read again by the person
after every kind of change it shows, through the services the pages call, and is served from
the cache (fewer queries) while nothing changed."""

from __future__ import annotations

import datetime

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings import services as booking_services
from meetings import services as meeting_services
from teams import services as team_services
from teams.models import Membership
from tests.bookings.factories import book, make_place, make_resource
from tests.meetings.factories import make_meeting
from tests.observations.factories import make_observation

pytestmark = pytest.mark.django_db


def queries_of(client, url) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content


# The quartier home ---------------------------------------------------------------------------


def test_the_quartier_home_shows_a_new_observation_meeting_and_walk_at_once(
    as_role, personas, ouest
):
    chef = as_role("chef")
    url = reverse("teams:quartier_detail", args=[ouest.slug])
    first, _ = queries_of(chef, url)
    again, _ = queries_of(chef, url)
    assert again < first  # the panels come from the cache
    make_observation(ouest, personas["agent"], title="Banc cassé square Verlaine")
    assert "Banc cassé square Verlaine" in chef.get(url).content.decode()
    make_meeting(ouest, personas["chef"], title="Équipe de printemps")
    assert "Équipe de printemps" in chef.get(url).content.decode()


def test_a_person_who_leaves_the_team_no_longer_gets_its_cached_panels(as_role, personas, ouest):
    agent = as_role("agent")
    make_observation(ouest, personas["chef"], title="Tags rue Baudimont")
    url = reverse("teams:quartier_detail", args=[ouest.slug])
    assert "Tags rue Baudimont" in agent.get(url).content.decode()
    membership = Membership.objects.get(agent=personas["agent"], quartier=ouest)
    team_services.membership_end(
        membership=membership, end_date=datetime.date.today() - datetime.timedelta(days=1)
    )
    response = agent.get(url)
    assert response.status_code == 404 or "Tags rue Baudimont" not in response.content.decode()


# The calendar feed ---------------------------------------------------------------------------


def feed_events(client, token) -> dict[str, icalendar.Event]:
    content = client.get(reverse("meetings:feed", args=[token])).content
    return {
        str(event["UID"]).split("@")[0]: event
        for event in icalendar.Calendar.from_ical(content).walk("VEVENT")
    }


def test_the_feed_follows_moves_invitations_cancellations_and_bookings(client, personas, ouest):
    agent = personas["agent"]
    token = meeting_services.feed_token_renew(agent=agent).token
    meeting = make_meeting(ouest, personas["chef"])
    first, _ = queries_of(client, reverse("meetings:feed", args=[token]))
    again, _ = queries_of(client, reverse("meetings:feed", args=[token]))
    assert again < first
    assert f"reunion-{meeting.pk}" in feed_events(client, token)

    moved = meeting.start + datetime.timedelta(days=1)
    meeting_services.meeting_update(
        meeting=meeting, data={"start": moved, "end": moved + datetime.timedelta(hours=2)}
    )
    assert feed_events(client, token)[f"reunion-{meeting.pk}"].decoded("DTSTART") == moved

    meeting_services.meeting_cancel(meeting=meeting)
    assert str(feed_events(client, token)[f"reunion-{meeting.pk}"]["STATUS"]) == "CANCELLED"

    group_meeting = make_meeting(ouest, personas["chef"], days=20, invite_defaults=False)
    assert f"reunion-{group_meeting.pk}" not in feed_events(client, token)
    meeting_services.invitations_add(meeting=group_meeting, agents=[agent])  # bulk, no signal
    assert f"reunion-{group_meeting.pk}" in feed_events(client, token)

    bike = make_resource(make_place(ouest))
    booking = book(bike, agent)
    assert f"reservation-{booking.pk}" in feed_events(client, token)
    booking_services.booking_cancel(booking=booking, by=agent)  # an UPDATE, no signal
    assert f"reservation-{booking.pk}" not in feed_events(client, token)


# A place's week of bookings --------------------------------------------------------------------


def test_the_place_week_follows_bookings_cancellations_and_equipment(as_role, personas, ouest):
    place = make_place(ouest)
    bike = make_resource(place, "Vélo n° 1")
    agent = as_role("agent")
    booking = book(bike, personas["chef"], purpose="Tournée des halls")
    week = timezone.localtime(booking.start).date()
    url = reverse("bookings:place", args=[place.slug]) + f"?date={week:%Y-%m-%d}"
    first, page = queries_of(agent, url)
    assert "Tournée des halls" in page.decode()
    again, _ = queries_of(agent, url)
    assert again < first

    other = book(bike, personas["agent"], days=2, hour=14, purpose="Visite du city-stade")
    assert "Visite du city-stade" in agent.get(url).content.decode()

    response = as_role("chef").post(reverse("bookings:cancel", args=[booking.pk]))
    assert response.status_code in (200, 302)
    assert "Tournée des halls" not in agent.get(url).content.decode()

    bike.name = "Vélo à assistance n° 1"
    bike.save()
    page = agent.get(url).content.decode()
    assert "Vélo à assistance n° 1" in page and other.purpose in page
