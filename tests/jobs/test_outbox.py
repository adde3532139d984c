"""The outbox (foundation.outbox): recorded with the change, handed over by the relay, run once.

Brokers, the meeting and the fake worker come from conftest.py. The clock is moved by passing
`now` to the relay, never by sleeping.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from arras_quartiers.celery import app
from foundation import outbox
from foundation.models import DocumentJob, OutboxJob
from tests.jobs.brokers import TEST_BROKER, queue_of, queued_messages, run_worker_once

CANCEL = "meetings.tasks.send_cancellation"
AGENDA = "meetings.tasks.render_agenda"


def seconds(n: float) -> datetime.timedelta:
    return datetime.timedelta(seconds=n)


# Recording ------------------------------------------------------------------------------------


def test_a_rolled_back_change_asks_for_nothing(meeting, point_broker, frozen_broker):
    point_broker(frozen_broker.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue(CANCEL, meeting.pk)
        raise RuntimeError("the change fails")
    assert not OutboxJob.objects.exists()
    with transaction.atomic():
        row = outbox.enqueue(CANCEL, meeting.pk)
    row.refresh_from_db()
    assert (row.task_name, row.args, row.state) == (CANCEL, [meeting.pk], OutboxJob.State.PENDING)
    assert frozen_broker.connections() == 0  # recorded only: the relay hands it over


def test_arguments_are_ids_and_names_are_registered_tasks(meeting):
    with pytest.raises(TypeError):
        outbox.enqueue(CANCEL, meeting)  # a model instance
    with pytest.raises(LookupError):
        outbox.enqueue("meetings.tasks.no_such_task", meeting.pk)
    assert not OutboxJob.objects.exists()


def test_without_a_broker_the_commit_runs_the_task_in_process(
    meeting, django_capture_on_commit_callbacks
):
    from meetings import services

    assert outbox.runs_in_process()  # the tests' configuration, like `make run`
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting)
    row = OutboxJob.objects.get(task_name=CANCEL)
    assert (row.state, row.attempts) == (OutboxJob.State.DONE, 1)
    assert row.sent_at and row.started_at and row.finished_at
    assert len(mail.outbox) == 3


# Running once ---------------------------------------------------------------------------------


def test_a_duplicate_message_does_nothing(meeting, django_capture_on_commit_callbacks):
    from meetings import services

    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting)
    row = OutboxJob.objects.get(task_name=CANCEL)
    meeting.__class__.objects.filter(pk=meeting.pk).update(cancellation_sent_at=None)
    # The same message delivered again: the row is done, the body does not run.
    app.tasks[CANCEL].apply(args=[meeting.pk], headers={outbox.HEADER: row.pk})
    assert len(mail.outbox) == 3


def test_a_task_that_fails_for_good_is_marked_failed(
    meeting, django_capture_on_commit_callbacks, monkeypatch
):
    from meetings import services

    def broken(**kwargs):
        raise ValueError("gabarit introuvable")

    monkeypatch.setattr(services, "cancellation_deliver", broken)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting)
    row = OutboxJob.objects.get(task_name=CANCEL)
    assert row.state == OutboxJob.State.FAILED and "gabarit introuvable" in row.error


def test_a_celery_retry_keeps_the_row_and_the_retry_finishes_it(
    meeting, django_capture_on_commit_callbacks, monkeypatch
):
    from meetings import services

    real, calls = services.cancellation_deliver, []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise ConnectionError("serveur de courriel injoignable")
        return real(**kwargs)

    monkeypatch.setattr(services, "cancellation_deliver", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting)  # fails, retried (eagerly here), finishes
    row = OutboxJob.objects.get(task_name=CANCEL)
    assert len(calls) == 2
    assert (row.state, row.attempts) == (OutboxJob.State.DONE, 1)
    assert len(mail.outbox) == 3


def test_a_row_handed_over_too_often_fails_and_its_document_shows_echec(
    meeting, personas, client, point_broker, frozen_broker, django_capture_on_commit_callbacks
):
    from meetings import services

    point_broker(frozen_broker.url)
    with django_capture_on_commit_callbacks(execute=True):
        document, _ = services.agenda_publish(meeting=meeting, requested_by=personas["chef"])
    OutboxJob.objects.filter(task_name=AGENDA).update(
        state=OutboxJob.State.SENT, attempts=outbox.MAX_ATTEMPTS
    )
    assert outbox.relay(now=timezone.now() + outbox.MAX_HANDOVER_WAIT) == 0
    row = OutboxJob.objects.get(task_name=AGENDA)
    assert row.state == OutboxJob.State.FAILED and row.error
    document.refresh_from_db()
    assert document.status == DocumentJob.Status.FAILED
    client.force_login(personas["chef"])
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Échec" in page and "Réessayer" in page
    assert frozen_broker.connections() == 0  # nothing was sent for a row given up


# The request never talks to the broker ----------------------------------------------------------


def test_asking_for_a_document_opens_no_connection_to_a_frozen_broker(
    meeting, personas, client, point_broker, frozen_broker, django_capture_on_commit_callbacks
):
    """A web request with a broker configured (not eager) only records the job."""
    from meetings.models import AgendaDocument

    point_broker(frozen_broker.url)
    client.force_login(personas["chef"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings:agenda_publish", args=[meeting.pk]))
    assert response.status_code == 302
    assert frozen_broker.connections() == 0
    document = AgendaDocument.objects.get(meeting=meeting)
    assert document.status == DocumentJob.Status.PENDING
    row = OutboxJob.objects.get(task_name=AGENDA)
    assert (row.args, row.state) == ([document.pk], OutboxJob.State.PENDING)

    # The relay (in a worker) does talk to it: it gives up on its timeouts, the row waits.
    assert outbox.relay() == 0
    assert frozen_broker.connections() >= 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == (OutboxJob.State.PENDING, 0)
    assert "Courtier injoignable" in row.error


# Lost messages and dead workers (a real Redis) --------------------------------------------------


def test_a_handed_over_job_whose_message_was_lost_is_handed_over_again(
    broker, meeting, personas, django_capture_on_commit_callbacks
):
    from meetings import services
    from meetings.models import AgendaDocument

    broker(TEST_BROKER)
    with django_capture_on_commit_callbacks(execute=True):
        document, _ = services.agenda_publish(meeting=meeting, requested_by=personas["chef"])
    start = timezone.now()
    assert outbox.relay(now=start) == 1
    assert len(queued_messages(broker.redis, AGENDA)) == 1
    broker.redis.delete(
        queue_of(AGENDA)
    )  # the message is lost (a broker restarted without persistence)

    assert outbox.relay(now=start + outbox.HANDOVER_WAIT - seconds(1)) == 0
    assert outbox.relay(now=start + outbox.HANDOVER_WAIT + seconds(1)) == 1  # within a minute
    assert len(queued_messages(broker.redis, AGENDA)) == 1
    row = OutboxJob.objects.get(task_name=AGENDA)
    assert (row.state, row.attempts) == (OutboxJob.State.SENT, 2)
    # Still not started: the next hand-over waits twice as long (a long queue is not flooded).
    second = start + outbox.HANDOVER_WAIT + seconds(1)
    assert outbox.relay(now=second + outbox.HANDOVER_WAIT + seconds(1)) == 0
    assert run_worker_once(broker.redis) == 1
    assert AgendaDocument.objects.get(pk=document.pk).status == DocumentJob.Status.READY
    row.refresh_from_db()
    assert row.state == OutboxJob.State.DONE
    # Then its emails, and its filing among the meeting's documents (documents.hooks).
    assert outbox.relay() == 2 and run_worker_once(broker.redis) == 2
    assert len(mail.outbox) == 3


class RunningRequest:
    """Stands for a worker's `Request` (held by weak reference in its state)."""

    request_dict: dict


