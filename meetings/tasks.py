"""Celery tasks of `meetings`: ids in, a service call inside. Retried only on transient errors."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from meetings import reminders, services

TRANSIENT = (OperationalError, SMTPException, ConnectionError, TimeoutError)


@shared_task(
    bind=True,
    name="meetings.tasks.render_agenda",
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def render_agenda(self, document_id: int) -> int:
    return services.agenda_deliver(document_id=document_id)


@shared_task(
    bind=True,
    name="meetings.tasks.render_minutes",
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def render_minutes(self, document_id: int) -> int:
    return services.minutes_deliver(document_id=document_id)


@shared_task(
    name="meetings.tasks.remind_proposals",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def remind_proposals() -> int:
    return reminders.remind_proposals()


@shared_task(
    name="meetings.tasks.remind_meetings",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def remind_meetings() -> int:
    return reminders.remind_meetings()


@shared_task(
    name="meetings.tasks.remind_overdue_actions",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def remind_overdue_actions() -> int:
    return reminders.remind_overdue_actions()
