"""Fixtures of the diagnostics tests: a diagnostic of Ouest at each state, Sud's draft."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from diagnostics.models import Diagnostic
from tests.diagnostics.factories import YEAR, at, diagnostic_in_state
from tests.observations.factories import ObservationFactory


@pytest.fixture
def make_diagnostic(personas):
    """make_diagnostic(quartier, year, status): Ouest's by its chef, another quartier's by the admin."""

    def _make(quartier, year: int = YEAR, status: str = Diagnostic.Status.DRAFT) -> Diagnostic:
        chef = personas["chef"] if quartier.slug == "ouest" else personas["admin"]
        return diagnostic_in_state(quartier, by=chef, year=year, status=status)

    return _make


@pytest.fixture
def ouest_draft(make_diagnostic, ouest):
    return make_diagnostic(ouest)


@pytest.fixture
def year_data(personas, ouest, sud, services):
    """A year of Ouest's work with known figures, and noise that must not be counted."""
    from meetings.models import Action, AgendaItem, Invitation, Meeting
    from observations.models import (
        Category,
        Escalation,
        NeedType,
        Orientation,
        StatusChange,
    )

    voirie = Category.objects.create(name="Voirie test", slug="voirie-test")
    lien = Category.objects.create(name="Lien social test", slug="lien-social-test")
    need = NeedType.objects.create(name="Logement test", slug="logement-test")
    agent, chef = personas["agent"], personas["chef"]

    def obs(category, when, **fields):
        fields.setdefault("quartier", ouest)
        fields.setdefault("title", f"Constat {category.name} {when:%d/%m}")
        return ObservationFactory(
            category=category, observed_at=when, author=agent, place="Square Baudimont", **fields
        )

    # Ouest, YEAR: 4 voirie (one emerging, one treated), 2 lien social (one confidential).
    treated = obs(voirie, at(YEAR, 2, 3), service=services["technique"], status="traitee")
    StatusChange.objects.create(
        observation=treated,
        to_status="traitee",
        changed_at=treated.created_at + datetime.timedelta(days=4),
    )
    obs(voirie, at(YEAR, 2, 20), is_emerging=True, title="Rodéos de motos le soir")
    obs(voirie, at(YEAR, 7, 14))
    # 00:30 on 1 January, Paris time: still the previous year in UTC, but this year's observation.
    obs(voirie, datetime.datetime(YEAR, 1, 1, 0, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")))
    escalated = obs(lien, at(YEAR, 9, 1), title="Fermeture du local associatif")
    obs(lien, at(YEAR, 11, 30), confidentiality="confidentiel", title="Situation familiale secrète")
    Escalation.objects.create(
        observation=escalated,
        escalated_by=chef,
        reason="Besoin d'un local",
        answer="Un local est proposé.",
        answered_at=at(YEAR, 9, 20),
    )
    # Previous year: 1 voirie. Noise: next year, and another quartier.
    obs(voirie, at(YEAR - 1, 5, 5))
    obs(voirie, at(YEAR + 1, 1, 2))
    obs(voirie, at(YEAR, 5, 5), quartier=sud)

    for day in (3, 10):
        Orientation.objects.create(
            quartier=ouest,
            need=need,
            service=services["ccas"],
            oriented_on=datetime.date(YEAR, 4, day),
        )
    Orientation.objects.create(
        quartier=sud, need=need, service=services["ccas"], oriented_on=datetime.date(YEAR, 4, 3)
    )

    held = Meeting.objects.create(
        kind="equipe",
        quartier=ouest,
        organiser=chef,
        place="MSP",
        start=at(YEAR, 3, 12, 9),
        end=at(YEAR, 3, 12, 11),
        status="held",
    )
    Meeting.objects.create(
        kind="equipe",
        quartier=ouest,
        organiser=chef,
        place="MSP",
        start=at(YEAR, 6, 12, 9),
        end=at(YEAR, 6, 12, 11),
        status="cancelled",
    )
    Invitation.objects.create(meeting=held, agent=agent, attended=True)
    Invitation.objects.create(meeting=held, agent=chef, attended=True)
    Invitation.objects.create(meeting=held, agent=personas["elu"], attended=False)
    item = AgendaItem.objects.create(meeting=held, title="Propreté du square", status="accepted")
    AgendaItem.objects.create(meeting=held, title="Point reporté", status="deferred")
    Action.objects.create(
        meeting=held,
        agenda_item=item,
        quartier=ouest,
        title="Nettoyer le square",
        owner=agent,
        due_date=datetime.date(YEAR, 4, 1),
        status="done",
    )
    Action.objects.create(
        meeting=held,
        agenda_item=item,
        quartier=ouest,
        title="Poser une poubelle",
        owner=agent,
        due_date=datetime.date(YEAR, 5, 1),
        status="todo",
    )
    return {"voirie": voirie, "lien": lien, "held": held}
