"""Celery tasks of `meetings`: ids in, a service call inside. Retried only on transient errors."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from meetings import reminders, services
from meetings.models import AgendaDocument, MinutesDocument

TRANSIENT = (OperationalError, SMTPException, ConnectionError, TimeoutError)


def email_task(name: str):
    """A task that emails invitees: retried with backoff on a mail server or database failure."""
    return shared_task(
        bind=True,
        name=name,
        autoretry_for=TRANSIENT,
        retry_backoff=True,
        max_retries=5,
        ignore_result=True,
    )


def render_task(name: str):
    """A task that renders a PDF (queue `documents`): retried on a database failure only."""
    return shared_task(
        bind=True,
        name=name,
        autoretry_for=(OperationalError,),
        retry_backoff=True,
        max_retries=5,
        ignore_result=True,
    )


@render_task("meetings.tasks.render_agenda")
def render_agenda(self, document_id: int) -> bool:
    return services.document_render(model=AgendaDocument, document_id=document_id)


@render_task("meetings.tasks.render_minutes")
def render_minutes(self, document_id: int) -> bool:
    return services.document_render(model=MinutesDocument, document_id=document_id)


@email_task("meetings.tasks.send_agenda")
def send_agenda(self, document_id: int) -> int:
    return services.document_send(model=AgendaDocument, document_id=document_id)


@email_task("meetings.tasks.send_minutes")
def send_minutes(self, document_id: int) -> int:
    return services.document_send(model=MinutesDocument, document_id=document_id)


@email_task("meetings.tasks.send_cancellation")
def send_cancellation(self, meeting_id: int) -> int:
    return services.cancellation_deliver(meeting_id=meeting_id)


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
