"""Factories of `bookings` objects: places, resources and bookings (through the services)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from bookings import services
from bookings.models import Booking, Place, Resource


def make_place(*quartiers, name: str = "MSP Marie-Thérèse Lenoir", slug: str = "msp") -> Place:
    place = Place.objects.create(name=name, slug=slug, address="rue de la MSP")
    place.quartiers.set(quartiers)
    return place


def make_resource(place: Place, name: str = "Vélo n° 1", **fields) -> Resource:
    fields.setdefault("kind", Resource.Kind.BIKE)
    return Resource.objects.create(place=place, name=name, **fields)


def slot(
    days: int = 2, hour: int = 10, minutes: int = 60
) -> tuple[datetime.datetime, datetime.datetime]:
    """A slot `days` from today at `hour` (Paris time)."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))
    return start, start + datetime.timedelta(minutes=minutes)


def book(
    resource: Resource, agent, *, days: int = 2, hour: int = 10, minutes: int = 60, **kw
) -> Booking:
    start, end = slot(days, hour, minutes)
    return services.booking_create(resource=resource, booker=agent, start=start, end=end, **kw)
