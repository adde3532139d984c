"""Celery tasks of `bookings`: ids in, a service call inside. Retried only on transient errors."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from bookings import services

TRANSIENT = (OperationalError, SMTPException, ConnectionError, TimeoutError)


@shared_task(
    name="bookings.tasks.remind_vehicle_bookings",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def remind_vehicle_bookings() -> int:
    """Beat (every 15 minutes): one reminder per vehicle booking starting within a day."""
    return services.remind_vehicle_bookings()


@shared_task(
    bind=True,
    name="bookings.tasks.send_reminder",
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def send_reminder(self, booking_id: int) -> int:
    return services.reminder_send(booking_id=booking_id)
