"""A meeting's agenda and minutes as published: the shapes read back from a document's `content`.

At publication, the agenda (or the minutes) is frozen as JSON on its document row
(`selectors.agenda_content`, `selectors.minutes_content`); readers' pages and the PDF are made
from it (`selectors.published_schedule`), so what the chef de projet changes afterwards stays a
draft until the next version is published. These objects answer the attributes the templates
read on the live `AgendaItem`, `Action` and `Observation`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.urls import reverse


class Listed[T](list[T]):
    """A list that templates (and `documents`) read like a related manager: `.all`."""

    def all(self) -> Listed[T]:
        return self


@dataclass(frozen=True)
class PublishedCitation:
    """An observation cited as it was published: its number and public title/summary only."""

    pk: int
    public_title: str
    public_summary: str

    def get_absolute_url(self) -> str:
        return reverse("observations:detail", args=[self.pk])


@dataclass(frozen=True)
class PublishedPerson:
    name: str

    def __str__(self) -> str:
        return self.name

    def get_full_name(self) -> str:
        return self.name


@dataclass
class PublishedAction:
    title: str
    description: str
    owner: PublishedPerson
    due_date: datetime.date
    status_display: str
    priority: str
    services: Listed[str]
    observation: PublishedCitation | None

    @property
    def observation_id(self) -> int | None:
        return self.observation.pk if self.observation else None

    def get_status_display(self) -> str:
        return self.status_display


@dataclass
class PublishedItem:
    pk: int
    title: str
    description: str
    duration_minutes: int
    proposed_by: PublishedPerson | None
    is_action_review: bool
    notes: str
    decisions: str
    observations: Listed[PublishedCitation] = field(default_factory=Listed)

    def __str__(self) -> str:
        return self.title

    @property
    def decision_list(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.decisions.splitlines() if line.strip(" -•\t")]


def citation_data(observation) -> dict:
    return {
        "pk": observation.pk,
        "title": observation.public_title,
        "summary": observation.public_summary,
    }


def citation_from(data: dict | None) -> PublishedCitation | None:
    if not data:
        return None
    return PublishedCitation(
        pk=data["pk"], public_title=data["title"], public_summary=data["summary"]
    )


def action_data(action, *, full: bool = True) -> dict:
    """An action as published; `full=False` for the actions reviewed (title, owner, due date)."""
    return {
        "title": action.title,
        "description": action.description if full else "",
        "owner": str(action.owner),
        "due_date": action.due_date.isoformat(),
        "status": str(action.get_status_display()),
        "priority": str(action.priority) if full and action.priority_id else "",
        "services": [str(service) for service in action.services.all()] if full else [],
        "observation": citation_data(action.observation)
        if full and action.observation_id
        else None,
    }


def action_from(data: dict) -> PublishedAction:
    return PublishedAction(
        title=data["title"],
        description=data["description"],
        owner=PublishedPerson(data["owner"]),
        due_date=datetime.date.fromisoformat(data["due_date"]),
        status_display=data["status"],
        priority=data["priority"],
        services=Listed(data["services"]),
        observation=citation_from(data["observation"]),
    )


def item_data(item) -> dict:
    return {
        "pk": item.pk,
        "title": item.title,
        "description": item.description,
        "duration_minutes": item.duration_minutes,
        "proposed_by": str(item.proposed_by) if item.proposed_by_id else None,
        "is_action_review": item.is_action_review,
        "notes": item.notes,
        "decisions": item.decisions,
        "citations": [citation_data(o) for o in item.observations.all()],
    }


def item_from(data: dict) -> PublishedItem:
    citations = [citation_from(c) for c in data["citations"]]
    return PublishedItem(
        pk=data["pk"],
        title=data["title"],
        description=data["description"],
        duration_minutes=data["duration_minutes"],
        proposed_by=PublishedPerson(data["proposed_by"]) if data["proposed_by"] else None,
        is_action_review=data["is_action_review"],
        notes=data["notes"],
        decisions=data["decisions"],
        observations=Listed(c for c in citations if c is not None),
    )
