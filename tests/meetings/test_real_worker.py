"""A real Redis broker and a real Celery worker: publish, render, email once, redeliver, nothing twice.

The worker runs in this process (its relay thread included), on the broker of REDIS_URL.
"""

import os
import time

import pytest

from foundation import outbox
from foundation.models import DocumentJob, OutboxJob
from meetings import services
from meetings.models import AgendaDocument
from tests.meetings.factories import add_item

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="REDIS_URL is not set: no Redis broker to run a real worker against",
)


def _wait(predicate, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_publish_through_redis_and_a_worker(personas, meeting, mailoutbox, settings):
    from celery.contrib.testing.worker import start_worker

    from arras_quartiers.celery import app

    assert app.conf.broker_url.startswith("redis://"), app.conf.broker_url
    app.conf.task_always_eager = False
    add_item(meeting, personas["chef"], "Propreté", 20)
    invitees = meeting.invitations.count()
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=30, loglevel="WARNING"
    ):
        document, created = services.agenda_publish(
            meeting=meeting, requested_by=personas["chef"]
        )  # commits: recorded in the outbox, handed to Redis by the worker's relay
        assert created
        assert _wait(lambda: AgendaDocument.objects.get(pk=document.pk).emails_sent_at is not None)
        document.refresh_from_db()
        assert document.status == DocumentJob.Status.READY and document.file
        assert _wait(lambda: len(mailoutbox) == invitees)
        row = OutboxJob.objects.get(task_name=AgendaDocument.task_name, args=[document.pk])
        assert _wait(lambda: OutboxJob.objects.get(pk=row.pk).state == OutboxJob.State.DONE)
        # The broker redelivers the same message, and the task is sent from outside the outbox:
        # nothing is sent twice.
        app.send_task(AgendaDocument.task_name, args=[document.pk], headers={outbox.HEADER: row.pk})
        app.send_task(AgendaDocument.task_name, args=[document.pk])
        services.agenda_publish(meeting=meeting, requested_by=personas["chef"])  # a second click
        time.sleep(3)
    assert len(mailoutbox) == invitees
    assert AgendaDocument.objects.filter(meeting=meeting).count() == 1
    assert AgendaDocument.objects.get(pk=document.pk).attempts == 1
    assert OutboxJob.objects.get(pk=row.pk).attempts == 1
