"""Real worker processes per queue, on the real Redis, as production runs them (one worker per
queue): a documents worker killed (SIGKILL) mid-render leads to one document and one email per
invitee; a burst of slow renders does not delay an email.

The renders are made slow by a test-only hook the workers load (`tests.jobs.slow_renders`); the
lease and the visibility timeout are short, through the environment, as a deployment sets them.
Runs on PostgreSQL with REDIS_URL set: the processes share the test database.
"""

from __future__ import annotations

import datetime
import email
import email.policy
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from foundation.models import DocumentJob, MailDelivery, OutboxJob
from meetings import deliveries, services
from meetings.models import AgendaDocument
from tests.jobs.brokers import WORKER_COMMAND, redis_up
from tests.jobs.test_outbox_processes import ROOT, WORKER_BROKER, process_env, stop, wait_for
from tests.meetings.factories import add_item, make_meeting

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL")
    or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), as in CI's first pass",
)

LEASE, VISIBILITY = 6, 10  # seconds (defaults: 45 and 3600)


class Workers:
    """Worker processes of the project, each consuming one queue, killed or stopped at the end."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.log = (tmp_path / "workers.log").open("w")
        self.processes: list[subprocess.Popen] = []
        (tmp_path / "mails").mkdir()

    def start(self, queue: str, render_delay: float = 0) -> subprocess.Popen:
        env = {
            **process_env(self.tmp_path, WORKER_BROKER),
            "EMAIL_BACKEND": "tests.meetings.mailers.SlowFileBackend",
            "MAIL_DIR": str(self.tmp_path / "mails"),
            "MAIL_DELAY": "0",
            "RENDER_DELAY": str(render_delay),
            "OUTBOX_LEASE": str(LEASE),
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
        }
        command = [*WORKER_COMMAND, "-Q", queue, "-n", f"{queue}{len(self.processes)}@%h"]
        process = subprocess.Popen(
            [*command, "--include", "tests.jobs.slow_renders"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def alive(self) -> list[subprocess.Popen]:
        return [p for p in self.processes if p.poll() is None]

    def received(self) -> Counter[str]:
        """How many emails each address received (accepted by the "mail server")."""
        return Counter(p.name.rsplit(".", 2)[0] for p in (self.tmp_path / "mails").iterdir())

    def subjects(self) -> list[str]:
        """The subjects of the emails received, as a mail reader decodes them."""
        return [
            str(email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["subject"])
            for p in (self.tmp_path / "mails").iterdir()
        ]

    def close(self) -> None:
        for process in self.alive():
            stop(process)
        self.log.close()


@pytest.fixture
def workers(tmp_path, monkeypatch):
    if not redis_up():
        pytest.fail("Redis is required at 127.0.0.1:6379")
    import redis

    client = redis.Redis.from_url(WORKER_BROKER)
    client.flushdb()
    monkeypatch.setattr("foundation.outbox.runs_in_process", lambda: False)  # the workers run it
    started = Workers(tmp_path)
    started.redis = client
    yield started
    started.close()
    client.flushdb()


def stored_pdfs(tmp_path: Path) -> list[Path]:
    """The rendered PDFs (not their copies filed among the meeting's shared documents)."""
    return list((tmp_path / "media" / "documents").rglob("*.pdf"))


@pytest.mark.django_db(transaction=True)
def test_a_documents_worker_killed_mid_render_gives_one_document_and_one_email_each(
    meeting, personas, workers, tmp_path
):
    document, _ = services.agenda_publish(meeting=meeting, requested_by=personas["chef"])
    render = OutboxJob.objects.get(task_name=AgendaDocument.task_name, args=[document.pk])
    invitees = {personas[r].email for r in ("agent", "chef", "elu")}
    mailer = workers.start("mail")
    first = workers.start("documents", render_delay=120)  # stuck in the render

    wait_for(
        lambda: AgendaDocument.objects.get(pk=document.pk).status == DocumentJob.Status.RUNNING,
        "the render started",
        [mailer, first],
    )
    time.sleep(1)  # well inside WeasyPrint's call
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    assert AgendaDocument.objects.get(pk=document.pk).status == DocumentJob.Status.RUNNING
    assert not stored_pdfs(tmp_path) and not workers.received()
    # The dead worker never acknowledged its message: Redis holds it for the visibility timeout,
    # or has already put it back in its queue (a worker starting on a slow machine restores
    # the messages whose visibility timeout ran out): never lost, never doubled.
    assert workers.redis.hlen("unacked") + workers.redis.llen("documents") == 1

    # Another documents worker: the relay hands the row over again once its lease ran out (or
    # Redis gives the message again after the visibility timeout), whichever comes first.
    second = workers.start("documents")
    wait_for(
        lambda: (
            deliveries.rows_of(meeting.pk, "agenda", document.version)
            .filter(state=MailDelivery.State.SENT)
            .count()
            == len(invitees)
        ),
        "every invitee served",
        [mailer, second],
        limit=LEASE + VISIBILITY + 60,
    )
    # Past the visibility timeout the original message came back too, and did nothing.
    wait_for(lambda: workers.redis.hlen("unacked") == 0, "redelivered", [mailer, second], limit=150)
    # (The filing of the PDF among the meeting's documents waits for a `default` worker.)
    ours = OutboxJob.objects.filter(
        task_name__in=[AgendaDocument.task_name, AgendaDocument.mail_task_name]
    )
    wait_for(
        lambda: not ours.exclude(state=OutboxJob.State.DONE).exists(),
        "every task done",
        [mailer, second],
    )
    time.sleep(3)  # anything more would have run by now

    document = AgendaDocument.objects.get(pk=document.pk)
    assert document.status == DocumentJob.Status.READY and document.attempts == 2
    assert AgendaDocument.objects.filter(meeting=meeting).count() == 1
    assert [p.name for p in stored_pdfs(tmp_path)] == [Path(document.file.name).name]
    assert workers.received() == Counter(dict.fromkeys(invitees, 1))  # one email each
    render.refresh_from_db()
    assert render.attempts == 2 and render.state == OutboxJob.State.DONE
    mails = OutboxJob.objects.get(task_name=AgendaDocument.mail_task_name, args=[document.pk])
    assert (mails.state, mails.attempts) == (OutboxJob.State.DONE, 1)


BURST = 20


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_renders_does_not_delay_an_email(meeting, personas, ouest, workers):
    agendas = []
    for n in range(BURST):
        other = make_meeting(ouest, personas["chef"], days=20 + n, place=f"Salle {n}")
        add_item(other, personas["agent"], f"Point {n}", 20)
        agendas.append(services.agenda_publish(meeting=other, requested_by=personas["chef"])[0])
    services.meeting_cancel(meeting=meeting)  # one email task, asked for after the 20 renders
    cancellation = deliveries.rows_of(meeting.pk, deliveries.Kind.CANCELLATION, 0)
    invitees = cancellation.count()
    assert invitees >= 3

    processes = [workers.start("documents", render_delay=2), workers.start("mail")]
    wait_for(
        lambda: cancellation.filter(state=MailDelivery.State.SENT).count() == invitees,
        "the cancellation is sent",
        processes,
        limit=180,  # the workers' start included
    )
    rendered = AgendaDocument.objects.filter(
        pk__in=[a.pk for a in agendas], status=DocumentJob.Status.READY
    ).count()
    # Most renders still wait on their queue (each takes over 2 s): the email did not.
    assert rendered <= BURST // 2, rendered
    # Handed over with the renders, sent within seconds (a queue behind them: 40 s or more).
    row = OutboxJob.objects.get(task_name="meetings.tasks.send_cancellation")
    assert row.finished_at - row.sent_at < datetime.timedelta(seconds=BURST), row
    cancelled = [s for s in workers.subjects() if s.startswith("Réunion annulée")]
    assert len(cancelled) == invitees, workers.subjects()
