"""The one way background work leaves a change: a transactional outbox.

- `enqueue("app.tasks.name", *ids)`: record a task by name, with JSON arguments (ids, never model
  instances), in the caller's transaction: a rolled-back change asks for nothing, and a service
  never imports its own `tasks` module. The web request never talks to the broker.
- `relay()` hands the due rows to the broker; `RelayStep` runs it every `RELAY_INTERVAL` seconds
  in a thread of each Celery worker (no process of its own). The broker's connect and socket
  timeouts (settings) keep a frozen broker from holding it: the rows stay "en attente" and go
  once it answers. A row handed over that did not start within `HANDOVER_WAIT` (its message was
  lost) is handed over again, then after twice as long, and so on; a row whose run went silent
  for `LEASE` (its worker died: a live worker renews the lease of what it runs) is handed over
  again at once. After `MAX_ATTEMPTS` hand-overs the row is marked failed.
- `OutboxTask`, the base class of every task (the Celery app's `task_cls`), marks the row
  started, done or failed around the run, so that no task body knows of the outbox. Only one run
  holds a row: a duplicate message (handed over twice, redelivered) finds it taken or done and
  does nothing. A Celery retry pushes the row's next look past the retry's countdown.
- Without a broker (eager mode: `make run` on a laptop, the tests), the commit hands its rows
  over in-process at once: the task runs during the request, as it always did there.

Tasks stay idempotent all the same (document jobs claim with a conditional update, emails are
recorded per recipient): a worker that dies after its work but before marking the row done, or
a run that outlives its lease, runs twice.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from celery import Task, bootsteps, current_app
from celery.exceptions import Ignore, Reject, Retry
from django.conf import settings
from django.db import close_old_connections, connection, connections, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from foundation.models import DocumentJob, OutboxJob, document_job_models

logger = logging.getLogger(__name__)

State = OutboxJob.State

#: The message header that carries the row's id to the worker.
HEADER = "outbox_id"
#: How often each worker's relay looks for due rows, in seconds.
RELAY_INTERVAL = 2.0
#: A run silent for this long lost its worker; a live worker renews it every `RENEW_EVERY`
#: (settings: OUTBOX_LEASE, seconds).
LEASE = datetime.timedelta(seconds=settings.OUTBOX_LEASE)
RENEW_EVERY = LEASE / 3
#: Handed over and not started within this delay (doubled at each hand-over, up to the maximum):
#: the message was lost, or the queue is long; either way it is handed over again.
HANDOVER_WAIT = datetime.timedelta(seconds=45)
MAX_HANDOVER_WAIT = datetime.timedelta(minutes=15)
MAX_ATTEMPTS = 8
#: After a failed hand-over (broker down or frozen), the next try.
BROKER_RETRY = datetime.timedelta(seconds=10)
BATCH = 100
#: Finished rows are kept that long (for the admin), then deleted by the relay.
KEEP_DONE = datetime.timedelta(days=7)

#: The row held by the task running in this context (see `holding_row`).
_held_row: contextvars.ContextVar[int | None] = contextvars.ContextVar("outbox_row", default=None)


# Recording -------------------------------------------------------------------------------------


def enqueue(task_name: str, *args: Any) -> OutboxJob:
    """Ask for `task_name(*args)` once the current transaction commits (at once outside one)."""
    if task_name not in current_app.tasks:
        raise LookupError(f"No Celery task is registered as {task_name!r}.")
    # Through JSON and back: a model instance or a date fails here, in the caller, not in a worker.
    job = OutboxJob.objects.create(task_name=task_name, args=json.loads(json.dumps(list(args))))
    if runs_in_process():
        transaction.on_commit(lambda: hand_over(OutboxJob.objects.filter(pk=job.pk)))
    return job


def runs_in_process() -> bool:
    """No broker (eager mode): the tasks run in this process, when their change commits."""
    return bool(current_app.conf.task_always_eager)


# Relaying --------------------------------------------------------------------------------------


def relay(*, now: datetime.datetime | None = None) -> int:
    """Hand the due rows over to the broker; returns how many went."""
    now = now or timezone.now()
    return hand_over(OutboxJob.objects.filter(due_at__lte=now), now)


def hand_over(candidates: QuerySet[OutboxJob], now: datetime.datetime | None = None) -> int:
    """Claim the open candidates (skipping rows another relay holds) and send them."""
    now = now or timezone.now()
    with transaction.atomic():
        due = candidates.filter(state__in=OutboxJob.OPEN_STATES).order_by("due_at")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        rows = list(due[:BATCH])
        worn = [row for row in rows if row.attempts >= MAX_ATTEMPTS]
        rows = [row for row in rows if row.attempts < MAX_ATTEMPTS]
        for attempts in {row.attempts for row in rows}:
            OutboxJob.objects.filter(pk__in=[r.pk for r in rows if r.attempts == attempts]).update(
                state=State.SENT,
                sent_at=now,
                attempts=attempts + 1,
                due_at=now + min(HANDOVER_WAIT * 2**attempts, MAX_HANDOVER_WAIT),
            )
    if worn:
        _fail(worn, f"Abandonnée après {MAX_ATTEMPTS} transmissions sans aboutir.", now)
    return _send(rows, now)


def _send(rows: list[OutboxJob], now: datetime.datetime) -> int:
    for index, row in enumerate(rows):
        # By name: run here in eager mode, else sent for whichever worker has the task. Timeouts
        # and no publish retries: a frozen broker fails this quickly (settings).
        task = current_app.signature(row.task_name, args=row.args)
        try:
            task.apply_async(headers={HEADER: row.pk}, retry=False)
        except Exception as exc:  # noqa: BLE001 - whatever the broker's failure, the rows wait
            logger.warning("Broker unreachable, %s outbox rows wait: %s", len(rows) - index, exc)
            OutboxJob.objects.filter(pk__in=[r.pk for r in rows[index:]], state=State.SENT).update(
                state=State.PENDING,
                attempts=F("attempts") - 1,
                due_at=now + BROKER_RETRY,
                error=f"Courtier injoignable : {exc}"[:2000],
            )
            return index
    return len(rows)


def renew_leases(row_ids: Iterable[int], now: datetime.datetime | None = None) -> int:
    """The runs of these rows are alive: push their lease back."""
    now = now or timezone.now()
    return OutboxJob.objects.filter(pk__in=list(row_ids), state=State.STARTED).update(
        due_at=now + LEASE
    )


def purge(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    old = OutboxJob.objects.filter(state=State.DONE, finished_at__lt=now - KEEP_DONE)
    deleted, _ = OutboxJob.objects.filter(
        pk__in=list(old.values_list("pk", flat=True)[:5000])
    ).delete()
    return deleted


def _fail(rows: list[OutboxJob], error: str, now: datetime.datetime) -> None:
    logger.error("Outbox rows failed for good (%s): %s", ", ".join(map(str, rows)), error)
    OutboxJob.objects.filter(pk__in=[row.pk for row in rows]).update(
        state=State.FAILED, finished_at=now, error=error[:2000]
    )
    for row in rows:
        _fail_document(row.task_name, row.args, error, now)


def _fail_document(task_name: str, args: list, error: str, now: datetime.datetime) -> None:
    """A document whose task failed for good shows "échec" (and "Réessayer"), not "en cours"."""
    for model in document_job_models():
        if model.task_name == task_name and args:
            model.objects.filter(
                pk=args[0], status__in=[DocumentJob.Status.PENDING, DocumentJob.Status.RUNNING]
            ).update(status=DocumentJob.Status.FAILED, finished_at=now, error=error[:2000])


# Running ---------------------------------------------------------------------------------------


def row_of(headers: Mapping[str, Any] | None) -> int | None:
    return (headers or {}).get(HEADER)


def holding_row() -> int | None:
    """The row of the task running here, which holds its lease: no other run of it is alive."""
    return _held_row.get()


class OutboxTask(Task):
    """Every task's base: marks its outbox row started, then done or failed (see module doc)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        row_id = row_of(self.request.headers)
        if row_id is None:  # not from the outbox: beat's periodic tasks, tests calling apply()
            return self.run(*args, **kwargs)
        now = timezone.now()
        taken = OutboxJob.objects.filter(
            Q(state__in=[State.PENDING, State.SENT]) | Q(state=State.STARTED, due_at__lte=now),
            pk=row_id,
        ).update(state=State.STARTED, started_at=now, finished_at=None, due_at=now + LEASE)
        if not taken:
            logger.info("Outbox row %s is done or running elsewhere: message ignored", row_id)
            return None
        token = _held_row.set(row_id)
        try:
            # `run`, not `super().__call__`, which would push a request without the message's
            # headers and retries (Celery's documented way to wrap a task).
            result = self.run(*args, **kwargs)
        except Retry as retry:
            delay = retry.when or 0
            if isinstance(delay, datetime.datetime):
                delay = max((delay - timezone.now()).total_seconds(), 0)
            OutboxJob.objects.filter(pk=row_id).update(
                state=State.SENT,
                due_at=timezone.now() + datetime.timedelta(seconds=float(delay)) + HANDOVER_WAIT,
                error=str(retry.exc or retry)[:2000],
            )
            raise
        except Reject:  # e.g. a retry the broker refused: the relay hands it over again later
            OutboxJob.objects.filter(pk=row_id).update(
                state=State.PENDING, due_at=timezone.now() + BROKER_RETRY
            )
            raise
        except Ignore:  # the task chose to drop this run: nothing more to do
            _finish(row_id)
            raise
        except Exception as exc:
            _fail(
                [OutboxJob.objects.get(pk=row_id)], f"{type(exc).__name__}: {exc}", timezone.now()
            )
            raise
        finally:
            _held_row.reset(token)
        _finish(row_id)
        return result


