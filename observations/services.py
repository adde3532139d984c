"""Writes for `observations`: each atomic, checked by `observations.permissions` in the views,
side effects (emails, jobs) recorded in the outbox (`foundation.outbox`) by task name and run only
once the transaction has committed."""

from __future__ import annotations

import contextvars
import datetime
import functools
import logging
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from foundation import jobs, outbox
from foundation import mail as deliveries
from foundation.chunks import in_chunks
from foundation.images import CleanImage
from foundation.pdf import render_pdf
from observations import selectors
from observations.models import (
    Category,
    Comment,
    Escalation,
    EscalationDigest,
    NeedType,
    Notification,
    Observation,
    Orientation,
    Photo,
    StatusChange,
)
from teams import geo
from teams.models import Agent, Membership, Priority, Quartier, Service

logger = logging.getLogger(__name__)

MAX_PHOTOS = 5
Status = Observation.Status

#: Which status may follow which. "transmise" needs a service (see `observation_triage`).
TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.SENT, Status.IN_PROGRESS, Status.DONE, Status.CLOSED},
    Status.SENT: {Status.IN_PROGRESS, Status.DONE, Status.CLOSED},
    Status.IN_PROGRESS: {Status.SENT, Status.DONE, Status.CLOSED},
    Status.DONE: {Status.IN_PROGRESS},
    Status.CLOSED: {Status.NEW},
}


# Photo files and transactions -----------------------------------------------------------------

#: The photos written by the `atomic_with_files` block running now (None outside such a block).
_written_photos: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "observations_written_photos", default=None
)


