"""Fixtures for `walks`: a walk of Ouest done yesterday, with stops along a small outline."""

from __future__ import annotations

import pytest

from tests.walks.factories import make_walk


@pytest.fixture(autouse=True)
def _eager_celery():
    from arras_quartiers.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def walk(personas, ouest):
    return make_walk(ouest, personas["chef"], invited=[personas["agent"]])
