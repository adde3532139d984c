"""Writes for `walks`: each atomic; emails and the report recorded in the outbox by task name."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from foundation import jobs
from foundation import mail as deliveries
from observations import services as observation_services
from observations.models import Category, Observation
from teams.models import Agent, ExternalParticipant, Quartier
from walks.models import Stop, StopObservation, Walk, WalkInvitation, WalkReport

SEND_TASK = "walks.tasks.send_letter"
INVITE, CANCEL = "invite", "cancel"


def letter_key(walk: Walk, kind: str) -> str:
    """The MailDelivery letter: one per walk, kind and version (a move sends a new one)."""
    return f"walk:{walk.pk}:{kind}:{walk.sequence}"


def _check_times(start: datetime.datetime, end: datetime.datetime) -> None:
    if end <= start:
        raise ValidationError(_("La fin de la marche doit suivre son début."))


def _plan_letter(walk: Walk, kind: str) -> int:
    emails = [i.email for i in walk.invitations.select_related("agent", "external")]
    planned = deliveries.plan(
        letter_key(walk, kind), emails, SEND_TASK, walk.pk, kind, walk.sequence
    )
    if planned:
        from foundation import outbox

        outbox.enqueue(SEND_TASK, walk.pk, kind, walk.sequence)
    return planned


@transaction.atomic
def walk_create(
    *,
    quartier: Quartier,
    organiser: Agent,
    title: str,
    start: datetime.datetime,
    end: datetime.datetime,
    meeting_point: str,
    agents: Iterable[Agent] = (),
    externals: Iterable[ExternalParticipant] = (),
    allow_past: bool = False,
) -> Walk:
    _check_times(start, end)
    if not allow_past and start < timezone.now() - datetime.timedelta(hours=1):
        raise ValidationError(_("Une marche se prévoit à venir."))
    walk = Walk.objects.create(
        quartier=quartier,
        organiser=organiser,
        title=title,
        start=start,
        end=end,
        meeting_point=meeting_point,
    )
    invitations_set(walk=walk, agents=agents, externals=externals, send=False)
    _plan_letter(walk, INVITE)
    return walk


@transaction.atomic
def invitations_set(
    *,
    walk: Walk,
    agents: Iterable[Agent],
    externals: Iterable[ExternalParticipant],
    send: bool = True,
) -> int:
    """Replace the invitees; with `send`, the new ones receive the current invitation."""
    agents, externals = list(agents), list(externals)
    walk.invitations.exclude(agent__in=agents).filter(agent__isnull=False).delete()
    walk.invitations.exclude(external__in=externals).filter(external__isnull=False).delete()
    WalkInvitation.objects.bulk_create(
        [WalkInvitation(walk=walk, agent=a) for a in agents]
        + [WalkInvitation(walk=walk, external=e) for e in externals],
        ignore_conflicts=True,
    )
    if send and not walk.is_cancelled:
        return _plan_letter(walk, INVITE)
    return 0


@transaction.atomic
def walk_update(*, walk: Walk, by: Agent, data: dict) -> Walk:
    """Edit the walk; a change of time or meeting point is a move: invitees get the new .ics."""
    _check_times(data["start"], data["end"])
    if walk.is_cancelled:
        raise ValidationError(_("Cette marche est annulée."))
    moved = any(getattr(walk, f) != data[f] for f in ("start", "end", "meeting_point"))
    for field in ("title", "start", "end", "meeting_point"):
        setattr(walk, field, data[field])
    if moved:
        walk.sequence += 1
    walk.full_clean()
    walk.save()
    if moved:
        _plan_letter(walk, INVITE)
    return walk


@transaction.atomic
def walk_cancel(*, walk: Walk, by: Agent) -> Walk:
    if walk.is_cancelled:
        return walk
    if walk.is_done:
        raise ValidationError(_("Une marche réalisée ne s'annule pas."))
    walk.status = Walk.Status.CANCELLED
    walk.sequence += 1
    walk.save(update_fields=["status", "sequence"])
    _plan_letter(walk, CANCEL)
    return walk


@transaction.atomic
def walk_mark_done(*, walk: Walk, by: Agent) -> Walk:
    if walk.is_cancelled:
        raise ValidationError(_("Cette marche est annulée."))
    if walk.start > timezone.now():
        raise ValidationError(_("La marche n'a pas encore commencé."))
    walk.status = Walk.Status.DONE
    walk.save(update_fields=["status"])
    return walk


# Stops ---------------------------------------------------------------------------------------


def _check_point(latitude, longitude) -> None:
    if (latitude is None) != (longitude is None):
        raise ValidationError(_("Indiquez la latitude et la longitude, ou aucune des deux."))


@transaction.atomic
def stop_add(*, walk: Walk, data: dict) -> Stop:
    _check_point(data.get("latitude"), data.get("longitude"))
    last = walk.stops.aggregate(last=Max("position"))["last"]
    stop = Stop(walk=walk, position=0 if last is None else last + 1, **data)
    if stop.priority_id and stop.priority and stop.priority.quartier_id != walk.quartier_id:
        raise ValidationError(_("Cet axe appartient au projet d'un autre quartier."))
    stop.full_clean()
    stop.save()
    return stop


@transaction.atomic
def stop_update(*, stop: Stop, data: dict) -> Stop:
    _check_point(data.get("latitude"), data.get("longitude"))
    for field, value in data.items():
        setattr(stop, field, value)
    if stop.priority_id and stop.priority and stop.priority.quartier_id != stop.walk.quartier_id:
        raise ValidationError(_("Cet axe appartient au projet d'un autre quartier."))
    stop.full_clean()
    stop.save()
    return stop


@transaction.atomic
def stop_move(*, stop: Stop, offset: int) -> None:
    """Move a stop one place up (-1) or down (+1); positions are renumbered 0..n-1."""
    stops = list(Walk.objects.select_for_update().get(pk=stop.walk_id).stops.all())
    index = next(i for i, s in enumerate(stops) if s.pk == stop.pk)
    target = index + offset
    if 0 <= target < len(stops):
        stops[index], stops[target] = stops[target], stops[index]
    for position, item in enumerate(stops):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


@transaction.atomic
def stop_delete(*, stop: Stop) -> None:
    if stop.notes.exists():
        raise ValidationError(_("Des observations ont été notées à cet arrêt : il est conservé."))
    walk = stop.walk
    stop.delete()
    for position, item in enumerate(walk.stops.all()):
        if item.position != position:
            Stop.objects.filter(pk=item.pk).update(position=position)


# Observations at a stop ----------------------------------------------------------------------


@observation_services.atomic_with_files
def note_observation(
    *,
    stop: Stop,
    author: Agent,
    category: Category,
    title: str,
    description: str = "",
    latitude=None,
    longitude=None,
    confidentiality: str = Observation.Confidentiality.TEAM,
    for_inhabitant: bool = False,
    photos=(),
    idempotency_key=None,
) -> StopObservation:
    """A real observation (observations' own creation service: routing, notifications, photo
    sanitising) and its link to the stop, in one transaction: if the link fails, neither the
    observation nor its photo files remain. A key already used answers the note it made."""
    if latitude is None or longitude is None:
        latitude, longitude = stop.latitude, stop.longitude
    observation = observation_services.observation_create(
        author=author,
        quartier=stop.walk.quartier,
        category=category,
        title=title,
        description=description,
        place=stop.name,
        latitude=latitude,
        longitude=longitude,
        priority=stop.priority if stop.priority_id else None,
        confidentiality=confidentiality,
        photos=photos,
        idempotency_key=idempotency_key,
    )
    noted = StopObservation.objects.filter(observation=observation).first()
    if noted is not None:  # sent already with this key
        return noted
    return StopObservation.objects.create(
        stop=stop, observation=observation, for_inhabitant=for_inhabitant
    )


# Report --------------------------------------------------------------------------------------


@transaction.atomic
def report_request(*, walk: Walk, requested_by: Agent) -> WalkReport:
    if not walk.is_done:
        raise ValidationError(_("Le compte rendu se prépare une fois la marche réalisée."))
    report = WalkReport.objects.create(walk=walk, requested_by=requested_by)
    jobs.enqueue(report)
    return report


def report_build(report: WalkReport) -> tuple[bytes, str]:
    from walks.documents import report_pdf

    return report_pdf(report)


def report_render(report_id: int) -> int:
    return 1 if jobs.run_job(WalkReport, report_id, report_build) else 0


def send_letter(walk_id: int, kind: str, sequence: int) -> int:
    from walks.documents import compose_letter

    walk = Walk.objects.select_related("organiser", "quartier").get(pk=walk_id)
    key = f"walk:{walk_id}:{kind}:{sequence}"
    if walk.sequence != sequence:
        # Superseded by a move or a cancellation: the newer letter carries the news.
        deliveries.drop(deliveries.rows_of(key))
        return 0
    return deliveries.send(key, lambda email: compose_letter(walk, kind, email))
