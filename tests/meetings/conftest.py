"""Fixtures for `meetings`: an Ouest meeting with the personas invited the way the app invites them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import AgendaItem, Meeting
from observations.models import Category, Observation
from teams.models import ExternalParticipant


def next_working_day(days: int = 14, hour: int = 9) -> datetime.datetime:
    """A weekday morning `days` from now (Paris time), skipping weekends and French holidays."""
    import holidays

    day = timezone.localdate() + datetime.timedelta(days=days)
    fr = holidays.country_holidays("FR", years=[day.year, day.year + 1])
    while day.weekday() >= 5 or day in fr:
        day += datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 30)))


def make_meeting(
    quartier, organiser, *, days: int = 14, minutes: int = 120, allow_past: bool = False, **fields
) -> Meeting:
    start = fields.pop("start", None) or next_working_day(days)
    end = fields.pop("end", None) or start + datetime.timedelta(minutes=minutes)
    return services.meeting_create(
        kind=fields.pop("kind", Meeting.Kind.EQUIPE),
        organiser=organiser,
        quartier=quartier,
        place=fields.pop("place", "MSP Ouest"),
        start=start,
        end=end,
        allow_past=allow_past,
        **fields,
    )


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
        "public": Observation.objects.create(
            quartier=ouest,
            author=personas["agent"],
            category=category,
            title="Dépôt sauvage rue Baudimont",
            description="Encombrants au pied de l'immeuble depuis lundi.",
            place="rue Baudimont",
        ),
        "secret": Observation.objects.create(
            quartier=ouest,
            author=personas["agent"],
            category=category,
            title="Famille Durand en grande difficulté",
            description="Situation sociale sous secret professionnel : impayés de loyer.",
            place="résidence des Tilleuls",
            confidentiality=Observation.Confidentiality.CONFIDENTIAL,
        ),
    }


def add_item(meeting, who, title="Point", minutes=20, accept=True) -> AgendaItem:
    return services.item_propose(
        meeting=meeting, proposed_by=who, title=title, duration_minutes=minutes, accept=accept
    )


def publish(meeting, who, capture):
    """Publish the agenda and run what is sent after the commit (the PDF job, the emails)."""
    with capture(execute=True):
        return services.agenda_publish(meeting=meeting, requested_by=who)


def calendar_part(message):
    """The text/calendar part of an email as it is sent (serialised, then parsed back)."""
    import email
    import email.policy

    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    return next(part for part in parsed.walk() if part.get_content_type() == "text/calendar")
