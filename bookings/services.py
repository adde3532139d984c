"""Writes for `bookings`: each atomic, each checked by `bookings.permissions` before it is called.

Two people booking the last free slot at the same instant get one booking and one refusal:
- on PostgreSQL, the exclusion constraint `booking_no_overlap` (bookings.db) refuses the second
  insert once the first commits, whatever the timing; its violation becomes the same French
  refusal as the overlap found by the query (two inserts at the very same instant may instead
  end in PostgreSQL's deadlock detection for one of them: it is tried once more, and then meets
  the other's booking);
- on SQLite, the transaction first takes the database's write lock (a no-op update of the
  resource row), so the overlap query and the insert of two bookings never interleave.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bookings import db, selectors
from bookings.models import Booking, Place, Resource
from foundation import generations, mail, outbox

#: Proposed slots lie within these local hours (nobody is offered a bike at 3 a.m.).
DAY_START, DAY_END = datetime.time(7, 0), datetime.time(20, 0)
PROPOSALS = 3
REMINDER_TASK = "bookings.tasks.send_reminder"
#: A vehicle booking's reminder leaves this long before it starts (beat looks every 15 min).
REMINDER_NOTICE = datetime.timedelta(hours=24)


def local_text(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{date_format(local.date(), 'l j F')} {local:%H:%M}"


def slot_text(start: datetime.datetime, end: datetime.datetime) -> str:
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    if local_start.date() == local_end.date():
        return _("%(day)s de %(start)s à %(end)s") % {
            "day": date_format(local_start.date(), "l j F"),
            "start": f"{local_start:%H:%M}",
            "end": f"{local_end:%H:%M}",
        }
    return _("du %(start)s au %(end)s") % {"start": local_text(start), "end": local_text(end)}


@dataclass(frozen=True)
class Slot:
    start: datetime.datetime
    end: datetime.datetime

    def __str__(self) -> str:
        return slot_text(self.start, self.end)


class BookingConflict(ValidationError):
    """The slot is taken: a French message, and the next free slots of the same length."""

    def __init__(self, resource: Resource, start: datetime.datetime, end: datetime.datetime):
        self.resource = resource
        self.proposals = next_free_slots(resource, start, end)
        message = _(
            "« %(resource)s » est déjà réservé sur ce créneau (%(slot)s) : choisissez un autre horaire."
        ) % {"resource": resource.name, "slot": slot_text(start, end)}
        if self.proposals:
            message += " " + _("Créneaux libres de même durée : %(slots)s.") % {
                "slots": " ; ".join(str(slot) for slot in self.proposals)
            }
        else:
            message += " " + _("Aucun créneau libre de même durée dans la période réservable.")
        super().__init__(message, code="conflict")


def _active_overlapping(resource: Resource, start, end, exclude_pk: int | None = None):
    bookings = Booking.objects.active().filter(resource=resource).overlapping(start, end)
    if exclude_pk:
        bookings = bookings.exclude(pk=exclude_pk)
    return bookings


def next_free_slots(
    resource: Resource,
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    count: int = PROPOSALS,
    exclude_pk: int | None = None,
) -> list[Slot]:
    """The next `count` free slots of the same length from `start` on, within day hours and the
    resource's booking horizon (one query)."""
    length = end - start
    horizon = timezone.now() + datetime.timedelta(days=resource.max_days_ahead + 1)
    taken = list(
        Booking.objects.active()
        .filter(resource=resource, end__gt=start, start__lt=horizon)
        .exclude(pk=exclude_pk or 0)
        .order_by("start")
        .values_list("start", "end")
    )
    slots: list[Slot] = []
    candidate = start
    while len(slots) < count and candidate + length <= horizon:
        local = timezone.localtime(candidate)
        day_start = timezone.make_aware(datetime.datetime.combine(local.date(), DAY_START))
        day_end = timezone.make_aware(datetime.datetime.combine(local.date(), DAY_END))
        if length <= day_end - day_start:
            if candidate < day_start:
                candidate = day_start
                continue
            if candidate + length > day_end:
                candidate = day_start + datetime.timedelta(days=1)
                continue
        clash = next(
            (
                b_end
                for b_start, b_end in taken
                if b_start < candidate + length and b_end > candidate
            ),
            None,
        )
        if clash is not None:
            candidate = clash
            continue
        slots.append(Slot(candidate, candidate + length))
        candidate = candidate + length
    return slots