def test_a_live_worker_renews_the_lease_of_what_it_runs(meeting):
    from celery.worker import state

    with transaction.atomic():
        row = outbox.enqueue(CANCEL, meeting.pk)
    start = timezone.now()
    OutboxJob.objects.filter(pk=row.pk).update(
        state=OutboxJob.State.STARTED, due_at=start + outbox.LEASE
    )
    running = RunningRequest()
    running.request_dict = {"task": CANCEL, outbox.HEADER: row.pk}
    state.active_requests.add(running)  # what the worker runs now, as its consumer records it
    try:
        assert outbox.RelayThread.running_rows() == [row.pk]
    finally:
        state.active_requests.discard(running)
    later = start + outbox.LEASE - seconds(1)
    assert outbox.renew_leases([row.pk], now=later) == 1
    # Past the first lease the row is not due: its worker is alive.
    assert outbox.relay(now=start + outbox.LEASE + seconds(1)) == 0
    row.refresh_from_db()
    assert row.state == OutboxJob.State.STARTED


def test_finished_rows_are_purged_after_a_week(meeting):
    with transaction.atomic():
        row = outbox.enqueue(CANCEL, meeting.pk)
    OutboxJob.objects.filter(pk=row.pk).update(
        state=OutboxJob.State.DONE, finished_at=timezone.now()
    )
    assert outbox.purge(timezone.now()) == 0
    assert outbox.purge(timezone.now() + outbox.KEEP_DONE + seconds(1)) == 1


def test_the_admin_lists_the_rows_and_hands_a_failed_one_over_again(
    meeting, personas, as_role, django_capture_on_commit_callbacks
):
    with transaction.atomic():
        row = outbox.enqueue(CANCEL, meeting.pk)
    OutboxJob.objects.filter(pk=row.pk).update(
        state=OutboxJob.State.FAILED, attempts=outbox.MAX_ATTEMPTS, error="abandonnée"
    )
    meeting.__class__.objects.filter(pk=meeting.pk).update(status="cancelled")
    client = as_role("admin")
    changelist = reverse("admin:foundation_outboxjob_changelist")
    page = client.get(changelist, {"state": "failed"}).content.decode()
    assert CANCEL in page and "échec" in page
    assert (
        client.get(reverse("admin:foundation_outboxjob_change", args=[row.pk])).status_code == 200
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist, {"action": "hand_over_again", "_selected_action": [row.pk]}
        )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.state, row.attempts) == (OutboxJob.State.DONE, 1)  # no broker: it ran here
    assert len(mail.outbox) == 3