def atomic_with_files(func: Callable) -> Callable:
    """Run `func` in its own transaction; the photo files it writes vanish unless that commits.

    Files are not transactional: a rollback would leave them on disk with no row. So the block is
    *durable* (Django refuses to nest it in a caller's transaction, whose later rollback it could
    not see) and any exception, the COMMIT's own included, deletes the files written inside it.
    Called inside another such block (another app's write that creates an observation and more),
    it joins that block: the outer one owns the transaction and the files.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if _written_photos.get() is not None:
            return func(*args, **kwargs)
        written: list[Photo] = []
        token = _written_photos.set(written)
        try:
            with transaction.atomic(durable=True):
                return func(*args, **kwargs)
        except BaseException:
            _delete_files(written)
            raise
        finally:
            _written_photos.reset(token)

    return wrapper


def _delete_files_on_commit(photos: list[Photo]) -> None:
    """Delete files of rows removed in this transaction, once it has committed (never before)."""
    files = [(f.storage, f.name) for p in photos for f in (p.image, p.thumbnail) if f]
    transaction.on_commit(lambda: _delete_names(files))


# Creating and editing ------------------------------------------------------------------------


@atomic_with_files
def observation_create(
    *,
    author: Agent | None,
    quartier: Quartier,
    category: Category,
    title: str,
    place: str,
    description: str = "",
    latitude=None,
    longitude=None,
    observed_at: datetime.datetime | None = None,
    urgency: str = Observation.Urgency.NORMAL,
    is_emerging: bool = False,
    priority: Priority | None = None,
    confidentiality: str = Observation.Confidentiality.TEAM,
    photos: Iterable[CleanImage] = (),
    idempotency_key: uuid.UUID | None = None,
) -> Observation:
    """Create an observation, or answer the one this author already sent with this key.

    The key makes a resent submission harmless (an offline queue replayed, a double tap): the
    lookup answers the usual case, the unique constraint the race of two requests at once.
    """
    existing = selectors.observation_sent_with(author, idempotency_key)
    if existing is not None:
        return existing
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(_("Cinq photos au plus par observation."))
    if priority is not None and priority.quartier_id != quartier.pk:
        raise ValidationError(_("Cet axe prioritaire n'appartient pas au projet de ce quartier."))
    observation = Observation(
        quartier=quartier,
        author=author,
        category=category,
        title=title,
        description=description,
        place=place,
        latitude=geo.round_coordinate(latitude),
        longitude=geo.round_coordinate(longitude),
        observed_at=observed_at or timezone.now(),
        urgency=urgency,
        is_emerging=is_emerging,
        priority=priority,
        confidentiality=confidentiality,
        idempotency_key=idempotency_key,
    )
    _place_point(observation)
    observation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():  # a savepoint: the enclosing block survives the conflict
            observation.save()
    except IntegrityError:
        # Another request with the same key committed between the lookup and this insert.
        existing = selectors.observation_sent_with(author, idempotency_key)
        if existing is None:
            raise
        return existing
    StatusChange.objects.create(
        observation=observation, changed_by=author, from_status="", to_status=Status.NEW
    )
    chefs = Agent.objects.filter(
        pk__in=Membership.objects.active()
        .filter(quartier=quartier, role=Membership.Role.CHEF_DE_PROJET)
        .values("agent_id")
    )
    _notify(
        chefs,
        observation=observation,
        kind=Notification.Kind.NEW,
        message=_("Nouvelle observation à trier dans le quartier %(quartier)s : %(title)s")
        % {"quartier": quartier.name, "title": observation.public_title},
        actor=author,
    )
    _store_photos(observation, photos, by=author)
    return observation


@transaction.atomic
def observation_update(*, observation: Observation, by: Agent, data: dict) -> Observation:
    editable = {"category", "title", "description", "place", "latitude", "longitude", "observed_at",
                "is_emerging", "priority", "confidentiality", "urgency"}  # fmt: skip
    for name, value in data.items():
        if name not in editable:
            raise ValueError(f"{name} is not editable here")
        setattr(observation, name, value)
    if (
        observation.priority is not None
        and observation.priority.quartier_id != observation.quartier_id
    ):
        raise ValidationError(_("Cet axe prioritaire n'appartient pas au projet de ce quartier."))
    observation.latitude = geo.round_coordinate(observation.latitude)
    observation.longitude = geo.round_coordinate(observation.longitude)
    _place_point(observation)
    observation.full_clean()
    observation.save()
    return observation


def _place_point(observation: Observation) -> None:
    """Flag a point that lies in no quartier's outline (quartiers without outline ignored)."""
    if not observation.has_coordinates:
        observation.outside_outlines = False
        return
    # Almost every point lies in its own quartier: one outline read, not all of them (a city
    # may have hundreds); the others only for a point outside its own.
    own = observation.quartier.outline
    others = (
        Quartier.objects.exclude(pk=observation.quartier_id)
        .exclude(outline__isnull=True)
        .values_list("outline", flat=True)
        .iterator()
    )
    observation.outside_outlines = _outside_every_outline(
        observation.longitude,
        observation.latitude,
        own,
        others,
        lambda: bool(own) or Quartier.objects.exclude(outline__isnull=True).exists(),
    )


def _outside_every_outline(lon, lat, own, others: Iterable, any_outline: Callable[[], bool]):
    """In its own quartier's outline, or else in another's: not outside. Outside, when at least
    one quartier has an outline (`others` and `any_outline` read only when needed)."""
    if own and geo.contains(own, lon, lat):
        return False
    if any(outline and geo.contains(outline, lon, lat) for outline in others):
        return False
    return any_outline()


def outside_flags_refresh(*, quartier_id: int, extents: list[list[float]]) -> int:
    """After a quartier's outline changed, the points it may have moved in or out of every
    outline flagged again: the quartier's own, those flagged now, and those within the old or
    the new outline's extent ([west, south, east, north]). Returns how many flags changed."""
    outlines = dict(Quartier.objects.exclude(outline__isnull=True).values_list("pk", "outline"))
    concerned = Q(quartier_id=quartier_id) | Q(outside_outlines=True)
    for west, south, east, north in extents:
        concerned |= Q(
            latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east
        )
    rows = Observation.objects.filter(concerned, latitude__isnull=False, longitude__isnull=False)
    changed: dict[bool, list[int]] = {True: [], False: []}
    for observation in in_chunks(
        rows.only("pk", "quartier_id", "latitude", "longitude", "outside_outlines")
    ):
        qid = observation.quartier_id
        outside = _outside_every_outline(
            observation.longitude,
            observation.latitude,
            outlines.get(qid),
            (outline for pk, outline in outlines.items() if pk != qid),
            lambda: bool(outlines),
        )
        if outside != observation.outside_outlines:
            changed[outside].append(observation.pk)
    for flag, ids in changed.items():
        for start in range(0, len(ids), 1000):
            Observation.objects.filter(pk__in=ids[start : start + 1000]).update(
                outside_outlines=flag
            )
    return len(changed[True]) + len(changed[False])


