"""Fixtures of the job tests: brokers (the real Redis, flushed; a dead port; a frozen one) and
a meeting whose agenda is the document job. The Redis tests are skipped without Redis on a
laptop and fail in CI. A "frozen" broker accepts connections and never answers.
"""

from __future__ import annotations

import os

import pytest

from arras_quartiers.celery import app
from tests.jobs.brokers import TEST_BROKER, FrozenBroker, forget_connections, redis_up
from tests.meetings.factories import add_item, make_meeting


@pytest.fixture
def point_broker(settings):
    """`point_broker(url)`: Celery sends to that broker, not eagerly; restored after."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}

    def point(url: str) -> None:
        app.conf.broker_url = url
        app.conf.task_always_eager = False
        settings.CELERY_TASK_ALWAYS_EAGER = False
        forget_connections()

    yield point
    app.conf.update(saved)
    forget_connections()


@pytest.fixture
def broker(point_broker):
    """The real Redis (`broker(TEST_BROKER)`, `broker.redis` to read it) or a dead port."""
    if not redis_up():
        if os.environ.get("CI"):
            pytest.fail("Redis is required in CI at 127.0.0.1:6379")
        pytest.skip("Redis absent sur 127.0.0.1:6379")
    import redis

    client = redis.Redis.from_url(TEST_BROKER)
    client.flushdb()
    point_broker.redis = client
    yield point_broker
    client.flushdb()


@pytest.fixture
def frozen_broker():
    frozen = FrozenBroker()
    yield frozen
    frozen.close()


@pytest.fixture
def meeting(personas, ouest):
    """An équipe of Ouest, three agents invited, one accepted point on its agenda."""
    from meetings.models import Invitation

    meeting = make_meeting(ouest, personas["chef"])
    for role in ("agent", "chef", "elu"):
        Invitation.objects.get_or_create(meeting=meeting, agent=personas[role])
    add_item(meeting, personas["agent"], "Fête de quartier", 30)
    return meeting
