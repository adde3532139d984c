"""Factories of `meetings` objects: meetings and agenda items, made through the app's services."""

from __future__ import annotations

import datetime

from django.utils import timezone

from meetings import services
from meetings.models import AgendaItem, Meeting


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


def add_item(meeting, who, title="Point", minutes=20, accept=True) -> AgendaItem:
    return services.item_propose(
        meeting=meeting, proposed_by=who, title=title, duration_minutes=minutes, accept=accept
    )


def publish(meeting, who, capture):
    """Publish the agenda and run what is sent after the commit (the PDF job, the emails)."""
    with capture(execute=True):
        return services.agenda_publish(meeting=meeting, requested_by=who)


def worker_delivers(document) -> int:
    """What the workers do with a published document: the documents worker renders it (once,
    then asks for its emails), the mail worker emails it to the invitees not served yet."""
    services.document_render(model=type(document), document_id=document.pk)
    return services.document_send(model=type(document), document_id=document.pk)