@atomic_with_files
def photos_add(*, observation: Observation, photos: Iterable[CleanImage], by: Agent) -> list[Photo]:
    photos = list(photos)
    existing = Photo.objects.select_for_update().filter(observation=observation).count()
    if existing + len(photos) > MAX_PHOTOS:
        raise ValidationError(
            _("Cinq photos au plus par observation (%(n)s déjà jointes).") % {"n": existing}
        )
    return _store_photos(observation, photos, by=by)


@transaction.atomic
def photo_remove(*, photo: Photo, by: Agent) -> None:
    """Take a photo off its observation; the history says so; the files go once this commits."""
    observation = Observation.objects.select_for_update().get(pk=photo.observation_id)
    locked = Photo.objects.filter(pk=photo.pk, observation=observation).first()
    if locked is None:
        raise ValidationError(_("Cette photo a déjà été retirée."))
    photo = locked
    position = Photo.objects.filter(observation=observation, pk__lt=photo.pk).count() + 1
    StatusChange.objects.create(
        observation=observation,
        changed_by=by,
        from_status=observation.status,
        to_status=observation.status,
        service=observation.service,
        comment=_("Photo %(n)s retirée.") % {"n": position},
    )
    photo.delete()
    _delete_files_on_commit([photo])


def _store_photos(
    observation: Observation, photos: list[CleanImage], *, by: Agent | None
) -> list[Photo]:
    """Write the files, then the rows; if anything fails, remove what was written (nothing half-saved).

    Inside `atomic_with_files` the files are also removed if the transaction fails later on.
    """
    stored: list[Photo] = []
    tracked = _written_photos.get()
    try:
        for clean in photos:
            name = uuid.uuid4().hex
            photo = Photo(
                observation=observation, width=clean.width, height=clean.height, uploaded_by=by
            )
            stored.append(photo)  # before writing: a half-written pair is removed too
            if tracked is not None:
                tracked.append(photo)
            photo.image.save(f"{name}.jpg", ContentFile(clean.content), save=False)
            photo.thumbnail.save(f"{name}-vignette.jpg", ContentFile(clean.thumbnail), save=False)
            photo.save()
    except Exception:
        _delete_files(stored)
        raise
    return stored


def _delete_files(photos: list[Photo]) -> None:
    _delete_names([(f.storage, f.name) for p in photos for f in (p.image, p.thumbnail) if f])


def _delete_names(files) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:  # pragma: no cover - best effort
            logger.warning("Could not delete %s", name)


# Triage and workflow -------------------------------------------------------------------------


def _record(
    observation: Observation, *, by: Agent, to_status: str, comment: str = "", reason: str = ""
) -> None:
    StatusChange.objects.create(
        observation=observation,
        changed_by=by,
        from_status=observation.status,
        to_status=to_status,
        closing_reason=reason,
        service=observation.service,
        comment=comment,
    )


@transaction.atomic
def observation_triage(
    *,
    observation: Observation,
    by: Agent,
    service: Service | None,
    urgency: str,
    comment: str = "",
) -> Observation:
    """The chef de projet routes the observation: a new service makes it "transmise" to that service."""
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    previous_service_id = observation.service_id
    observation.urgency = urgency
    service_changed = service is not None and service.pk != previous_service_id
    if service is None and previous_service_id is not None:
        raise ValidationError(_("Choisissez le service auquel transmettre l'observation."))
    if service_changed:
        observation.service = service
        if observation.status in (Status.NEW, Status.SENT, Status.IN_PROGRESS):
            _record(observation, by=by, to_status=Status.SENT, comment=comment)
            observation.status = Status.SENT
    observation.save(update_fields=["urgency", "service", "status", "updated_at"])
    if service_changed and service is not None:
        _notify(
            service.responsables.all(),
            observation=observation,
            kind=Notification.Kind.ASSIGNED,
            message=_("Observation transmise à votre service (%(service)s) : %(title)s")
            % {"service": service.name, "title": observation.public_title},
            actor=by,
        )
        _notify_author_status(observation, by)
    return observation


