"""A real Redis broker and a real Celery worker: publish, render, email once, redeliver, nothing twice.

Run with REDIS_URL=redis://127.0.0.1:6379/5 (a database number of its own).
"""

import os
import time

import pytest

from foundation import jobs
from foundation.models import DocumentJob
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
    add_item(meeting, personas["agent"], "Propreté", 20)
    invitees = meeting.invitations.count()
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=30, loglevel="WARNING"
    ):
        document, created = services.agenda_publish(
            meeting=meeting, requested_by=personas["chef"]
        )  # commits: sent to Redis
        assert created
        assert _wait(lambda: AgendaDocument.objects.get(pk=document.pk).emails_sent_at is not None)
        document.refresh_from_db()
        assert document.status == DocumentJob.Status.READY and document.file
        assert _wait(lambda: len(mailoutbox) == invitees)
        # The broker redelivers the same message (or the sweeper sends it again): nothing is sent twice.
        assert jobs.send(AgendaDocument, document.pk)
        services.agenda_publish(meeting=meeting, requested_by=personas["chef"])  # a second click
        time.sleep(3)
    assert len(mailoutbox) == invitees
    assert AgendaDocument.objects.filter(meeting=meeting).count() == 1
    assert AgendaDocument.objects.get(pk=document.pk).attempts == 1
