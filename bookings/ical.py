"""Bookings as iCalendar events, for the personal calendar feed (`meetings:feed`)."""

from __future__ import annotations

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Booking
from bookings.selectors import absolute


def booking_uid(booking: Booking) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/")[0].split(":")[0] or "localhost"
    return f"reservation-{booking.pk}@{host}"


def booking_event(booking: Booking) -> icalendar.Event:
    """The booking in the city's zone (the feed carries its VTIMEZONE, foundation.ical)."""
    resource = booking.resource
    event = icalendar.Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(booking.start))
    event.add("dtend", timezone.localtime(booking.end))
    event.add("summary", _("Réservation : %(r)s") % {"r": resource.name})
    event.add("location", resource.place.address or resource.place.name)
    url = absolute(resource.get_absolute_url())
    event.add("url", url)
    description = _("Page de l'équipement : %(url)s") % {"url": url}
    if booking.purpose:
        description = f"{booking.purpose}\n{description}"
    event.add("description", description)
    event.add("status", "CANCELLED" if booking.is_cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event