@transaction.atomic
def observation_set_status(
    *, observation: Observation, by: Agent, status: str, closing_reason: str = "", comment: str = ""
) -> Observation:
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    if status == observation.status:
        raise ValidationError(_("L'observation est déjà dans cet état."))
    if status not in TRANSITIONS[observation.status]:
        raise ValidationError(
            _("Une observation « %(from)s » ne peut pas passer à « %(to)s ».")
            % {"from": observation.get_status_display(), "to": Status(status).label}
        )
    if status == Status.SENT and observation.service_id is None:
        raise ValidationError(_("Choisissez d'abord le service auquel transmettre l'observation."))
    if status == Status.CLOSED and not closing_reason:
        raise ValidationError(_("Indiquez le motif de classement."))
    reason = closing_reason if status == Status.CLOSED else ""
    _record(observation, by=by, to_status=status, comment=comment, reason=reason)
    observation.status = status
    observation.closing_reason = reason
    if status != Status.CLOSED:
        observation.duplicate_of = None
    observation.save(update_fields=["status", "closing_reason", "duplicate_of", "updated_at"])
    _notify_author_status(observation, by)
    return observation


@transaction.atomic
def observation_merge(
    *, observation: Observation, into: Observation, by: Agent, comment: str = ""
) -> Observation:
    """Close `observation` as a duplicate of `into` (followed to the original if `into` is a duplicate)."""
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    while into.duplicate_of is not None:
        into = into.duplicate_of
    if into.pk == observation.pk:
        raise ValidationError(_("Une observation ne peut pas être le doublon d'elle-même."))
    if into.quartier_id != observation.quartier_id:
        raise ValidationError(_("On ne fusionne que des observations du même quartier."))
    text = _("Doublon de l'observation n° %(number)s.") % {"number": into.pk}
    _record(
        observation,
        by=by,
        to_status=Status.CLOSED,
        comment=f"{text} {comment}".strip(),
        reason=Observation.ClosingReason.DUPLICATE,
    )
    observation.status = Status.CLOSED
    observation.closing_reason = Observation.ClosingReason.DUPLICATE
    observation.duplicate_of = into
    observation.save(update_fields=["status", "closing_reason", "duplicate_of", "updated_at"])
    Observation.objects.filter(duplicate_of=observation).update(duplicate_of=into)
    _notify_author_status(observation, by)
    return observation


def _notify_author_status(observation: Observation, by: Agent) -> None:
    if observation.author_id is None:
        return
    _notify(
        [observation.author],
        observation=observation,
        kind=Notification.Kind.STATUS,
        message=_("Votre observation « %(title)s » est maintenant : %(status)s")
        % {"title": observation.public_title, "status": observation.get_status_display()},
        actor=by,
    )


# Comments and escalations --------------------------------------------------------------------


@transaction.atomic
def comment_add(*, observation: Observation, author: Agent, body: str) -> Comment:
    body = body.strip()
    if not body:
        raise ValidationError(_("Le commentaire est vide."))
    comment = Comment.objects.create(observation=observation, author=author, body=body)
    recipients = [observation.author] if observation.author_id else []
    if observation.service is not None:
        recipients += list(observation.service.responsables.all())
    _notify(
        recipients,
        observation=observation,
        kind=Notification.Kind.COMMENT,
        message=_("%(author)s a commenté l'observation « %(title)s »")
        % {"author": author.get_full_name(), "title": observation.public_title},
        actor=author,
    )
    return comment


@transaction.atomic
def escalation_create(*, observation: Observation, by: Agent, reason: str) -> Escalation:
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            _("Dites au comité de direction pourquoi vous lui remontez cette observation.")
        )
    if observation.escalations.filter(answered_at__isnull=True).exists():
        raise ValidationError(
            _("Cette observation attend déjà une réponse du comité de direction.")
        )
    escalation = Escalation.objects.create(observation=observation, escalated_by=by, reason=reason)
    _notify(
        Agent.objects.filter(is_comite_direction=True, is_active=True),
        observation=observation,
        kind=Notification.Kind.ESCALATION,
        message=_("Remontée du quartier %(quartier)s : %(title)s")
        % {"quartier": observation.quartier.name, "title": observation.public_title},
        actor=by,
    )
    return escalation


