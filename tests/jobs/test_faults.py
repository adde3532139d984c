"""Document jobs that survive faults: a broker that is down, a worker killed mid-render.

The job used is a meeting's agenda (meetings.AgendaDocument: a PDF, then one email per
invitee). The broker tests use the real Redis at 127.0.0.1:6379 (database 7, flushed) and a
dead port for "down"; they are skipped without Redis on a laptop and fail in CI.
"""

from __future__ import annotations

import datetime
import json
import os
import socket
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from arras_quartiers.celery import app
from foundation import jobs
from foundation.models import DocumentJob

REDIS = ("127.0.0.1", 6379)
TEST_BROKER = "redis://127.0.0.1:6379/7"
DEAD_BROKER = "redis://127.0.0.1:6390/0"
TASK = "meetings.tasks.render_agenda"


def redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


def forget_connections() -> None:
    """Drop Celery's cached connection and producer pools: the next send uses the new URL."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(settings):
    """Point Celery at a broker (a real one, or a dead port), not eager; restored after."""
    if not redis_up():
        if os.environ.get("CI"):
            pytest.fail("Redis is required in CI at 127.0.0.1:6379")
        pytest.skip("Redis absent sur 127.0.0.1:6379")
    import redis

    client = redis.Redis.from_url(TEST_BROKER)
    client.flushdb()
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}

    def point(url: str) -> None:
        app.conf.broker_url = url
        app.conf.task_always_eager = False
        settings.CELERY_TASK_ALWAYS_EAGER = False
        forget_connections()

    point.redis = client
    yield point
    app.conf.update(saved)
    forget_connections()
    client.flushdb()


def queued_messages(client) -> list[dict]:
    """The task messages waiting in Redis (kombu's list named after the default queue)."""
    messages = [json.loads(raw) for raw in client.lrange("celery", 0, -1)]
    return [m for m in messages if m["headers"]["task"] == TASK]


@pytest.fixture
def meeting(personas, ouest):
    from meetings.models import AgendaItem, Invitation, Meeting

    start = timezone.now() + datetime.timedelta(days=7)
    meeting = Meeting.objects.create(
        kind=Meeting.Kind.EQUIPE,
        quartier=ouest,
        organiser=personas["chef"],
        place="MSP",
        start=start,
        end=start + datetime.timedelta(hours=2),
    )
    for role in ("agent", "chef", "elu"):
        Invitation.objects.create(meeting=meeting, agent=personas[role])
    AgendaItem.objects.create(
        meeting=meeting,
        title="Fête de quartier",
        duration_minutes=30,
        status=AgendaItem.Status.ACCEPTED,
        proposed_by=personas["agent"],
    )
    return meeting


def publish(meeting, chef, capture):
    from meetings import services

    with capture(execute=True):
        document, created = services.agenda_publish(meeting=meeting, requested_by=chef)
    assert created
    return document


def age(document, **delta) -> None:
    """Pretend the job was asked (and, if running, started) that long ago."""
    past = timezone.now() - datetime.timedelta(**delta)
    type(document).objects.filter(pk=document.pk).update(requested_at=past, started_at=past)


def run_worker_once(client) -> int:
    """Take the queued messages and run them as a worker would (same database, in-process)."""
    ran = 0
    while raw := client.lpop("celery"):
        message = json.loads(raw)
        task = app.tasks[message["headers"]["task"]]
        import base64

        args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        task.apply(args=args, kwargs=kwargs)
        ran += 1
    return ran


# Broker down ------------------------------------------------------------------------------------


def test_broker_down_leaves_the_job_pending_then_the_sweeper_resends_it(
    broker, client, personas, meeting, django_capture_on_commit_callbacks
):
    from meetings.models import AgendaDocument

    broker(DEAD_BROKER)
    document = publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    document.refresh_from_db()
    assert document.status == DocumentJob.Status.PENDING
    assert document.enqueued_at is None  # never reached a broker
    assert not mail.outbox

    # The person who asked sees it waiting.
    client.force_login(personas["chef"])
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "En attente" in page

    # Still down: the sweeper tries, fails quietly, the job stays pending.
    age(document, minutes=5)
    assert jobs.resend_stuck_jobs() == 0
    document.refresh_from_db()
    assert document.status == DocumentJob.Status.PENDING

    # The broker is back: the sweeper sends it once; a worker renders it.
    broker(TEST_BROKER)
    assert jobs.resend_stuck_jobs() == 1
    queued = queued_messages(broker.redis)
    assert len(queued) == 1
    document.refresh_from_db()
    assert document.enqueued_at is not None
    # Sent recently: the next sweep leaves it alone (no flood of duplicates).
    assert jobs.resend_stuck_jobs() == 0
    assert run_worker_once(broker.redis) == 1
    document = AgendaDocument.objects.get(pk=document.pk)
    assert document.status == DocumentJob.Status.READY, document.error
    assert document.file.read(5) == b"%PDF-"
    assert len(mail.outbox) == 3


def test_sending_to_a_dead_broker_is_quick_and_quiet(broker, personas, meeting):
    """The request that publishes must not hang on a dead broker."""
    import time

    from meetings.models import AgendaDocument

    broker(DEAD_BROKER)
    document = AgendaDocument.objects.create(meeting=meeting, version=9)
    started = time.monotonic()
    assert jobs.send(AgendaDocument, document.pk) is False
    assert time.monotonic() - started < 10


# Worker killed -----------------------------------------------------------------------------------


def stored_pdfs() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [p for p in root.rglob("*.pdf")] if root.exists() else []


def test_worker_killed_mid_render_is_retried_once_one_file_one_email_each(
    personas, meeting, django_capture_on_commit_callbacks, settings
):
    from meetings.models import AgendaDocument

    task = app.tasks[TASK]
    # The first worker claimed the job then died (SIGKILL, OOM): "en cours", no file, no email.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from meetings import services

    with django_capture_on_commit_callbacks(execute=False):
        document, _ = services.agenda_publish(meeting=meeting, requested_by=personas["chef"])
    assert jobs.claim(AgendaDocument, document.pk)
    document.refresh_from_db()
    assert document.status == DocumentJob.Status.RUNNING

    # Redelivered at once (acks_late): the job is still "running" and not stale, nothing done.
    task.apply(args=[document.pk])
    assert not mail.outbox and not stored_pdfs()

    # Past the hard time limit, the sweeper reclaims the stale job and sends it again.
    age(document, seconds=django_settings.CELERY_TASK_TIME_LIMIT + 120)
    assert jobs.resend_stuck_jobs() == 1  # eager here: the task runs now
    document.refresh_from_db()
    assert document.status == DocumentJob.Status.READY, document.error
    assert document.attempts == 2
    assert len(mail.outbox) == 3
    assert {m.to[0] for m in mail.outbox} == {personas[r].email for r in ("agent", "chef", "elu")}

    # The broker redelivers the original message too (the dead worker never acked it).
    task.apply(args=[document.pk])
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


# Configuration ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_celery_settings_survive_lost_workers():
    app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    s = django_settings
    assert s.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > s.CELERY_TASK_TIME_LIMIT
    assert s.CELERY_TASK_SOFT_TIME_LIMIT < s.CELERY_TASK_TIME_LIMIT
    assert s.CELERY_TASK_ACKS_LATE and s.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert s.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert 0 < s.CELERY_WORKER_MAX_MEMORY_PER_CHILD <= 1_000_000  # KiB: recycled after big renders
    assert jobs.STALE_RUNNING_AFTER.total_seconds() > s.CELERY_TASK_TIME_LIMIT
    sweep = app.conf.beat_schedule["resend-stuck-document-jobs"]
    assert sweep["task"] == "arras_quartiers.tasks.resend_stuck_jobs"
    assert sweep["task"] in app.tasks


@pytest.mark.django_db
def test_every_document_job_model_has_a_registered_task():
    app.loader.import_default_modules()
    models = jobs.document_job_models()
    assert {m._meta.label for m in models} >= {
        "meetings.AgendaDocument",
        "meetings.MinutesDocument",
    }
    for model in models:
        assert model.task_name in app.tasks, f"{model.__name__}: {model.task_name} not registered"
