"""Celery tasks of `foundation`: the sweep of letters left unserved (Celery beat)."""

from celery import shared_task
from django.db import OperationalError

from foundation import mail


@shared_task(
    name="foundation.tasks.sweep_mail_deliveries",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def sweep_mail_deliveries() -> int:
    return mail.sweep()