@transaction.atomic
def escalation_answer(*, escalation: Escalation, by: Agent, answer: str) -> Escalation:
    answer = answer.strip()
    if not answer:
        raise ValidationError(_("La réponse est vide."))
    escalation = (
        Escalation.objects.select_for_update().select_related("observation").get(pk=escalation.pk)
    )
    escalation.answer = answer
    escalation.answered_by = by
    escalation.answered_at = timezone.now()
    escalation.save(update_fields=["answer", "answered_by", "answered_at"])
    observation = escalation.observation
    recipients = [a for a in (escalation.escalated_by, observation.author) if a is not None]
    _notify(
        recipients,
        observation=observation,
        kind=Notification.Kind.ANSWER,
        message=_("Le comité de direction a répondu à la remontée « %(title)s »")
        % {"title": observation.public_title},
        actor=by,
    )
    return escalation


# Orientations --------------------------------------------------------------------------------


@transaction.atomic
def orientation_log(
    *,
    quartier: Quartier,
    need: NeedType,
    service: Service,
    by: Agent,
    oriented_on: datetime.date | None = None,
) -> Orientation:
    return Orientation.objects.create(
        quartier=quartier,
        need=need,
        service=service,
        logged_by=by,
        oriented_on=oriented_on or timezone.localdate(),
    )


# Notifications -------------------------------------------------------------------------------


def _notify(
    recipients, *, observation: Observation, kind: str, message: str, actor: Agent | None
) -> None:
    """Queue one notification per person (never the actor); immediate ones are mailed after commit."""
    people = {
        a.pk: a
        for a in recipients
        if a is not None and a.is_active and (actor is None or a.pk != actor.pk)
    }
    if not people:
        return
    created = Notification.objects.bulk_create(
        [
            Notification(recipient=a, observation=observation, kind=kind, message=message[:300])
            for a in people.values()
        ]
    )
    immediate = [
        n.pk
        for n in created
        if people[n.recipient_id].notification_frequency == Agent.Notifications.IMMEDIATE
    ]
    if immediate:
        outbox.enqueue("observations.tasks.send_notifications", immediate)


def _observation_url(observation_id: int) -> str:
    from django.urls import reverse

    return settings.SITE_URL + reverse("observations:detail", args=[observation_id])


def notifications_send(ids: Iterable[int]) -> int:
    """Mail each notification: claimed (a conditional update), mailed, then confirmed."""
    sent = 0
    for notification in Notification.objects.filter(
        selectors.unclaimed_notifications(), pk__in=list(ids)
    ).select_related("recipient"):
        if not Notification.objects.filter(
            selectors.unclaimed_notifications(), pk=notification.pk
        ).update(claimed_at=timezone.now()):
            continue
        try:
            send_mail(
                subject=_("[Équipes de quartier] %(message)s")
                % {"message": notification.message[:150]},
                message=render_to_string(
                    "observations/email/notification.txt",
                    {
                        "notification": notification,
                        "url": _observation_url(notification.observation_id),
                    },
                ),
                from_email=None,
                recipient_list=[notification.recipient.email],
            )
        except Exception:
            # Refused: the retry mails it. (A kill is no `Exception`: the claim stays until the
            # lease ends, then the sweep mails it.)
            Notification.objects.filter(pk=notification.pk).update(claimed_at=None)
            raise
        Notification.objects.filter(pk=notification.pk).update(sent_at=timezone.now())
        sent += 1
    return sent


