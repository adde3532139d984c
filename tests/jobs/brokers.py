"""Brokers for the job tests: the real Redis (database 7), a dead port, a frozen one; and a
worker's part played in-process. The fixtures that use them are in conftest.py.
"""

from __future__ import annotations

import base64
import json
import socket
import sys

from arras_quartiers.celery import QUEUES, app
from foundation import outbox

REDIS = ("127.0.0.1", 6379)
TEST_BROKER = "redis://127.0.0.1:6379/7"
DEAD_BROKER = "redis://127.0.0.1:6390/0"


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


class FrozenBroker:
    """Accepts TCP connections (the kernel does, from its backlog) and never answers."""

    def __init__(self) -> None:
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.listener.setblocking(False)
        self.port = self.listener.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.accepted: list[socket.socket] = []

    def connections(self) -> int:
        """How many connections were opened so far (each is taken and kept open, unanswered)."""
        while True:
            try:
                conn, _ = self.listener.accept()
            except BlockingIOError:
                return len(self.accepted)
            self.accepted.append(conn)

    def close(self) -> None:
        for conn in self.accepted:
            conn.close()
        self.listener.close()


def queue_of(task: str) -> str:
    """The queue the task is routed to (kombu keeps each queue as a Redis list of that name)."""
    return app.amqp.router.route({}, task)["queue"].name


def queued_messages(client, task: str) -> list[dict]:
    """The task's messages waiting in Redis, in the list of its queue."""
    messages = [json.loads(raw) for raw in client.lrange(queue_of(task), 0, -1)]
    return [m for m in messages if m["headers"]["task"] == task]


def run_worker_once(client, queues=QUEUES) -> int:
    """Take the queued messages and run them as a worker would (same database, in-process)."""
    ran = 0
    while raw := next(filter(None, (client.lpop(queue) for queue in queues)), None):
        message = json.loads(raw)
        task = app.tasks[message["headers"]["task"]]
        args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        task.apply(
            args=args, kwargs=kwargs, headers={outbox.HEADER: message["headers"][outbox.HEADER]}
        )
        ran += 1
    return ran


#: A real Celery worker of the project, one process, as the tests start and kill it.
WORKER_COMMAND = [
    sys.executable, "-m", "celery", "-A", "arras_quartiers", "worker", "--pool", "solo",
    "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle",
]  # fmt: skip
