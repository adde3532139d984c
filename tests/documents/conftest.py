"""Fixtures for `documents`: Ouest's space, a working group spanning Ouest and Sud."""

from __future__ import annotations

import pytest

from documents import services
from meetings.models import WorkingGroup


@pytest.fixture(autouse=True)
def _eager_celery():
    from arras_quartiers.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def ouest_space(ouest):
    return services.space_of_quartier(ouest)


@pytest.fixture
def sud_space(sud):
    return services.space_of_quartier(sud)


@pytest.fixture
def group(ouest, personas):
    """A working group spanning Ouest, with the responsable de service as a member."""
    group = WorkingGroup.objects.create(name="Jeunesse et sport")
    group.quartiers.add(ouest)
    group.members.add(personas["responsable"])
    return group


@pytest.fixture
def group_space(group):
    return services.space_of_working_group(group)
