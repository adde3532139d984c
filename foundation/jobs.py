"""Asking for and running document jobs (see `DocumentJob`).

- `enqueue(job)`: record the job's task in the outbox (`foundation.outbox`), in the transaction
  that created the job; the relay hands it to a worker. `retry(job)` does so for a failed job
  (the "Réessayer" button).
- `run_job(model, pk, build)`: claim the job (only one worker renders a given job), build
  the file, mark it ready, or failed with a message. Returns the job when this call did the
  work, None when another call had already claimed or finished it: callers send their
  emails only then, so a second click or a redelivered message sends nothing twice.
- `render_then_mail(model, pk, build)`: the body of a render task whose document is emailed:
  `run_job`, then, once the document is stored, ask for its mail task (`model.mail_task_name`),
  which runs on the `mail` queue: a burst of renders never delays an email, and a render
  killed midway sends nothing.

A job "en cours" whose worker died is taken over by the next run of its outbox row, which the
relay hands over again once the dead run's lease ran out (within a minute); a run from outside
the outbox (a task called directly) takes it over only past the hard time limit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from foundation import mail, outbox
from foundation.models import DocumentJob

logger = logging.getLogger(__name__)

#: A job "en cours" for longer than the hard time limit lost its worker, whoever asks.
STALE_RUNNING_AFTER = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


#: Functions called with each job once its file is ready, registered in `AppConfig.ready()` by
#: apps further along the data flow (`documents` files the meetings' PDFs in their folder).
#: A failing one is logged and never fails the job.
_ON_READY: list[Callable[[DocumentJob], object]] = []


def on_ready(func: Callable[[DocumentJob], object]) -> None:
    if func not in _ON_READY:
        _ON_READY.append(func)


def enqueue(job: DocumentJob) -> None:
    outbox.enqueue(type(job).task_name, job.pk)


def retry(job: DocumentJob) -> bool:
    """Put a failed job back in the queue (the "Réessayer" button)."""
    updated = (
        type(job)
        .objects.filter(pk=job.pk, status=DocumentJob.Status.FAILED)
        .update(status=DocumentJob.Status.PENDING, error="", requested_at=timezone.now())
    )
    if updated:
        enqueue(job)
    return bool(updated)


def claim(model: type[DocumentJob], pk: int) -> bool:
    now = timezone.now()
    claimable = Q(status=DocumentJob.Status.PENDING) | Q(
        status=DocumentJob.Status.RUNNING, started_at__lt=now - STALE_RUNNING_AFTER
    )
    if outbox.holding_row() is not None:
        # This run holds its outbox row's lease: the run that left the job "en cours" is dead.
        claimable |= Q(status=DocumentJob.Status.RUNNING)
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
    for hook in _ON_READY:
        try:
            hook(job)
        except Exception:
            logger.exception("A hook on the ready document job %s %s failed", model.__name__, pk)
    return job


def render_then_mail[J: DocumentJob](
    model: type[J], pk: int, build: Callable[[J], tuple[bytes, str]]
) -> J | None:
    """`run_job`, then ask for the mail task of the stored document; see the module docstring.

    Asked also when an earlier run stored it and died before asking (its outbox row is handed
    over again): the mail task sends only to the recipients not served yet."""
    job = run_job(model, pk, build)
    if model.objects.filter(pk=pk, status=DocumentJob.Status.READY).exists():
        mail.ask(model.mail_task_name, pk)
    return job
