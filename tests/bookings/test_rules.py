"""The rules of a resource, the French refusal of a taken slot and the next free slots proposed."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Booking, Resource
from tests.bookings.factories import book, make_resource, slot


def test_a_taken_slot_is_refused_with_the_next_three_free_slots(personas, bike):
    book(bike, personas["chef"], hour=10, minutes=60)
    book(bike, personas["chef"], hour=12, minutes=30)
    start, end = slot(hour=10, minutes=60)
    start += datetime.timedelta(minutes=30)  # 10:30–11:30 overlaps 10:00–11:00
    with pytest.raises(services.BookingConflict) as refused:
        services.booking_create(
            resource=bike,
            booker=personas["agent"],
            start=start,
            end=end + datetime.timedelta(minutes=30),
        )
    message = refused.value.messages[0]
    assert (
        "est déjà réservé sur ce créneau" in message and "Créneaux libres de même durée" in message
    )
    local = [
        (timezone.localtime(s.start).strftime("%H:%M"), timezone.localtime(s.end).strftime("%H:%M"))
        for s in refused.value.proposals
    ]
    # 11:00–12:00 is free; 12:00–12:30 is taken, so 12:30–13:30, then 13:30–14:30.
    assert local == [("11:00", "12:00"), ("12:30", "13:30"), ("13:30", "14:30")]
    assert Booking.objects.filter(booker=personas["agent"]).count() == 0


def test_touching_slots_do_not_clash(personas, bike):
    book(bike, personas["chef"], hour=10, minutes=60)
    assert book(
        bike, personas["agent"], hour=11, minutes=60
    ).pk  # [11:00, 12:00) after [10:00, 11:00)


def test_a_cancelled_booking_frees_its_slot(personas, bike):
    first = book(bike, personas["chef"])
    services.booking_cancel(booking=first, by=personas["chef"])
    assert book(bike, personas["agent"]).pk


def test_proposals_stay_within_day_hours(personas, bike):
    book(bike, personas["chef"], hour=17, minutes=180)  # 17:00–20:00
    start, end = slot(hour=18, minutes=120)
    with pytest.raises(services.BookingConflict) as refused:
        services.booking_create(resource=bike, booker=personas["agent"], start=start, end=end)
    first = refused.value.proposals[0]
    assert timezone.localtime(first.start).time() == datetime.time(7, 0)
    assert timezone.localtime(first.start).date() == timezone.localtime(
        start
    ).date() + datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"max_duration_minutes": 60}, "au plus d'affilée"),
        ({"max_days_ahead": 1}, "jours à l'avance"),
        (
            {"out_of_service": True, "out_of_service_reason": "Pneu crevé"},
            "hors service : Pneu crevé",
        ),
        ({"is_active": False}, "n'est plus proposé"),
    ],
)
def test_rules_of_the_resource(personas, msp, change, expected):
    resource = make_resource(msp, "Vélo n° 2", audience=Resource.Audience.EVERYONE, **change)
    with pytest.raises(ValidationError) as refused:
        book(resource, personas["agent"], days=2, minutes=90)
    assert expected in " ".join(refused.value.messages)


def test_the_past_is_not_booked(personas, bike):
    with pytest.raises(ValidationError, match="déjà passé"):
        book(bike, personas["agent"], days=-1)


def test_who_may_book(personas, msp, services):
    team = make_resource(msp, "Salle", kind=Resource.Kind.ROOM)
    jeunesse = make_resource(
        msp,
        "Vélo jeunesse",
        audience=Resource.Audience.SERVICE,
        audience_service=services["jeunesse"],
    )
    everyone = make_resource(msp, "Vélo pour tous", audience=Resource.Audience.EVERYONE)
    from bookings.permissions import can_book

    expected = {
        # role: (team resource, service resource, everyone's)
        "agent": (True, True, True),  # Ouest member, service jeunesse
        "chef": (True, True, True),  # manages the place
        "outsider": (False, False, True),  # Sud, CCAS
        "responsable": (False, False, True),
        "elu": (False, False, True),
        "admin": (True, True, True),
    }
    for role, allowed in expected.items():
        assert tuple(can_book(personas[role], r) for r in (team, jeunesse, everyone)) == allowed, (
            role
        )


def test_booking_form_refuses_a_clash_and_proposes_slots(as_role, personas, bike):
    book(bike, personas["chef"], hour=10, minutes=60)
    start, _end = slot(hour=10)
    client = as_role("agent")
    url = reverse("bookings:book", args=[bike.pk])
    data = {
        "date": f"{start:%Y-%m-%d}",
        "start_time": "10:00",
        "end_time": "11:00",
        "purpose": "Tournée",
    }
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "est déjà réservé sur ce créneau" in body
    assert "Créneaux libres de même durée" in body
    assert 'value="11:00"' in body and 'value="Tournée"' in body  # a proposal, and what was typed
    # Taking the first proposal books it.
    response = client.post(url, {**data, "start_time": "11:00", "end_time": "12:00"})
    assert response.status_code == 302
    assert Booking.objects.filter(booker=personas["agent"], purpose="Tournée").count() == 1


def test_cancel_by_booker_or_manager_only(as_role, personas, bike, ouest):
    from tests.teams.factories import join, make_agent

    colleague = make_agent("collegue@test.example")
    join(colleague, ouest)
    booking = book(bike, colleague)
    url = reverse("bookings:cancel", args=[booking.pk])
    assert as_role("agent").post(url).status_code == 404  # another member of the team
    booking.refresh_from_db()
    assert booking.cancelled_at is None
    assert as_role("chef").post(url).status_code == 302  # the manager of the place
    booking.refresh_from_db()
    assert booking.cancelled_by == personas["chef"]


def test_out_of_service_needs_a_reason_and_shows_it(as_role, msp, bike):
    client = as_role("chef")
    url = reverse("bookings:resource_edit", args=[bike.pk])
    data = {
        "kind": "bike",
        "name": bike.name,
        "capacity": 1,
        "notes": "",
        "out_of_service": "on",
        "out_of_service_reason": "",
        "max_duration_minutes": 240,
        "max_days_ahead": 30,
        "audience": "everyone",
        "is_active": "on",
    }
    body = client.post(url, data).content.decode()
    assert "Indiquez pourquoi" in body
    assert client.post(url, {**data, "out_of_service_reason": "Chaîne cassée"}).status_code == 302
    page = client.get(reverse("bookings:resource", args=[bike.pk])).content.decode()
    assert "Hors service" in page and "Chaîne cassée" in page
