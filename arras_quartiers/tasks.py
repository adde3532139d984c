"""Celery tasks of the shell: ids in, a service call inside, asked for through
`foundation.outbox.enqueue`."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from arras_quartiers import sso


@shared_task(
    bind=True,
    name="arras_quartiers.tasks.notify_pending_sign_in",
    autoretry_for=(OSError, OperationalError),
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def notify_pending_sign_in(self, pending_pk: int) -> None:
    sso.pending_sign_in_notify(pending_pk)
