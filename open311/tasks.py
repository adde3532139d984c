"""Celery tasks: ids in, a service call inside, asked for through `foundation.outbox.enqueue`."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _

from open311 import media, services
from open311.models import Submission, WebhookDelivery

logger = logging.getLogger(__name__)

#: Worth another try: the network, the partner's server, the database.
TRANSIENT = (OSError, OperationalError)
MAX_RETRIES = 5


@shared_task(
    bind=True,
    name="open311.tasks.complete_submission",
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=MAX_RETRIES,
)
def complete_submission(self, submission_id: int) -> None:
    """Fetch the media of a pending request, then create its observation (or refuse it)."""
    submission = Submission.objects.filter(pk=submission_id, state=Submission.State.PENDING).first()
    if submission is None:
        return
    try:
        photo = media.fetch(submission.media_url)
    except media.MediaRefused as refusal:
        services.submission_refuse(submission=submission, reason=str(refusal))
        return
    except TRANSIENT as error:
        if self.request.retries >= MAX_RETRIES:
            services.submission_refuse(
                submission=submission,
                reason=_("Média injoignable après plusieurs essais : %(error)s") % {"error": error},
            )
            return
        raise
    services.submission_complete(submission=submission, photos=[photo])


class WebhookFailed(OSError):
    """The partner's server did not take the delivery (an error status or no answer)."""


@shared_task(
    bind=True,
    name="open311.tasks.deliver_webhook",
    autoretry_for=(WebhookFailed, OperationalError),
    retry_backoff=True,
    max_retries=MAX_RETRIES,
)
def deliver_webhook(self, delivery_id: int) -> None:
    delivery = (
        WebhookDelivery.objects.filter(pk=delivery_id, state=WebhookDelivery.State.PENDING)
        .select_related("api_key")
        .first()
    )
    if delivery is None:
        return
    body = services.webhook_body(delivery)
    request = urllib.request.Request(  # noqa: S310 - the administrator's URL
        delivery.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            services.SIGNATURE_HEADER: services.sign(delivery.api_key.webhook_secret, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.OPEN311_WEBHOOK_TIMEOUT) as response:  # noqa: S310 - the administrator's URL
            status = response.status
        error = "" if 200 <= status < 300 else f"HTTP {status}"
    except urllib.error.HTTPError as failure:
        error = f"HTTP {failure.code}"
    except OSError as failure:
        error = str(failure) or type(failure).__name__
    if not error:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=WebhookDelivery.State.DELIVERED,
            delivered_at=timezone.now(),
            attempts=delivery.attempts + 1,
            last_error="",
        )
        return
    last = self.request.retries >= MAX_RETRIES
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=delivery.attempts + 1,
        last_error=error[:500],
        state=WebhookDelivery.State.FAILED if last else WebhookDelivery.State.PENDING,
    )
    if last:
        logger.warning("Webhook delivery %s failed for good: %s", delivery.pk, error)
        return
    raise WebhookFailed(error)