def check_rules(
    resource: Resource,
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    now: datetime.datetime | None = None,
    for_meeting: bool = False,
) -> None:
    """The resource's rules, in French. A meeting's room booking follows the meeting's own
    rules (planned months ahead, as long as the meeting): only the state of the room counts."""
    now = now or timezone.now()
    if not resource.is_active:
        raise ValidationError(
            _("« %(r)s » n'est plus proposé à la réservation.") % {"r": resource.name}
        )
    if resource.out_of_service:
        raise ValidationError(
            _("« %(r)s » est hors service : %(reason)s")
            % {
                "r": resource.name,
                "reason": resource.out_of_service_reason or _("raison non précisée."),
            }
        )
    if end <= start:
        raise ValidationError({"end_time": _("La fin doit être après le début.")})
    if for_meeting:
        return
    if start < now - datetime.timedelta(minutes=5):
        raise ValidationError(
            {"date": _("Ce créneau est déjà passé : choisissez un horaire à venir.")}
        )
    if end - start > datetime.timedelta(minutes=resource.max_duration_minutes):
        hours, minutes = divmod(resource.max_duration_minutes, 60)
        longest = f"{hours} h {minutes:02d}" if minutes else f"{hours} h"
        raise ValidationError(
            {
                "end_time": _("« %(r)s » se réserve %(longest)s au plus d'affilée.")
                % {"r": resource.name, "longest": longest}
            }
        )
    if start > now + datetime.timedelta(days=resource.max_days_ahead):
        raise ValidationError(
            {
                "date": _("« %(r)s » se réserve au plus %(n)s jours à l'avance.")
                % {"r": resource.name, "n": resource.max_days_ahead}
            }
        )


def _serialize_writes(resource: Resource) -> None:
    """Where no exclusion constraint guards the table (SQLite), take the write lock now: the
    overlap query below then sees every booking committed before ours, and none can slip in."""
    if connection.vendor != "postgresql":
        Resource.objects.filter(pk=resource.pk).update(is_active=F("is_active"))


def _save_slot(
    resource: Resource, start, end, *, create: dict | None = None, booking: Booking | None = None
) -> Booking:
    try:
        return _try_save_slot(resource, start, end, create=create, booking=booking)
    except OperationalError as exc:
        if not db.is_deadlock(exc):
            raise
        # Two conflicting inserts at the same instant (see `bookings.db.is_deadlock`): once
        # more, which now meets the other booking (a refusal) or finds the slot free.
        return _try_save_slot(resource, start, end, create=create, booking=booking)


def _try_save_slot(
    resource: Resource, start, end, *, create: dict | None = None, booking: Booking | None = None
) -> Booking:
    try:
        with transaction.atomic():  # a savepoint inside a caller's transaction
            _serialize_writes(resource)
            if _active_overlapping(resource, start, end, booking.pk if booking else None).exists():
                raise BookingConflict(resource, start, end)
            if booking is None:
                booking = Booking.objects.create(
                    resource=resource, start=start, end=end, **(create or {})
                )
            else:
                booking.start, booking.end = start, end
                booking.save(update_fields=["start", "end"])
            return booking
    except IntegrityError as exc:
        if not db.is_overlap_violation(exc):
            raise
        raise BookingConflict(resource, start, end) from exc


def booking_create(
    *,
    resource: Resource,
    booker,
    start: datetime.datetime,
    end: datetime.datetime,
    purpose: str = "",
    for_meeting: bool = False,
    now: datetime.datetime | None = None,
) -> Booking:
    """Book `resource` for [start, end), or refuse in French (BookingConflict with proposals)."""
    check_rules(resource, start, end, now=now, for_meeting=for_meeting)
    return _save_slot(resource, start, end, create={"booker": booker, "purpose": purpose.strip()})


def booking_reschedule(
    *, booking: Booking, start: datetime.datetime, end: datetime.datetime, for_meeting: bool = False
) -> Booking:
    """Move a booking (a meeting moved): the same rules and the same refusal as a new one."""
    if (booking.start, booking.end) == (start, end):
        return booking
    check_rules(booking.resource, start, end, for_meeting=for_meeting)
    return _save_slot(booking.resource, start, end, booking=booking)


