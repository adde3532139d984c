"""Document jobs that survive faults: a broker that is down, a worker killed mid-render.

The job used is a meeting's agenda (meetings.AgendaDocument: a PDF, then one email per
invitee), asked for through the outbox (foundation.outbox) and handed over by its relay.
Brokers and the meeting come from conftest.py.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from arras_quartiers.celery import app
from foundation import jobs, outbox
from foundation.models import DocumentJob, OutboxJob, document_job_models
from tests.jobs.brokers import DEAD_BROKER, TEST_BROKER, queued_messages, run_worker_once

TASK = "meetings.tasks.render_agenda"


def publish(meeting, chef, capture):
    from meetings import services

    with capture(execute=True):
        document, created = services.agenda_publish(meeting=meeting, requested_by=chef)
    assert created
    return document


def later(**delta) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(**delta)


# Broker down ------------------------------------------------------------------------------------


def test_broker_down_leaves_the_job_pending_then_the_relay_hands_it_over(
    broker, client, personas, meeting, django_capture_on_commit_callbacks
):
    from meetings.models import AgendaDocument

    broker(DEAD_BROKER)
    document = publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    document.refresh_from_db()
    assert document.status == DocumentJob.Status.PENDING
    row = OutboxJob.objects.get(task_name=TASK, args=[document.pk])
    assert row.state == OutboxJob.State.PENDING  # recorded with the agenda, never sent
    assert not mail.outbox

    # The person who asked sees it waiting.
    client.force_login(personas["chef"])
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "En attente" in page

    # Still down: the relay tries, fails quietly, the row waits without spending an attempt.
    assert outbox.relay() == 0
    row.refresh_from_db()
    assert (row.state, row.attempts) == (OutboxJob.State.PENDING, 0) and row.error

    # The broker is back: the relay's next round hands it over once; a worker renders it.
    broker(TEST_BROKER)
    assert outbox.relay(now=later(seconds=30)) == 1
    assert len(queued_messages(broker.redis, TASK)) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == (OutboxJob.State.SENT, 1)
    # Handed over moments ago: the next rounds leave it alone (no flood of duplicates).
    assert outbox.relay(now=later(seconds=40)) == 0
    assert run_worker_once(broker.redis) == 1
    document = AgendaDocument.objects.get(pk=document.pk)
    assert document.status == DocumentJob.Status.READY, document.error
    assert document.file.read(5) == b"%PDF-"
    # Then its emails, and its filing among the meeting's documents (documents.hooks).
    assert outbox.relay() == 2 and run_worker_once(broker.redis) == 2
    assert len(mail.outbox) == 3
    row.refresh_from_db()
    assert row.state == OutboxJob.State.DONE


# Worker killed -----------------------------------------------------------------------------------


def stored_pdfs() -> list[Path]:
    """The rendered PDFs (not their copies filed among the meeting's shared documents)."""
    root = Path(django_settings.MEDIA_ROOT) / "documents"
    return [p for p in root.rglob("*.pdf")] if root.exists() else []


def test_worker_killed_mid_render_is_taken_over_within_the_lease_one_file_one_email_each(
    personas, meeting, django_capture_on_commit_callbacks, settings
):
    from meetings import services
    from meetings.models import AgendaDocument

    task = app.tasks[TASK]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=False):
        document, _ = services.agenda_publish(meeting=meeting, requested_by=personas["chef"])
    row = OutboxJob.objects.get(task_name=TASK, args=[document.pk])
    # A worker took the message, started, claimed the job, then died (SIGKILL, OOM): the row
    # "en cours" with a lease nobody renews, the job "en cours", no file, no email.
    started = timezone.now()
    OutboxJob.objects.filter(pk=row.pk).update(
        state=OutboxJob.State.STARTED, attempts=1, started_at=started, due_at=started + outbox.LEASE
    )
    assert jobs.claim(AgendaDocument, document.pk)

    # Redelivered at once (acks_late): the row's lease still runs, the message does nothing.
    task.apply(args=[document.pk], headers={outbox.HEADER: row.pk})
    assert not mail.outbox and not stored_pdfs()
    assert outbox.relay(now=started + outbox.LEASE / 2) == 0

    # The lease ran out (well within a minute, not the hard time limit): the relay hands the row
    # over again, and its run takes the job over (eager here: it runs now).
    assert outbox.LEASE < datetime.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):  # its emails, once it is stored
        assert outbox.relay(now=started + outbox.LEASE + datetime.timedelta(seconds=1)) == 1
    document.refresh_from_db()
    assert document.status == DocumentJob.Status.READY, document.error
    assert document.attempts == 2
    assert len(mail.outbox) == 3
    assert {m.to[0] for m in mail.outbox} == {personas[r].email for r in ("agent", "chef", "elu")}
    row.refresh_from_db()
    assert (row.state, row.attempts) == (OutboxJob.State.DONE, 2)

    # The broker redelivers the original message too (the dead worker never acked it), and a
    # task run from outside the outbox: nothing more.
    task.apply(args=[document.pk], headers={outbox.HEADER: row.pk})
    task.apply(args=[document.pk])
    assert len(mail.outbox) == 3, "an invitee was emailed twice"
    assert len(stored_pdfs()) == 1, stored_pdfs()


