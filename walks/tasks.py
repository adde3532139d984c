"""Celery tasks of `walks`: ids in, a service call inside. Retried only on transient errors."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from walks import services

TRANSIENT = (OperationalError, SMTPException, ConnectionError, TimeoutError)


@shared_task(
    bind=True,
    name="walks.tasks.render_report",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def render_report(self, report_id: int) -> int:
    return services.report_render(report_id)


@shared_task(
    bind=True,
    name="walks.tasks.send_letter",
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def send_letter(self, walk_id: int, kind: str, sequence: int) -> int:
    return services.send_letter(walk_id, kind, sequence)
