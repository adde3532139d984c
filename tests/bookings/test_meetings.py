"""A meeting held at the MSP books its room when created or moved and frees it when cancelled; a
room already booked is reported while planning the year's meetings."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking
from meetings import planning, services
from meetings.models import Meeting
from tests.bookings.factories import book
from tests.meetings.factories import make_meeting, next_working_day
from tests.teams.factories import ROLES


def test_creating_moving_and_cancelling_a_meeting_books_moves_and_frees_its_room(
    personas, ouest, room
):
    meeting = make_meeting(ouest, personas["chef"], room=room)
    booking = meeting.room_booking
    assert booking is not None and booking.resource == room
    assert (booking.start, booking.end, booking.booker) == (
        meeting.start,
        meeting.end,
        personas["chef"],
    )
    later = meeting.start + datetime.timedelta(days=1)
    services.meeting_update(
        meeting=meeting, data={"start": later, "end": later + datetime.timedelta(hours=2)}
    )
    booking.refresh_from_db()
    assert (booking.start, booking.end) == (later, later + datetime.timedelta(hours=2))
    assert Booking.objects.active().filter(resource=room).count() == 1
    services.meeting_cancel(meeting=meeting)
    booking.refresh_from_db()
    assert booking.is_cancelled
    assert not Booking.objects.active().filter(resource=room).exists()


@pytest.mark.parametrize("role", ROLES)
def test_the_meeting_page_names_its_room_and_links_it_only_for_who_reads_it(
    role, as_role, personas, ouest, room
):
    meeting = make_meeting(ouest, personas["chef"], room=room)
    # The agent of Sud, invited, reads the meeting but not the MSP of Ouest.
    services.invitations_add(meeting=meeting, agents=[personas["outsider"]])
    client = as_role(role)
    response = client.get(meeting.get_absolute_url())
    if response.status_code == 404:
        return
    page = response.content.decode()
    assert "Salle réservée :" in page and "Salle de réunion" in page
    reads_room = client.get(room.get_absolute_url()).status_code == 200
    assert (f'href="{room.get_absolute_url()}"' in page) is reads_room
    if role == "outsider":
        assert not reads_room  # the case the unlinked name is for
    services.meeting_cancel(meeting=meeting)
    assert "Salle réservée :" not in client.get(meeting.get_absolute_url()).content.decode()


@pytest.mark.parametrize("role", ["chef", "admin"])
def test_a_meetings_room_is_freed_through_the_meeting_not_from_the_bookings_pages(
    role, as_role, personas, ouest, room
):
    meeting = make_meeting(ouest, personas["chef"], room=room)
    booking = meeting.room_booking
    client = as_role(role)
    cancel_url = reverse("bookings:cancel", args=[booking.pk])
    day = timezone.localtime(meeting.start).date()
    week = client.get(room.get_absolute_url(), {"date": day}).content.decode()
    assert cancel_url not in week
    assert f'href="{meeting.get_absolute_url()}"' in week and "Voir la réunion" in week
    if role == "chef":  # the organiser booked it: among « mes réservations »
        mine = client.get(reverse("bookings:index")).content.decode()
        assert cancel_url not in mine and f'href="{meeting.get_absolute_url()}"' in mine
    # A stale button, or a hand-made request: refused in French, the room still held.
    response = client.post(cancel_url, follow=True)
    assert "elle se libère quand la réunion est déplacée" in response.content.decode()
    booking.refresh_from_db()
    meeting.refresh_from_db()
    assert not booking.is_cancelled and meeting.room_booking == booking
    # An ordinary booking of the same room is still cancelled from the week.
    other = book(room, personas["chef"], days=(day - timezone.localdate()).days, hour=15)
    client.post(reverse("bookings:cancel", args=[other.pk]))
    other.refresh_from_db()
    assert other.is_cancelled


def test_a_room_already_booked_refuses_the_meeting_with_free_slots(personas, ouest, room):
    start = next_working_day(14)
    book(
        room,
        personas["agent"],
        days=(timezone.localtime(start).date() - timezone.localdate()).days,
        hour=9,
        minutes=180,
    )
    with pytest.raises(ValidationError) as refused:
        make_meeting(ouest, personas["chef"], start=start, room=room)
    assert "room" in refused.value.message_dict
    assert "déjà réservé" in refused.value.message_dict["room"][0]
    assert "Créneaux libres" in refused.value.message_dict["room"][0]
    assert not Meeting.objects.exists()  # all or nothing


def test_moving_onto_a_booked_slot_keeps_the_meeting_where_it_was(personas, ouest, room):
    meeting = make_meeting(ouest, personas["chef"], room=room)
    other_day = meeting.start + datetime.timedelta(days=1)
    days = (timezone.localtime(other_day).date() - timezone.localdate()).days
    book(room, personas["agent"], days=days, hour=9, minutes=180)
    with pytest.raises(ValidationError):
        services.meeting_update(
            meeting=meeting,
            data={"start": other_day, "end": other_day + datetime.timedelta(hours=2)},
        )
    meeting.refresh_from_db()
    assert meeting.room_booking.start == meeting.start != other_day


def test_the_meeting_form_offers_the_msp_room_and_books_it(as_role, personas, ouest, room):
    client = as_role("chef")
    page = client.get(reverse("meetings:create") + "?quartier=ouest").content.decode()
    assert "Salle à réserver" in page and "Salle de réunion" in page
    start = timezone.localtime(next_working_day(10))
    response = client.post(
        reverse("meetings:create"),
        {
            "kind": "equipe",
            "title": "",
            "quartier": ouest.pk,
            "place": "MSP",
            "room": room.pk,
            "date": f"{start:%Y-%m-%d}",
            "start_time": "09:30",
            "end_time": "11:30",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = Meeting.objects.get()
    assert meeting.room_booking.resource == room
    # The same slot again: refused at the room field, in French, the form kept.
    response = client.post(
        reverse("meetings:create"),
        {
            "kind": "equipe",
            "title": "Deuxième",
            "quartier": ouest.pk,
            "place": "MSP",
            "room": room.pk,
            "date": f"{start:%Y-%m-%d}",
            "start_time": "10:00",
            "end_time": "11:00",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "est déjà réservé sur ce créneau" in body
    assert 'value="Deuxième"' in body


def test_planning_the_year_reports_the_booked_room(personas, ouest, room):
    day = next_working_day(20)
    days = (timezone.localtime(day).date() - timezone.localdate()).days
    booking = book(
        room, personas["agent"], days=days, hour=9, minutes=240, purpose="Permanence CAF"
    )
    start, end = day, day + datetime.timedelta(hours=2)
    year = timezone.localtime(start).year
    busy = planning.room_busy_slots(room=room, year=year)
    problems = planning.slot_problems(start, end, planning.BusySlots(), room=busy)
    assert any(
        "La salle est déjà réservée à ce moment" in p and "Permanence CAF" in p for p in problems
    )
    # Confirming such a row is refused, by row, like a holiday or a clash.
    with pytest.raises(ValidationError) as refused:
        services.year_plan_confirm(
            quartier=ouest,
            organiser=personas["chef"],
            rows=[services.PlannedRow(kind="equipe", start=start, end=end, place="MSP")],
        )
    assert "La salle est déjà réservée" in " ".join(refused.value.message_dict["0"])
    # A free row books the room.
    free = start + datetime.timedelta(days=1)
    while free.weekday() >= 5:
        free += datetime.timedelta(days=1)
    created = services.year_plan_confirm(
        quartier=ouest,
        organiser=personas["chef"],
        rows=[
            services.PlannedRow(
                kind="equipe", start=free, end=free + datetime.timedelta(hours=2), place="MSP"
            )
        ],
    )
    assert created[0].room_booking.resource == room
    assert booking.pk != created[0].room_booking.pk


def test_the_proposals_of_the_year_avoid_the_booked_room(personas, ouest, room):
    from meetings.selectors import year_proposals

    year = timezone.localdate().year + 1
    proposals = year_proposals(quartier=ouest, year=year)
    first = next(p for p in proposals if p.date)
    days = (first.date - timezone.localdate()).days
    room.max_days_ahead = 800
    room.save()
    book(room, personas["agent"], days=days, hour=8, minutes=240)
    again = next(p for p in year_proposals(quartier=ouest, year=year) if p.label == first.label)
    assert again.date != first.date and "ne convenait pas" in again.note