def test_a_failed_render_is_marked_failed_and_retry_renders_it_once(
    personas, meeting, django_capture_on_commit_callbacks, monkeypatch
):
    from meetings import documents, services
    from meetings.models import AgendaDocument

    real = documents.agenda_pdf

    def broken(*args, **kwargs):
        raise ValueError("police de caractères introuvable")

    monkeypatch.setattr(documents, "agenda_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        document, _ = services.agenda_publish(meeting=meeting, requested_by=personas["chef"])
    document.refresh_from_db()
    assert document.status == DocumentJob.Status.FAILED
    assert "police" in document.error
    assert not mail.outbox

    monkeypatch.setattr(documents, "agenda_pdf", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.retry(document)
        assert not jobs.retry(AgendaDocument.objects.get(pk=document.pk))  # a double click
    document.refresh_from_db()
    assert document.status == DocumentJob.Status.READY
    assert len(mail.outbox) == 3
    assert (
        list(
            OutboxJob.objects.filter(task_name=TASK, args=[document.pk]).values_list(
                "state", flat=True
            )
        )
        == [OutboxJob.State.DONE] * 2
    )


# Configuration ------------------------------------------------------------------------------------


def test_celery_settings_survive_lost_workers_and_frozen_brokers():
    s = django_settings
    assert s.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > s.CELERY_TASK_TIME_LIMIT
    assert s.CELERY_TASK_SOFT_TIME_LIMIT < s.CELERY_TASK_TIME_LIMIT
    assert s.CELERY_TASK_ACKS_LATE and s.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert s.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert 0 < s.CELERY_WORKER_MAX_MEMORY_PER_CHILD <= 1_000_000  # KiB: recycled after big renders
    assert jobs.STALE_RUNNING_AFTER.total_seconds() > s.CELERY_TASK_TIME_LIMIT
    # The relay's sends give up quickly on a broker that accepts and never answers.
    assert 0 < s.CELERY_BROKER_CONNECTION_TIMEOUT <= 5
    assert 0 < s.CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] <= 5
    assert 0 < s.CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"] <= 10
    # A lost message or a dead worker: handed over again within a minute.
    assert outbox.HANDOVER_WAIT + datetime.timedelta(seconds=outbox.RELAY_INTERVAL) <= (
        datetime.timedelta(minutes=1)
    )
    assert outbox.LEASE + datetime.timedelta(seconds=outbox.RELAY_INTERVAL) <= datetime.timedelta(
        minutes=1
    )
    assert outbox.RENEW_EVERY * 2 < outbox.LEASE
    assert "foundation.outbox:RelayStep" in app.steps["worker"]


@pytest.mark.django_db
def test_every_document_job_model_has_a_registered_task():
    models = document_job_models()
    assert {m._meta.label for m in models} >= {
        "meetings.AgendaDocument",
        "meetings.MinutesDocument",
        "observations.EscalationDigest",
        "diagnostics.DiagnosticDocument",
    }
    for model in models:
        for task in filter(None, (model.task_name, model.mail_task_name)):
            assert task in app.tasks, f"{model.__name__}: {task} not registered"