def notification_digests_send(*, frequency: str = Agent.Notifications.DAILY) -> int:
    """One email per person gathering their unsent notifications (the daily digest)."""
    sent = 0
    recipients = (
        Notification.objects.filter(
            selectors.unclaimed_notifications(), recipient__notification_frequency=frequency
        )
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    for recipient_id in list(recipients):
        now = timezone.now()
        pending = list(
            Notification.objects.filter(
                selectors.unclaimed_notifications(now), recipient_id=recipient_id
            ).values_list("pk", flat=True)
        )
        claimed = Notification.objects.filter(
            selectors.unclaimed_notifications(now), pk__in=pending
        ).update(claimed_at=now)
        if not claimed:
            continue
        notifications = list(
            Notification.objects.filter(pk__in=pending, claimed_at=now, sent_at__isnull=True)
            .select_related("recipient")
            .order_by("created_at")
        )
        if not notifications:
            continue
        recipient = notifications[0].recipient
        items = [(n, _observation_url(n.observation_id)) for n in notifications]
        ids = [n.pk for n in notifications]
        try:
            send_mail(
                subject=_("[Équipes de quartier] Votre résumé du jour : %(n)s nouvelles")
                % {"n": len(items)},
                message=render_to_string(
                    "observations/email/digest.txt", {"recipient": recipient, "items": items}
                ),
                from_email=None,
                recipient_list=[recipient.email],
            )
        except Exception:
            Notification.objects.filter(pk__in=ids).update(claimed_at=None)
            raise
        Notification.objects.filter(pk__in=ids).update(sent_at=timezone.now())
        sent += 1
    return sent


# Monthly digest for the comité de direction --------------------------------------------------


@transaction.atomic
def escalation_digest_request(
    *, month: datetime.date, requested_by: Agent | None = None
) -> EscalationDigest:
    """Ask for the month's digest (idempotent: one job per month; a failed one is retried)."""
    month = selectors.month_start(month)
    job, created = EscalationDigest.objects.get_or_create(
        month=month, defaults={"requested_by": requested_by}
    )
    if created:
        deliveries.plan(_digest_letter(job), _comite_emails(), job.mail_task_name, job.pk)
        jobs.enqueue(job)
    elif job.status == EscalationDigest.Status.FAILED:
        jobs.retry(job)
    return job


def escalation_digest_build(job: EscalationDigest) -> tuple[bytes, str]:
    escalations = list(selectors.escalations_of_month(job.month))
    quartiers: dict[str, list[Escalation]] = {}
    for escalation in escalations:
        quartiers.setdefault(escalation.observation.quartier.name, []).append(escalation)
    content = render_pdf(
        "observations/pdf/escalation_digest.html",
        {
            "month": job.month,
            "quartiers": quartiers,
            "total": len(escalations),
            "answered": sum(1 for e in escalations if e.is_answered),
            "generated_at": timezone.now(),
            "CITY_NAME": settings.CITY_NAME,
        },
    )
    return content, f"remontees-{job.month:%Y-%m}.pdf"


def _digest_letter(job: EscalationDigest) -> str:
    return f"observations.escalation_digest:{job.pk}"


def _comite_emails() -> list[str]:
    return list(
        Agent.objects.filter(is_comite_direction=True, is_active=True).values_list(
            "email", flat=True
        )
    )


def escalation_digest_email(job: EscalationDigest) -> bool:
    """Email the digest to each member of the comité, once: each email is claimed, sent and
    confirmed (`foundation.mail`), so a redelivered task sends only to the members not served.
    `emailed_at` says when every member was."""
    letter = _digest_letter(job)
    if not deliveries.rows_of(letter).exists():
        if job.emailed_at is not None:  # sent before the emails were recorded one by one
            return False
        deliveries.plan(letter, _comite_emails(), job.mail_task_name, job.pk)
    filename = (job.file.name or "").rsplit("/", 1)[-1]
    with job.file.open("rb") as pdf:
        content = pdf.read()
    subject = _("[Équipes de quartier] Synthèse des remontées de %(month)s") % {
        "month": job.month.strftime("%m/%Y")
    }
    body = render_to_string("observations/email/escalation_digest.txt", {"job": job})

    def compose(email: str) -> EmailMessage:
        message = EmailMessage(subject=subject, body=body, to=[email])
        message.attach(filename, content, "application/pdf")
        return message

    sent = deliveries.send(letter, compose)
    if deliveries.all_served(letter):
        EscalationDigest.objects.filter(pk=job.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
    return sent > 0
