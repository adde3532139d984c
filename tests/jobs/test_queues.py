"""Queues per kind of work: renders on `documents`, emails on `mail`, the rest on `default`.

The table (`arras_quartiers.celery.ROUTES`) names every task's queue; the messages land in the
Redis list of that queue (a real Redis); a render stores its document and only then asks for its
emails, a task of its own on `mail`. (Without a broker, `make run`, every routed task is
registered and runs in-process: tests/foundation/test_tasks_contracts.py and
test_make_run_documents.py.)
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core import mail

from arras_quartiers.celery import DEFAULT, DOCUMENTS, MAIL, QUEUES, ROUTES, app
from foundation import outbox
from foundation.models import DocumentJob, OutboxJob, document_job_models
from tests.jobs.brokers import TEST_BROKER, queue_of, queued_messages, run_worker_once
from tests.jobs.test_make_run_documents import make_run_env
from tests.jobs.test_outbox_processes import ROOT

AGENDA, SEND_AGENDA = "meetings.tasks.render_agenda", "meetings.tasks.send_agenda"


def project_tasks() -> set[str]:
    return {name for name in app.tasks if not name.startswith("celery.")}


def test_every_task_has_its_queue_and_every_route_a_task():
    assert project_tasks() == set(ROUTES), "add the new task to ROUTES with its queue"
    for name, queue in ROUTES.items():
        assert queue_of(name) == queue in QUEUES
    assert {queue.name for queue in app.conf.task_queues} == {DOCUMENTS, MAIL, DEFAULT}
    assert queue_of("an.unknown.task") == DEFAULT  # never a queue nobody consumes


@pytest.mark.django_db
def test_renders_go_to_documents_and_their_emails_to_mail():
    emailed = 0
    for model in document_job_models():
        assert queue_of(model.task_name) == DOCUMENTS, model.task_name
        if model.mail_task_name:
            assert queue_of(model.mail_task_name) == MAIL, model.mail_task_name
            emailed += 1
    assert emailed >= 3  # agenda, minutes, the comité's digest
    # Every task that sends an email is on `mail`, the periodic reminders included.
    for name in project_tasks():
        verb = name.rsplit(".", 1)[-1].split("_", 1)[0]
        if (
            verb in {"send", "remind", "notify"}
            and name != "bookings.tasks.remind_vehicle_bookings"
        ):
            assert ROUTES[name] == MAIL, name
    # Beat's periodic tasks are routed by the same table when beat sends them.
    assert all(entry["task"] in ROUTES for entry in app.conf.beat_schedule.values())


def test_the_worker_of_make_worker_consumes_every_queue():
    makefile = (ROOT / "Makefile").read_text()
    assert "QUEUES := documents,mail,default" in makefile
    for queue in QUEUES:
        assert f"-Q {queue} -n {queue}@%h" in makefile  # production: one worker per queue


def test_a_render_lands_in_documents_then_its_emails_in_mail(
    broker, meeting, personas, django_capture_on_commit_callbacks
):
    from meetings import services
    from meetings.models import AgendaDocument

    broker(TEST_BROKER)
    with django_capture_on_commit_callbacks(execute=True):
        document, _ = services.agenda_publish(meeting=meeting, requested_by=personas["chef"])
    assert outbox.relay() == 1
    assert [m["headers"]["task"] for m in queued_messages(broker.redis, AGENDA)] == [AGENDA]
    assert broker.redis.llen(DOCUMENTS) == 1 and not broker.redis.exists(MAIL, "celery")

    # The documents worker renders it and asks for its emails: nothing is sent by the render.
    assert run_worker_once(broker.redis, queues=[DOCUMENTS]) == 1
    assert AgendaDocument.objects.get(pk=document.pk).status == DocumentJob.Status.READY
    assert not mail.outbox
    assert OutboxJob.objects.get(task_name=SEND_AGENDA, args=[document.pk]).state == (
        OutboxJob.State.PENDING
    )
    # Its emails on `mail`; its filing among the meeting's documents (a copy) on `default`.
    assert outbox.relay() == 2
    assert broker.redis.llen(MAIL) == 1 and not broker.redis.exists(DOCUMENTS)
    assert broker.redis.llen(DEFAULT) == 1

    # The mail worker sends one email per invitee.
    assert run_worker_once(broker.redis, queues=[MAIL]) == 1
    assert run_worker_once(broker.redis, queues=[DEFAULT]) == 1
    # The filed copy's text is extracted for the search, on `documents` like a render.
    assert outbox.relay() == 1 and broker.redis.llen(DOCUMENTS) == 1
    assert run_worker_once(broker.redis, queues=[DOCUMENTS]) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        personas[r].email for r in ("agent", "chef", "elu")
    )
    assert set(OutboxJob.objects.values_list("state", flat=True)) == {OutboxJob.State.DONE}


@pytest.mark.skipif(os.name != "posix", reason="POSIX processes")
def test_the_lease_and_the_visibility_timeout_come_from_the_environment(tmp_path):
    script = (
        "import django; django.setup();"
        "from django.conf import settings; from foundation import outbox;"
        "print(outbox.LEASE.total_seconds(), outbox.RENEW_EVERY.total_seconds(),"
        " settings.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'])"
    )
    env = {
        **make_run_env(tmp_path),
        "DJANGO_SETTINGS_MODULE": "arras_quartiers.settings",
        "OUTBOX_LEASE": "12",
        "CELERY_VISIBILITY_TIMEOUT": "30",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.stdout.split() == ["12.0", "4.0", "30"], done.stderr[-2000:]
    env["OUTBOX_LEASE"] = "2"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode != 0 and "OUTBOX_LEASE must be at least 6 seconds" in done.stderr
