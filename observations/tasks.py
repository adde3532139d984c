"""Celery tasks: ids in, a service call inside. Retried only on transient errors.

Each is asked for by its name through `foundation.outbox.enqueue` (or by beat), never imported
by the services.
"""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.db import OperationalError

from foundation.jobs import render_then_mail
from observations import selectors, services
from observations.models import EscalationDigest

TRANSIENT = (OperationalError, smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(
    bind=True,
    name="observations.tasks.send_notifications",
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
)
def send_notifications(self, notification_ids: list[int]) -> int:
    return services.notifications_send(notification_ids)


@shared_task(
    bind=True,
    name="observations.tasks.send_notification_digests",
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
)
def send_notification_digests(self) -> int:
    """Daily (beat): one email per person who chose the daily digest."""
    return services.notification_digests_send()


@shared_task(
    bind=True,
    name="observations.tasks.send_stale_notifications",
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
)
def send_stale_notifications(self) -> int:
    """Every few minutes (beat): immediate notifications the broker never delivered."""
    return services.notifications_send(selectors.stale_immediate_notification_ids())


@shared_task(
    bind=True,
    name="observations.tasks.request_monthly_escalation_digest",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def request_monthly_escalation_digest(self) -> int:
    """On the 1st of each month (beat): the previous month's digest for the comité de direction."""
    return services.escalation_digest_request(month=selectors.previous_month()).pk


@shared_task(
    bind=True,
    name="observations.tasks.render_escalation_digest",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def render_escalation_digest(self, job_id: int) -> None:
    """Queue `documents`: render once; once stored, ask for `send_escalation_digest`."""
    render_then_mail(EscalationDigest, job_id, services.escalation_digest_build)


@shared_task(
    bind=True,
    name="observations.tasks.send_escalation_digest",
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
)
def send_escalation_digest(self, job_id: int) -> None:
    """Queue `mail`: email the stored digest to each member of the comité not served yet
    (`escalation_digest_email` claims each email)."""
    job = EscalationDigest.objects.filter(pk=job_id, status=EscalationDigest.Status.READY).first()
    if job is not None:
        services.escalation_digest_email(job)


@shared_task(
    bind=True,
    name="observations.tasks.refresh_outside_flags",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def refresh_outside_flags(self, quartier_id: int, extents: list[list[float]]) -> int:
    """A quartier's outline changed: its points, and those near its old or new extent, flagged
    again as inside or outside every outline."""
    return services.outside_flags_refresh(quartier_id=quartier_id, extents=extents)
