"""A reminder email before a vehicle booking: one per booking even if the beat runs twice, sent
through the app's mail path (`foundation.mail`: a delivery row claimed, sent, confirmed)."""

import datetime

from bookings import services
from foundation.models import MailDelivery
from tests.bookings.factories import book


def test_one_reminder_per_vehicle_booking_even_if_the_beat_runs_twice(
    personas, vehicle, bike, mailoutbox, django_capture_on_commit_callbacks
):
    tomorrow = book(vehicle, personas["agent"], days=1, hour=9, minutes=120)
    later = book(vehicle, personas["agent"], days=5, hour=9)  # too far yet
    book(bike, personas["agent"], days=1, hour=9)  # bikes get no reminder
    now = tomorrow.start - datetime.timedelta(hours=20)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_vehicle_bookings(now=now) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_vehicle_bookings(now=now) == 0  # the beat again
        assert services.remind_vehicle_bookings(now=now + datetime.timedelta(minutes=15)) == 0
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [personas["agent"].email]
    assert "Rappel de réservation : Véhicule électrique" in message.subject
    assert "Annulez la réservation" in message.body
    row = MailDelivery.objects.get(letter=f"bookings.reminder:{tomorrow.pk}")
    assert row.state == MailDelivery.State.SENT
    later.refresh_from_db()
    assert later.reminder_sent_at is None


def test_the_task_redelivered_sends_nothing_twice(
    personas, vehicle, mailoutbox, django_capture_on_commit_callbacks
):
    booking = book(vehicle, personas["agent"], days=1, hour=9)
    with django_capture_on_commit_callbacks(execute=True):
        services.remind_vehicle_bookings(now=booking.start - datetime.timedelta(hours=2))
    assert services.reminder_send(booking_id=booking.pk) == 0  # a redelivered message
    assert len(mailoutbox) == 1


def test_a_cancelled_booking_gets_no_reminder(
    personas, vehicle, mailoutbox, django_capture_on_commit_callbacks
):
    booking = book(vehicle, personas["agent"], days=1, hour=9)
    services.booking_cancel(booking=booking, by=personas["agent"])
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.remind_vehicle_bookings(now=booking.start - datetime.timedelta(hours=2)) == 0
        )
    assert mailoutbox == []
