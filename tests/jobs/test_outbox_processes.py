"""Real processes: a web server that never talks to the broker, a worker whose relay does.

The web server (`manage.py runserver`, configured with a broker, so not eager) points at a
"frozen" broker that accepts connections and never answers; publishing an agenda over HTTP must
open no connection to it, answer as usual and record the job. Then a real Celery worker on the
real Redis (its own database number) hands the recorded job over and renders the document.
Runs on PostgreSQL with REDIS_URL set (as CI's first pass does): the processes share its test
database, which an in-memory SQLite test database cannot be.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from foundation.models import DocumentJob, OutboxJob
from tests.jobs.brokers import WORKER_COMMAND, redis_up

ROOT = Path(__file__).resolve().parents[2]
WORKER_BROKER = "redis://127.0.0.1:6379/9"
CSRF = "outboxtestcsrftoken0123456789abc"  # any 32 letters and digits: cookie and header agree

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL")
    or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), as in CI's first pass",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def process_env(tmp_path: Path, broker_url: str) -> dict[str, str]:
    """What `make run` or a deployment sets: no TESTING, a broker, the test database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"TESTING", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return {
        **env,
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }


def wait_for(predicate, what: str, processes=(), limit: float = 120.0) -> None:
    """Poll until `predicate()`; a process that exits or the limit ends the wait with a failure."""
    deadline = time.monotonic() + limit
    while not predicate():
        for process in processes:
            assert process.poll() is None, f"{what}: a process exited ({process.args})"
        assert time.monotonic() < deadline, f"{what}: not reached"
        time.sleep(0.3)


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.mark.django_db(transaction=True)
def test_the_request_records_the_job_and_a_real_worker_renders_it(
    meeting, personas, client, frozen_broker, tmp_path
):
    from meetings.models import AgendaDocument

    if not redis_up():
        pytest.fail("Redis is required at 127.0.0.1:6379")
    import redis

    redis.Redis.from_url(WORKER_BROKER).flushdb()
    client.force_login(personas["chef"])  # a session row the server reads
    session = client.cookies["sessionid"].value
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=process_env(tmp_path, frozen_broker.url),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker = None
    try:
        wait_for(lambda: listening(port), "the web server listens", [server])
        web = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        web.request(
            "POST",
            reverse("meetings:agenda_publish", args=[meeting.pk]),
            headers={
                "Cookie": f"sessionid={session}; csrftoken={CSRF}",
                "X-CSRFToken": CSRF,
                "Content-Length": "0",
            },
        )
        response = web.getresponse()
        assert response.status == 302, (response.status, response.read()[:500])
        assert response.getheader("Location").startswith(meeting.get_absolute_url())
        web.close()

        # The request answered without opening a single connection to the (frozen) broker.
        assert frozen_broker.connections() == 0
        document = AgendaDocument.objects.get(meeting=meeting)
        assert document.status == DocumentJob.Status.PENDING
        row = OutboxJob.objects.get(task_name="meetings.tasks.render_agenda")
        assert (row.args, row.state) == ([document.pk], OutboxJob.State.PENDING)

        # A real worker on the real Redis: its relay hands the recorded job over, it renders.
        worker = subprocess.Popen(
            WORKER_COMMAND,
            cwd=ROOT,
            env=process_env(tmp_path, WORKER_BROKER),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for(
            lambda: AgendaDocument.objects.get(pk=document.pk).is_finished,
            "the document is rendered",
            [server, worker],
        )
        document.refresh_from_db()
        assert document.status == DocumentJob.Status.READY, document.error
        assert (tmp_path / "media" / document.file.name).read_bytes()[:5] == b"%PDF-"
        wait_for(
            lambda: OutboxJob.objects.get(pk=row.pk).state == OutboxJob.State.DONE,
            "the outbox row is done",
            [worker],
        )
        row.refresh_from_db()
        assert row.attempts == 1
        assert frozen_broker.connections() == 0
    finally:
        for process in (worker, server):
            if process is not None:
                stop(process)
        log.close()
