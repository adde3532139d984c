"""Fixtures for `bookings`: the MSP of Ouest with its room, vehicle and bikes."""

from __future__ import annotations

import pytest

from bookings.models import Resource
from tests.bookings.factories import make_place, make_resource


@pytest.fixture(autouse=True)
def _eager_celery():
    from arras_quartiers.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def msp(ouest):
    return make_place(ouest)


@pytest.fixture
def bike(msp):
    return make_resource(msp, "Vélo n° 1", audience=Resource.Audience.EVERYONE)


@pytest.fixture
def vehicle(msp):
    return make_resource(
        msp, "Véhicule électrique", kind=Resource.Kind.VEHICLE, max_duration_minutes=480
    )


@pytest.fixture
def room(msp):
    return make_resource(
        msp,
        "Salle de réunion",
        kind=Resource.Kind.ROOM,
        capacity=18,
        max_duration_minutes=480,
        max_days_ahead=400,
    )
