"""Reads for `bookings`, scoped by `bookings.permissions`, with what the templates walk prefetched."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from bookings import permissions
from bookings.models import Booking, Place, Resource
from teams.models import Quartier


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def place_for(user, slug: str) -> Place:
    return get_object_or_404(
        permissions.places_visible_to(user).prefetch_related("quartiers"), slug=slug
    )


def resource_for(user, pk: int) -> Resource:
    return get_object_or_404(
        permissions.resources_visible_to(user)
        .select_related("place", "audience_service")
        .prefetch_related("place__quartiers"),
        pk=pk,
    )


def booking_for(user, pk: int) -> Booking:
    return get_object_or_404(
        permissions.bookings_visible_to(user).select_related(
            "resource__place", "booker", "meeting"
        ),
        pk=pk,
    )


def places_for(user) -> list[Place]:
    """The places a person reads, each with its resources (two queries)."""
    return list(
        permissions.places_visible_to(user)
        .prefetch_related(
            Prefetch(
                "resources",
                queryset=Resource.objects.filter(is_active=True).order_by("kind", "name"),
            ),
            "quartiers",
        )
        .order_by("name")
    )


def upcoming_bookings_of(user, *, limit: int = 20) -> list[Booking]:
    return list(
        Booking.objects.active()
        .filter(booker=user, end__gt=timezone.now())
        .select_related("resource__place", "meeting")
        .order_by("start")[:limit]
    )


# Week and day views --------------------------------------------------------------------------


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )
    return start, end


@dataclass
class Day:
    date: datetime.date
    bookings: list[Booking] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.date == timezone.localdate()


def _days(first: datetime.date, count: int) -> list[Day]:
    return [Day(first + datetime.timedelta(days=n)) for n in range(count)]


def _spread(days: list[Day], bookings) -> list[Day]:
    """Each booking under every day it touches (a vehicle kept overnight shows on both)."""
    for booking in bookings:
        first = timezone.localtime(booking.start).date()
        last = timezone.localtime(booking.end - datetime.timedelta(microseconds=1)).date()
        for day in days:
            if first <= day.date <= last:
                day.bookings.append(booking)
    return days


def _bookings_between(resources_filter: dict, first: datetime.date, count: int):
    start = day_bounds(first)[0]
    end = day_bounds(first + datetime.timedelta(days=count - 1))[1]
    return (
        Booking.objects.active()
        .filter(**resources_filter)
        .overlapping(start, end)
        .select_related("booker", "resource", "meeting")
        .order_by("start", "resource__name", "pk")
    )


def place_days(place: Place, first: datetime.date, count: int) -> list[Day]:
    """Every active booking of the place's resources over `count` days, day by day (one query)."""
    return _spread(
        _days(first, count),
        _bookings_between({"resource__place": place, "resource__is_active": True}, first, count),
    )


def resource_days(resource: Resource, first: datetime.date, count: int) -> list[Day]:
    return _spread(_days(first, count), _bookings_between({"resource": resource}, first, count))


def place_resources(place: Place) -> list[Resource]:
    return list(place.resources.filter(is_active=True).order_by("kind", "name"))


# For meetings --------------------------------------------------------------------------------


def rooms_for_meetings(user, *, also: int | None = None) -> QuerySet[Resource]:
    """Rooms a person may book for a meeting: those of the places it manages (and `also`, the
    room a meeting already has)."""
    managed = Q(place__in=permissions.places_managed_by(user).values("pk"))
    return (
        Resource.objects.filter(managed | Q(pk=also or 0), kind=Resource.Kind.ROOM, is_active=True)
        .select_related("place")
        .order_by("place__name", "name")
    )


def meeting_room(user, meeting) -> tuple[Resource | None, bool]:
    """The room booked for a meeting (None when none is, or its booking was cancelled) and
    whether the user reads its place (the meeting's readers do not all: a link would be a 404)."""
    booking = meeting.room_booking
    if booking is None or booking.is_cancelled:
        return None, False
    room = booking.resource
    return room, permissions.places_visible_to(user).filter(pk=room.place_id).exists()


def default_room(quartier: Quartier | None) -> Resource | None:
    """The room of the quartier's place (its MSP) where its meetings are held, if there is one."""
    if quartier is None:
        return None
    return (
        Resource.objects.filter(
            kind=Resource.Kind.ROOM,
            is_active=True,
            out_of_service=False,
            place__quartiers=quartier,
        )
        .select_related("place")
        .order_by("place__name", "name")
        .first()
    )


def room_bookings(
    room: Resource, start: datetime.datetime, end: datetime.datetime
) -> list[Booking]:
    return list(
        Booking.objects.active()
        .filter(resource=room)
        .overlapping(start, end)
        .select_related("booker")
        .order_by("start")
    )


def feed_bookings(agent, *, since: datetime.datetime) -> QuerySet[Booking]:
    """The person's own bookings for the personal calendar feed."""
    return (
        Booking.objects.active()
        .filter(booker=agent, end__gte=since)
        .select_related("resource__place")
        .order_by("start")
    )


def scopes_of_booking(booking: Booking) -> list[str]:
    """What a change of a booking invalidates (foundation.generations): its place's days and its
    booker's calendar feed."""
    place_id = Resource.objects.filter(pk=booking.resource_id).values_list("place_id", flat=True)
    return [f"place:{pk}" for pk in place_id] + [f"agent:{booking.booker_id}"]
