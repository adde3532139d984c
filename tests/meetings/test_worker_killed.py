"""Real processes: a Celery worker killed (SIGKILL) while it emails an agenda to 30 invitees,
then another worker. Nobody is left unserved by the redelivery, nobody is mailed twice; the one
email the kill may have caught in flight is left "à vérifier" for the organiser.

Runs on PostgreSQL with REDIS_URL set: the worker processes share the test database.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from django.utils import timezone

from foundation import mail
from foundation.models import DocumentJob, MailDelivery, OutboxJob
from meetings import deliveries, services
from meetings.models import AgendaDocument
from teams.models import ExternalParticipant
from tests.jobs.brokers import WORKER_COMMAND, redis_up
from tests.jobs.test_outbox_processes import ROOT, WORKER_BROKER, process_env, wait_for
from tests.meetings.factories import add_item

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL")
    or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), as in CI's first pass",
)

INVITEES = 30
State = MailDelivery.State


def start_worker(tmp_path: Path, log) -> subprocess.Popen:
    env = {
        **process_env(tmp_path, WORKER_BROKER),
        "EMAIL_BACKEND": "tests.meetings.mailers.SlowFileBackend",
        "MAIL_DIR": str(tmp_path / "mails"),
        "MAIL_DELAY": "0.2",
    }
    return subprocess.Popen(
        WORKER_COMMAND,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def received(tmp_path: Path) -> Counter[str]:
    """How many emails each address received (accepted by the "mail server")."""
    return Counter(p.name.rsplit(".", 2)[0] for p in (tmp_path / "mails").iterdir())


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_letter_leaves_nobody_unserved_and_nobody_mailed_twice(
    meeting, personas, tmp_path, monkeypatch
):
    if not redis_up():
        pytest.fail("Redis is required at 127.0.0.1:6379")
    import redis

    redis.Redis.from_url(WORKER_BROKER).flushdb()
    (tmp_path / "mails").mkdir()
    people = [
        ExternalParticipant.objects.create(
            first_name=f"Partenaire{n}", last_name="Asso", email=f"p{n}@asso.example"
        )
        for n in range(INVITEES - meeting.invitations.count())
    ]
    services.invitations_add(meeting=meeting, externals=people)
    add_item(meeting, personas["agent"], "Propreté", 20)
    monkeypatch.setattr("foundation.outbox.runs_in_process", lambda: False)  # the workers run it
    document, _ = services.agenda_publish(meeting=meeting, requested_by=personas["chef"])
    rows = deliveries.rows_of(meeting.pk, "agenda", document.version)
    assert rows.filter(state=State.PENDING).count() == INVITEES  # planned with the publication
    log = (tmp_path / "worker.log").open("w")
    workers = [start_worker(tmp_path, log)]
    try:
        wait_for(lambda: rows.filter(state=State.SENT).count() >= 8, "8 sent", workers)
        os.kill(workers[0].pid, signal.SIGKILL)  # the worker dies mid-letter
        workers[0].wait()
        assert rows.filter(state=State.PENDING).exists()
        assert rows.filter(state=State.SENDING).count() <= 1  # the one the kill caught, if any

        # The render stored the PDF, then asked for the letter's own task (queue `mail`): its
        # outbox lease expires (45 s in production, no wait here); another worker takes over.
        job = OutboxJob.objects.get(task_name=AgendaDocument.mail_task_name, args=[document.pk])
        assert job.state == OutboxJob.State.STARTED
        OutboxJob.objects.filter(pk=job.pk).update(due_at=timezone.now())
        workers.append(start_worker(tmp_path, log))
        wait_for(
            lambda: OutboxJob.objects.get(pk=job.pk).state == OutboxJob.State.DONE,
            "the redelivered letter is done",
            workers[1:],
        )
        assert not rows.filter(state=State.PENDING).exists()
        # The lease of the claim in flight expires: "à vérifier", never re-sent by itself.
        mail.sweep(now=timezone.now() + datetime.timedelta(hours=1))
        mails = received(tmp_path)
        assert set(mails.values()) == {1}  # nobody twice
        sent = set(rows.filter(state=State.SENT).values_list("email", flat=True))
        doubtful = set(rows.filter(state=State.UNCONFIRMED).values_list("email", flat=True))
        assert len(sent) + len(doubtful) == INVITEES and len(doubtful) <= 1
        assert sent <= set(mails) and set(mails) <= sent | doubtful

        # The organiser resends to the invitee in doubt: every invitee has the agenda.
        assert services.deliveries_resend(meeting=meeting, kind="agenda") == len(doubtful)
        wait_for(
            lambda: rows.filter(state=State.SENT).count() == INVITEES, "all served", workers[1:]
        )
        assert len(received(tmp_path)) == INVITEES
        assert AgendaDocument.objects.get(pk=document.pk).status == DocumentJob.Status.READY
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)
        log.close()