@transaction.atomic
def booking_cancel(*, booking: Booking, by) -> Booking:
    """Cancel (idempotent): the slot is free at once."""
    Booking.objects.filter(pk=booking.pk, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now(), cancelled_by=by
    )
    booking.refresh_from_db(fields=["cancelled_at", "cancelled_by"])
    generations.bump(*selectors.scopes_of_booking(booking))  # update() sends no signal
    return booking


# Places and resources ------------------------------------------------------------------------


@transaction.atomic
def place_save(*, place: Place | None = None, data: dict, quartiers) -> Place:
    place = place or Place()
    for name, value in data.items():
        setattr(place, name, value)
    if Place.objects.filter(slug=place.slug).exclude(pk=place.pk or 0).exists():
        raise ValidationError({"name": _("Un lieu porte déjà ce nom.")})
    place.save()
    place.quartiers.set(list(quartiers))
    return place


@transaction.atomic
def resource_save(*, place: Place, resource: Resource | None = None, data: dict) -> Resource:
    resource = resource or Resource(place=place)
    for name, value in data.items():
        setattr(resource, name, value)
    if resource.out_of_service and not resource.out_of_service_reason.strip():
        raise ValidationError(
            {"out_of_service_reason": _("Indiquez pourquoi l'équipement est hors service.")}
        )
    if not resource.out_of_service:
        resource.out_of_service_reason = ""
    if resource.audience == Resource.Audience.SERVICE and resource.audience_service_id is None:
        raise ValidationError({"audience_service": _("Choisissez le service autorisé à réserver.")})
    if (
        Resource.objects.filter(place=place, name__iexact=resource.name)
        .exclude(pk=resource.pk or 0)
        .exists()
    ):
        raise ValidationError({"name": _("Ce lieu a déjà un équipement de ce nom.")})
    resource.save()
    return resource


# Reminders -----------------------------------------------------------------------------------


def reminder_letter(booking_id: int) -> str:
    return f"bookings.reminder:{booking_id}"


def remind_vehicle_bookings(now: datetime.datetime | None = None) -> int:
    """Beat: each vehicle booking starting within `REMINDER_NOTICE` gets one reminder.

    The booking is claimed by a conditional update of `reminder_sent_at`, with its delivery row
    and its task recorded in the same transaction: a beat run twice (or two beats) finds it
    claimed and sends nothing more; the email itself goes through `foundation.mail`.
    """
    now = now or timezone.now()
    due = (
        Booking.objects.active()
        .filter(
            resource__kind=Resource.Kind.VEHICLE,
            start__gt=now,
            start__lte=now + REMINDER_NOTICE,
            reminder_sent_at__isnull=True,
            booker__is_active=True,
        )
        .values_list("pk", "booker__email")
    )
    asked = 0
    for pk, email in list(due[:500]):
        with transaction.atomic():
            claimed = Booking.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if not claimed:
                continue
            mail.plan(reminder_letter(pk), [email], REMINDER_TASK, pk)
            outbox.enqueue("bookings.tasks.send_reminder", pk)
            asked += 1
    return asked


def reminder_send(*, booking_id: int) -> int:
    """Send the reminder's row (claimed, sent, confirmed by `foundation.mail`)."""
    from django.core.mail import EmailMessage

    from bookings.selectors import absolute

    booking = (
        Booking.objects.select_related("resource", "resource__place", "booker")
        .filter(pk=booking_id)
        .first()
    )

    def compose(email: str) -> EmailMessage | None:
        if booking is None or booking.is_cancelled or booking.booker.email.lower() != email:
            return None
        resource = booking.resource
        lines = [
            _("Bonjour %(name)s,") % {"name": booking.booker.get_short_name()},
            "",
            _("Rappel : vous avez réservé « %(r)s » (%(place)s) %(slot)s.")
            % {
                "r": resource.name,
                "place": resource.place.name,
                "slot": slot_text(booking.start, booking.end),
            },
        ]
        if resource.notes:
            lines += ["", _("Informations pratiques : %(notes)s") % {"notes": resource.notes}]
        lines += [
            "",
            _(
                "Vous n'en avez plus besoin ? Annulez la réservation pour libérer le créneau : %(url)s"
            )
            % {"url": absolute(resource.get_absolute_url())},
        ]
        return EmailMessage(
            subject=_("Rappel de réservation : %(r)s, %(slot)s")
            % {"r": resource.name, "slot": slot_text(booking.start, booking.end)},
            body="\n".join(lines),
            to=[email],
        )

    return mail.send(reminder_letter(booking_id), compose)
