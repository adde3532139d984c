"""Fixtures for `meetings`: an Ouest meeting with the personas invited the way the app invites them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from meetings.models import Meeting
from observations.models import Category, Observation
from teams.models import ExternalParticipant
from tests.meetings.factories import make_meeting
from tests.observations.factories import ObservationFactory


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process unless a test starts a real worker (REDIS_URL may be set for that one)."""
    from arras_quartiers.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def meeting(personas, ouest) -> Meeting:
    """An équipe of Ouest in two weeks: the Ouest team (agent, chef) is invited; the élu is not."""
    return make_meeting(ouest, personas["chef"])


@pytest.fixture
def past_meeting(personas, ouest) -> Meeting:
    start = timezone.now() - datetime.timedelta(days=10)
    return make_meeting(
        ouest,
        personas["chef"],
        start=start,
        end=start + datetime.timedelta(hours=2),
        allow_past=True,
    )


@pytest.fixture
def external(ouest) -> ExternalParticipant:
    """A partner of Ouest (an association), invited by email only."""
    person = ExternalParticipant.objects.create(
        first_name="Karima", last_name="Zeroual", email="karima@asso.example"
    )
    person.quartiers.add(ouest)
    return person


@pytest.fixture
def category(db) -> Category:
    return Category.objects.get_or_create(
        slug="proprete-test", defaults={"name": "Propreté (test)"}
    )[0]


@pytest.fixture
def observations(personas, ouest, category) -> dict[str, Observation]:
    return {
        "public": ObservationFactory(
            quartier=ouest,
            author=personas["agent"],
            category=category,
            title="Dépôt sauvage rue Baudimont",
            description="Encombrants au pied de l'immeuble depuis lundi.",
            place="rue Baudimont",
        ),
        "secret": ObservationFactory(
            quartier=ouest,
            author=personas["agent"],
            category=category,
            title="Famille Durand en grande difficulté",
            description="Situation sociale sous secret professionnel : impayés de loyer.",
            place="résidence des Tilleuls",
            confidentiality=Observation.Confidentiality.CONFIDENTIAL,
        ),
    }
