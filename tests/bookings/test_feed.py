"""Bookings in the personal calendar feed (`meetings:feed`), read by ical.js (Thunderbird's
parser, via tests/tools/ical_instants.cjs) and by icalendar: the same instants as the database."""

import icalendar
from django.urls import reverse

from bookings import services as booking_services
from meetings import services
from tests.bookings.factories import book
from tests.meetings.factories import make_meeting
from tests.meetings.test_calendar_readers import pytestmark as needs_node
from tests.meetings.test_calendar_readers import thunderbird_reads

pytestmark = needs_node


def test_my_bookings_are_in_my_feed_with_the_same_instants_in_thunderbird(
    client, personas, ouest, bike, vehicle, room, tmp_path
):
    mine = [
        book(bike, personas["agent"], days=3, hour=10, minutes=90, purpose="Tournée"),
        # A summer date and a winter date: the VTIMEZONE's rules are read right by ical.js.
        book(vehicle, personas["agent"], days=1, hour=8, minutes=480),
    ]
    cancelled = book(bike, personas["agent"], days=4, hour=14)
    booking_services.booking_cancel(booking=cancelled, by=personas["agent"])
    others = book(bike, personas["chef"], days=5)
    meeting = make_meeting(
        ouest, personas["chef"], room=room
    )  # the agent is invited; the room is the chef's
    token = services.feed_token_renew(agent=personas["agent"])
    content = client.get(reverse("meetings:feed", args=[token.token])).content
    read = thunderbird_reads(content, tmp_path)
    uids = {uid.split("@")[0]: instants for uid, instants in read.items()}
    assert {f"reservation-{b.pk}" for b in mine} | {f"reunion-{meeting.pk}"} == set(uids)
    for booking in mine:
        assert uids[f"reservation-{booking.pk}"] == (booking.start, booking.end)
    assert f"reservation-{cancelled.pk}" not in uids and f"reservation-{others.pk}" not in uids
    event = next(
        e
        for e in icalendar.Calendar.from_ical(content).walk("VEVENT")
        if str(e["UID"]).startswith(f"reservation-{mine[0].pk}@")
    )
    assert str(event["SUMMARY"]) == "Réservation : Vélo n° 1"
    assert event.decoded("DTSTART") == mine[0].start
    assert str(event["URL"]).endswith(reverse("bookings:resource", args=[bike.pk]))


def test_the_room_of_a_meeting_appears_once_as_the_meeting(client, personas, ouest, room):
    meeting = make_meeting(ouest, personas["chef"], room=room)
    token = services.feed_token_renew(agent=personas["chef"])
    content = client.get(reverse("meetings:feed", args=[token.token])).content
    events = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert [str(e["UID"]).split("@")[0] for e in events] == [f"reunion-{meeting.pk}"]