def _finish(row_id: int) -> None:
    OutboxJob.objects.filter(pk=row_id).update(
        state=State.DONE, finished_at=timezone.now(), error=""
    )


# The relay in the worker -----------------------------------------------------------------------


class RelayStep(bootsteps.StartStopStep):
    """A worker bootstep: the relay's loop, in a thread of the worker's main process."""

    requires = {"celery.worker.components:Pool"}

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.thread: RelayThread | None = None

    def start(self, parent: Any) -> None:
        self.thread = RelayThread()
        self.thread.start()

    def stop(self, parent: Any) -> None:
        if self.thread is not None:
            self.thread.stop()
            self.thread = None

    terminate = stop  # a cold shutdown stops it the same way


class RelayThread(threading.Thread):
    def __init__(self) -> None:
        super().__init__(name="outbox-relay", daemon=True)
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=30)

    def run(self) -> None:
        renewed = purged = datetime.datetime.min.replace(tzinfo=datetime.UTC)
        while not self._stopping.wait(RELAY_INTERVAL):
            try:
                close_old_connections()
                now = timezone.now()
                if now - renewed >= RENEW_EVERY:
                    renew_leases(self.running_rows(), now)
                    renewed = now
                while relay(now=now) == BATCH:  # a backlog: the next batch at once
                    now = timezone.now()
                if now - purged >= datetime.timedelta(hours=1):
                    purge(now)
                    purged = now
            except Exception:
                logger.exception("Outbox relay failed; it tries again in %s s", RELAY_INTERVAL)
        connections.close_all()

    @staticmethod
    def running_rows() -> list[int]:
        """The rows of the tasks this worker runs now (its active requests)."""
        from celery.worker import state

        rows = (row_of(request.request_dict) for request in frozenset(state.active_requests))
        return [row for row in rows if row is not None]
