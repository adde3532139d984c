"""Sending and running document jobs (see `DocumentJob`).

- `enqueue(job)`: after the current transaction commits, send the job's task to the broker;
  a broker that is down leaves the job "en attente" for the sweeper, and the person who
  asked sees that state.
- `run_job(model, pk, build)`: claim the job (only one worker renders a given job), build
  the file, mark it ready, or failed with a message. Returns the job when this call did the
  work, None when another call had already claimed or finished it: callers send their
  emails only then, so a second click or a redelivered message sends nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from celery import current_app
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from foundation.models import DocumentJob

logger = logging.getLogger(__name__)

#: A job "en cours" for longer than the hard time limit lost its worker: it may be claimed again.
STALE_RUNNING_AFTER = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
#: A job "en attente" that no worker took within this delay is sent again by the sweeper.
STUCK_PENDING_AFTER = timedelta(minutes=3)
MAX_ATTEMPTS = 5


def document_job_models() -> list[type[DocumentJob]]:
    return [model for model in apps.get_models() if issubclass(model, DocumentJob)]


def send(model: type[DocumentJob], pk: int) -> bool:
    """Send one job's task now. False when the broker could not be reached."""
    task = current_app.tasks[model.task_name]
    try:
        task.apply_async(args=[pk], retry=False)
    except (BrokerError, ConnectionError, OSError) as exc:
        logger.warning("Broker unreachable, %s %s left pending: %s", model.__name__, pk, exc)
        return False
    model.objects.filter(pk=pk, status=DocumentJob.Status.PENDING).update(
        enqueued_at=timezone.now()
    )
    return True


def enqueue(job: DocumentJob) -> None:
    model, pk = type(job), job.pk
    transaction.on_commit(lambda: send(model, pk))


def retry(job: DocumentJob) -> bool:
    """Put a failed job back in the queue (the "Réessayer" button)."""
    updated = (
        type(job)
        .objects.filter(pk=job.pk, status=DocumentJob.Status.FAILED)
        .update(
            status=DocumentJob.Status.PENDING,
            error="",
            enqueued_at=None,
            requested_at=timezone.now(),
        )
    )
    if updated:
        enqueue(job)
    return bool(updated)


def claim(model: type[DocumentJob], pk: int) -> bool:
    now = timezone.now()
    claimable = Q(status=DocumentJob.Status.PENDING) | Q(
        status=DocumentJob.Status.RUNNING, started_at__lt=now - STALE_RUNNING_AFTER
    )
    return bool(
        model.objects.filter(claimable, pk=pk).update(
            status=DocumentJob.Status.RUNNING, started_at=now, attempts=F("attempts") + 1
        )
    )


def run_job[J: DocumentJob](
    model: type[J], pk: int, build: Callable[[J], tuple[bytes, str]]
) -> J | None:
    """Render the job's file with `build(job) -> (content, filename)`; see the module docstring."""
    if not claim(model, pk):
        return None
    job = model.objects.get(pk=pk)
    try:
        content, filename = build(job)
    except Exception as exc:
        # Rendering is deterministic: the same data fails the same way. Mark failed, visibly.
        logger.exception("Document job %s %s failed", model.__name__, pk)
        model.objects.filter(pk=pk).update(
            status=DocumentJob.Status.FAILED, finished_at=timezone.now(), error=str(exc)[:2000]
        )
        return None
    job.store(content, filename)
    job.status = DocumentJob.Status.READY
    job.finished_at = timezone.now()
    job.error = ""
    job.save(update_fields=["file", "checksum", "status", "finished_at", "error"])
    return job


def resend_stuck_jobs() -> int:
    """Send again the jobs that never reached a worker (broker down) or lost theirs."""
    now = timezone.now()
    sent = 0
    for model in document_job_models():
        stuck = model.objects.filter(
            Q(status=DocumentJob.Status.PENDING, requested_at__lt=now - STUCK_PENDING_AFTER)
            & (Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - STUCK_PENDING_AFTER))
            | Q(status=DocumentJob.Status.RUNNING, started_at__lt=now - STALE_RUNNING_AFTER)
        ).filter(attempts__lt=MAX_ATTEMPTS)
        for pk in stuck.values_list("pk", flat=True)[:500]:
            sent += send(model, pk)
    return sent
