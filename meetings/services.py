"""Writes for `meetings`: each atomic, each checked by `meetings.permissions` before it is called.

Background work (PDFs, emails) is recorded in the outbox (`foundation.outbox`) with the change,
by task name, and runs after the commit.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import selectors as booking_selectors
from bookings import services as booking_services
from bookings.models import Resource
from foundation import generations, jobs, outbox
from meetings import deliveries, permissions, planning, selectors
from meetings.models import (
    Action,
    AgendaDocument,
    AgendaItem,
    CalendarFeedToken,
    Invitation,
    MailKind,
    Meeting,
    MeetingDocument,
    MinutesDocument,
    WorkingGroup,
)
from teams.models import Agent, ExternalParticipant, Priority, Quartier, Service

ACTION_REVIEW_TITLE = "Suivi des actions"


# Meetings ------------------------------------------------------------------------------------


def _check_times(
    start: datetime.datetime, end: datetime.datetime, *, allow_past: bool = False
) -> None:
    errors = {}
    if end <= start:
        errors["end"] = _("La fin de la réunion doit être après son début.")
    elif end - start > datetime.timedelta(hours=12):
        errors["end"] = _("Une réunion ne peut pas durer plus de 12 heures.")
    if not allow_past and start < timezone.now():
        errors["start"] = _(
            "On ne planifie pas une réunion dans le passé : choisissez une date à venir."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def meeting_create(
    *,
    kind: str,
    organiser: Agent,
    place: str,
    start: datetime.datetime,
    end: datetime.datetime,
    quartier: Quartier | None = None,
    working_group: WorkingGroup | None = None,
    title: str = "",
    proposals_deadline: datetime.datetime | None = None,
    invite_defaults: bool = True,
    allow_past: bool = False,
    room: Resource | None = None,
) -> Meeting:
    _check_times(start, end, allow_past=allow_past)
    if quartier is None and working_group is None:
        raise ValidationError({"quartier": _("Choisissez un quartier ou un groupe de travail.")})
    if kind == Meeting.Kind.GROUPE and working_group is None:
        raise ValidationError(
            {"working_group": _("Une réunion de groupe de travail a besoin de son groupe.")}
        )
    if (
        kind == Meeting.Kind.GROUPE
        and working_group is not None
        and not permissions.can_manage_working_group(organiser, working_group)
    ):
        raise ValidationError(
            {
                "working_group": _(
                    "Vous ne gérez pas ce groupe de travail : seuls ses gestionnaires le réunissent."
                )
            }
        )
    if proposals_deadline is None:
        proposals_deadline = start - datetime.timedelta(days=7)
    if proposals_deadline > start:
        raise ValidationError(
            {"proposals_deadline": _("La date limite des propositions doit précéder la réunion.")}
        )
    meeting = Meeting.objects.create(
        kind=kind,
        title=title,
        quartier=quartier,
        working_group=working_group if kind == Meeting.Kind.GROUPE else None,
        organiser=organiser,
        place=place,
        start=start,
        end=end,
        proposals_deadline=proposals_deadline,
    )
    AgendaItem.objects.create(
        meeting=meeting,
        title=ACTION_REVIEW_TITLE,
        description="",
        duration_minutes=15,
        status=AgendaItem.Status.ACCEPTED,
        is_action_review=True,
        position=0,
    )
    if invite_defaults:
        agents, externals = selectors.default_invitees(
            kind=kind, quartier=quartier, working_group=meeting.working_group
        )
        invitations_add(meeting=meeting, agents=[*agents, organiser], externals=externals)
    if room is not None:
        _sync_room(meeting, room)
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, data: dict) -> Meeting:
    """Change date, place, title. A published agenda then needs a new version (its header changed)."""
    start, end = data.get("start", meeting.start), data.get("end", meeting.end)
    moved = start != meeting.start or end != meeting.end
    if moved:
        _check_times(start, end)
    deadline = data.get("proposals_deadline", meeting.proposals_deadline)
    if deadline and deadline > start:
        raise ValidationError(
            {"proposals_deadline": _("La date limite des propositions doit précéder la réunion.")}
        )
    changed_header = moved or data.get("place", meeting.place) != meeting.place
    data = dict(data)
    room = data.pop("room") if "room" in data else _room_of(meeting)
    for name, value in data.items():
        setattr(meeting, name, value)
    meeting.sequence += 1
    if changed_header and meeting.agenda_version:
        meeting.agenda_changed = True
    if moved:
        meeting.reminder_sent_at = None
        meeting.proposals_reminder_sent_at = None
    meeting.save()
    _sync_room(meeting, room)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting) -> Meeting:
    """Cancel, and email every invitee an .ics CANCEL (same UID, higher SEQUENCE) after the commit.

    Cancelling an already cancelled meeting changes and sends nothing.
    """
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_cancelled:
        return meeting
    if meeting.status in (Meeting.Status.HELD, Meeting.Status.MINUTES_PUBLISHED):
        raise ValidationError(_("Une réunion déjà tenue ne peut pas être annulée."))
    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence", "updated_at"])
    _sync_room(meeting, None)  # the room is free again
    deliveries.plan(meeting, kind=MailKind.CANCELLATION, version=0)
    outbox.enqueue("meetings.tasks.send_cancellation", meeting.pk)
    return meeting


# The room booked for a meeting (bookings) ---------------------------------------------------


def _room_of(meeting: Meeting) -> Resource | None:
    booking = meeting.room_booking
    return booking.resource if booking is not None and not booking.is_cancelled else None


def _sync_room(meeting: Meeting, room: Resource | None) -> None:
    """Book `room` for the meeting's time, move its booking with the meeting, or free it. A room
    already taken refuses the whole change (the caller's transaction), at the form's room field."""
    booking = meeting.room_booking
    if booking is not None and booking.is_cancelled:
        booking = None
    try:
        if booking is not None and (room is None or booking.resource_id != room.pk):
            booking_services.booking_cancel(booking=booking, by=meeting.organiser)
            booking = None
        if room is not None and booking is None:
            booking = booking_services.booking_create(
                resource=room,
                booker=meeting.organiser,
                start=meeting.start,
                end=meeting.end,
                purpose=meeting.display_title,
                for_meeting=True,
            )
        elif room is not None and booking is not None:
            booking_services.booking_reschedule(
                booking=booking, start=meeting.start, end=meeting.end, for_meeting=True
            )
    except ValidationError as exc:
        raise ValidationError({"room": exc.messages}) from exc
    if meeting.room_booking_id != (booking.pk if booking else None):
        meeting.room_booking = booking
        meeting.save(update_fields=["room_booking", "updated_at"])


def _mark_held(meeting: Meeting) -> None:
    if (
        meeting.status in (Meeting.Status.PLANNED, Meeting.Status.AGENDA_PUBLISHED)
        and meeting.start <= timezone.now()
    ):
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status", "updated_at"])


# Invitations ---------------------------------------------------------------------------------


@transaction.atomic
def invitations_add(
    *, meeting: Meeting, agents: Iterable[Agent] = (), externals: Iterable[ExternalParticipant] = ()
) -> int:
    """Invite people (already invited ones are skipped). Returns how many were added."""
    have_agents = set(
        meeting.invitations.filter(agent__isnull=False).values_list("agent_id", flat=True)
    )
    have_externals = set(
        meeting.invitations.filter(external__isnull=False).values_list("external_id", flat=True)
    )
    new = [
        Invitation(meeting=meeting, agent=agent)
        for agent in {a.pk: a for a in agents}.values()
        if agent.pk not in have_agents
    ]
    new += [
        Invitation(meeting=meeting, external=external)
        for external in {e.pk: e for e in externals}.values()
        if external.pk not in have_externals
    ]
    Invitation.objects.bulk_create(new)  # no signal: their calendar feeds are bumped here
    generations.bump(*(f"agent:{invitation.agent_id}" for invitation in new if invitation.agent_id))
    if new and meeting.agenda_version:
        meeting.agenda_changed = True  # the invitee list printed on the agenda changed
        meeting.save(update_fields=["agenda_changed", "updated_at"])
    return len(new)


@transaction.atomic
def invitation_remove(*, invitation: Invitation) -> None:
    meeting = invitation.meeting
    if invitation.agent_id and invitation.agent_id == meeting.organiser_id:
        raise ValidationError(_("L'organisateur de la réunion reste invité."))
    invitation.delete()
    if meeting.agenda_version:
        meeting.agenda_changed = True
        meeting.save(update_fields=["agenda_changed", "updated_at"])


@transaction.atomic
def invitation_respond(*, invitation: Invitation, response: str) -> Invitation:
    if response not in (Invitation.Response.YES, Invitation.Response.NO, Invitation.Response.MAYBE):
        raise ValidationError(_("Réponse inconnue."))
    invitation.response = response
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["response", "responded_at"])
    return invitation


@transaction.atomic
def attendance_record(*, meeting: Meeting, present_ids: set[int]) -> int:
    """After the meeting has started: who was there (every other invitee is marked absent)."""
    if meeting.start > timezone.now():
        raise ValidationError(_("Les présences se notent une fois la réunion commencée."))
    invitations = meeting.invitations.all()
    present = invitations.filter(pk__in=present_ids).update(attended=True)
    invitations.exclude(pk__in=present_ids).update(attended=False)
    _mark_held(meeting)
    return present


# Groupes de travail --------------------------------------------------------------------------


def _check_group_name(name: str, group: WorkingGroup | None = None) -> None:
    taken = WorkingGroup.objects.filter(name__iexact=name.strip())
    if group is not None:
        taken = taken.exclude(pk=group.pk)
    if taken.exists():
        raise ValidationError({"name": _("Un groupe de travail porte déjà ce nom.")})


@transaction.atomic
def working_group_save(
    *,
    group: WorkingGroup | None = None,
    name: str,
    description: str = "",
    quartiers: Iterable[Quartier] = (),
    members: Iterable[Agent] = (),
    external_members: Iterable[ExternalParticipant] = (),
    is_active: bool = True,
) -> WorkingGroup:
    """Create a groupe de travail (group=None) or change it: its name, quartiers and members.

    Its future meetings keep their invitations: the chef invites newcomers from the meeting.
    """
    _check_group_name(name, group)
    group = group or WorkingGroup()
    group.name, group.description, group.is_active = name.strip(), description, is_active
    group.save()
    group.quartiers.set(list(quartiers))
    group.members.set(list(members))
    group.external_members.set(list(external_members))
    return group


# Planning the year ---------------------------------------------------------------------------


@dataclass
class PlannedRow:
    kind: str
    start: datetime.datetime
    end: datetime.datetime
    place: str


@transaction.atomic
def year_plan_confirm(
    *, quartier: Quartier, organiser: Agent, rows: list[PlannedRow]
) -> list[Meeting]:
    """Create the confirmed meetings, all or none. Errors: {row index: [messages]}."""
    if not rows:
        raise ValidationError(_("Cochez au moins une réunion à planifier."))
    agents, _externals = selectors.default_invitees(
        kind=Meeting.Kind.EQUIPE, quartier=quartier, working_group=None
    )
    years = {timezone.localtime(row.start).year for row in rows}
    busy = planning.BusySlots()
    room = booking_selectors.default_room(quartier)
    room_busy = planning.BusySlots()
    for year in years:
        busy.slots += planning.busy_slots(
            year=year, agent_ids=[a.pk for a in agents], quartier_id=quartier.pk
        ).slots
        room_busy.slots += planning.room_busy_slots(room=room, year=year).slots
    errors: dict[int, list[str]] = {}
    for index, row in enumerate(rows):
        problems = planning.slot_problems(row.start, row.end, busy, room=room_busy)
        if problems:
            errors[index] = problems
        else:
            busy.add(row.start, row.end, _("une autre réunion de ce planning"))
    if errors:
        raise ValidationError({str(index): messages for index, messages in errors.items()})
    return [
        meeting_create(
            kind=row.kind,
            organiser=organiser,
            quartier=quartier,
            place=row.place,
            start=row.start,
            end=row.end,
            room=room,
        )
        for row in rows
    ]


# Agenda --------------------------------------------------------------------------------------


def _touch_agenda(meeting: Meeting) -> None:
    if meeting.agenda_version and not meeting.agenda_changed:
        meeting.agenda_changed = True
        meeting.save(update_fields=["agenda_changed", "updated_at"])


def _next_position(meeting: Meeting) -> int:
    top = meeting.items.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def _check_duration(duration: int) -> None:
    if not 1 <= duration <= 480:
        raise ValidationError({"duration_minutes": _("Indiquez une durée entre 1 et 480 minutes.")})


@transaction.atomic
def item_propose(
    *,
    meeting: Meeting,
    proposed_by: Agent,
    title: str,
    description: str = "",
    duration_minutes: int = 15,
    observations: Iterable = (),
    accept: bool = False,
) -> AgendaItem:
    """An invitee proposes a point (before the deadline); the chef may add one directly, accepted."""
    if meeting.is_cancelled:
        raise ValidationError(_("Cette réunion est annulée."))
    if not accept and not meeting.proposals_open:
        raise ValidationError(
            _("La date limite des propositions est passée : adressez-vous au chef de projet.")
        )
    _check_duration(duration_minutes)
    item = AgendaItem.objects.create(
        meeting=meeting,
        title=title,
        description=description,
        duration_minutes=duration_minutes,
        proposed_by=proposed_by,
        status=AgendaItem.Status.ACCEPTED if accept else AgendaItem.Status.PROPOSED,
        position=_next_position(meeting),
    )
    _set_observations(item, observations)
    if accept:
        _touch_agenda(meeting)
    return item


def _set_observations(item: AgendaItem, observations: Iterable) -> None:
    item.observations.set(list(observations))


@transaction.atomic
def item_update(
    *,
    item: AgendaItem,
    title: str,
    description: str,
    duration_minutes: int,
    observations: Iterable | None = None,
) -> AgendaItem:
    _check_duration(duration_minutes)
    item.title, item.description, item.duration_minutes = title, description, duration_minutes
    item.save(update_fields=["title", "description", "duration_minutes"])
    if observations is not None:
        _set_observations(item, observations)
    if item.status == AgendaItem.Status.ACCEPTED:
        _touch_agenda(item.meeting)
    return item


@transaction.atomic
def item_accept(*, item: AgendaItem) -> AgendaItem:
    item.status = AgendaItem.Status.ACCEPTED
    item.position = _next_position(item.meeting)
    item.save(update_fields=["status", "position"])
    _touch_agenda(item.meeting)
    return item


@transaction.atomic
def item_withdraw(*, item: AgendaItem) -> AgendaItem:
    """Back to the proposals (out of the agenda). The automatic action review cannot be withdrawn."""
    was_accepted = item.status == AgendaItem.Status.ACCEPTED
    item.status = AgendaItem.Status.PROPOSED
    item.save(update_fields=["status"])
    if was_accepted:
        _touch_agenda(item.meeting)
    return item


@transaction.atomic
def item_defer(*, item: AgendaItem) -> Meeting | None:
    """Report a point to the next meeting of the same series, as a proposal there (if it exists)."""
    meeting = item.meeting
    was_accepted = item.status == AgendaItem.Status.ACCEPTED
    target = selectors.next_meeting_in_series(meeting)
    if target is not None:
        item.meeting = target
        item.deferred_from = meeting
        item.status = AgendaItem.Status.PROPOSED
        item.position = _next_position(target)
        item.save(update_fields=["meeting", "deferred_from", "status", "position"])
    else:
        item.status = AgendaItem.Status.DEFERRED
        item.save(update_fields=["status"])
    if was_accepted:
        _touch_agenda(meeting)
    return target


@transaction.atomic
def item_merge(*, item: AgendaItem, into: AgendaItem) -> AgendaItem:
    """Fold a point into another: its title and description join the other's, its observations too."""
    if item.pk == into.pk or into.meeting_id != item.meeting_id:
        raise ValidationError(_("Choisissez un autre point de la même réunion."))
    if into.is_action_review or item.is_action_review:
        raise ValidationError(_("Le suivi des actions ne se fusionne pas."))
    addition = item.title + (f" : {item.description}" if item.description else "")
    into.description = (into.description + "\n" if into.description else "") + f"— {addition}"
    into.save(update_fields=["description"])
    into.observations.add(*item.observations.all())
    was_accepted = item.status == AgendaItem.Status.ACCEPTED
    item.status = AgendaItem.Status.MERGED
    item.merged_into = into
    item.save(update_fields=["status", "merged_into"])
    if was_accepted or into.status == AgendaItem.Status.ACCEPTED:
        _touch_agenda(item.meeting)
    return into


@transaction.atomic
def item_move(*, item: AgendaItem, offset: int) -> None:
    """Move an accepted point up (-1) or down (+1) in the agenda."""
    items = list(
        item.meeting.items.filter(status=AgendaItem.Status.ACCEPTED).order_by(
            "position", "created_at", "pk"
        )
    )
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index + offset
    if not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items):
        if other.position != position:
            other.position = position
            other.save(update_fields=["position"])
    _touch_agenda(item.meeting)


@transaction.atomic
def agenda_publish(*, meeting: Meeting, requested_by: Agent) -> tuple[AgendaDocument, bool]:
    """Publish the agenda: a new version when it changed, else the current one (created=False).

    A second click, or two clicks at once (the meeting row is locked), send nothing twice.
    """
    from meetings.selectors import agenda_schedule

    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_cancelled:
        raise ValidationError(
            _("Cette réunion est annulée : son ordre du jour ne peut pas être publié.")
        )
    if meeting.end <= timezone.now():
        raise ValidationError(_("Cette réunion est passée : publiez plutôt son compte rendu."))
    latest = _unchanged_document(meeting, AgendaDocument)
    if latest is not None:
        return latest, False
    schedule = agenda_schedule(meeting)
    if not schedule.rows:
        raise ValidationError(
            _("L'ordre du jour est vide : retenez au moins un point avant de le publier.")
        )
    if schedule.overflow_minutes > 0:
        raise ValidationError(
            _(
                "L'ordre du jour dure %(total)s minutes pour une réunion de %(length)s minutes : "
                "raccourcissez ou reportez des points (%(over)s minutes de trop)."
            )
            % {
                "total": schedule.total_minutes,
                "length": meeting.duration_minutes,
                "over": schedule.overflow_minutes,
            }
        )
    meeting.sequence += 1
    if meeting.status == Meeting.Status.PLANNED:
        meeting.status = Meeting.Status.AGENDA_PUBLISHED
    content = selectors.agenda_content(schedule)
    return _new_document(meeting, AgendaDocument, requested_by, content, "sequence", "status"), True


def _unchanged_document[D: MeetingDocument](meeting: Meeting, model: type[D]) -> D | None:
    """The latest published version if nothing changed since (a failed render is tried again)."""
    latest = model.objects.filter(meeting=meeting).order_by("-version").first()
    if (
        latest is None
        or latest.version != getattr(meeting, model.version_field)
        or getattr(meeting, model.changed_field)
    ):
        return None
    if jobs.retry(latest):  # anything but a failed render is left as it is
        latest.status = latest.Status.PENDING
    return latest


def _new_document[D: MeetingDocument](
    meeting: Meeting, model: type[D], requested_by: Agent, content: dict, *also: str
) -> D:
    """Publish the next version of a meeting's document (the meeting row is locked): its content
    frozen for readers, then its PDF and emails."""
    version = getattr(meeting, model.version_field) + 1
    setattr(meeting, model.version_field, version)
    setattr(meeting, model.changed_field, False)
    meeting.save(update_fields=[model.version_field, model.changed_field, *also, "updated_at"])
    document = model.objects.create(
        meeting=meeting, version=version, requested_by=requested_by, content=content
    )
    deliveries.plan(meeting, kind=model.mail_kind, version=version)
    jobs.enqueue(document)
    return document


def document_retry(*, document: AgendaDocument | MinutesDocument) -> bool:
    return jobs.retry(document)


# Minutes and actions -------------------------------------------------------------------------


def _touch_minutes(meeting: Meeting) -> None:
    _mark_held(meeting)
    if meeting.minutes_version and not meeting.minutes_changed:
        meeting.minutes_changed = True
        meeting.save(update_fields=["minutes_changed", "updated_at"])


def _check_minutes_open(meeting: Meeting) -> None:
    if meeting.is_cancelled:
        raise ValidationError(_("Cette réunion est annulée."))
    if meeting.start > timezone.now():
        raise ValidationError(_("Le compte rendu s'écrit pendant ou après la réunion, pas avant."))


@transaction.atomic
def minutes_update(*, meeting: Meeting, summary: str, items: dict[int, tuple[str, str]]) -> Meeting:
    """Write the minutes: a general summary, then notes and decisions item by item."""
    _check_minutes_open(meeting)
    meeting.minutes_summary = summary
    meeting.save(update_fields=["minutes_summary", "updated_at"])
    for item in meeting.items.filter(pk__in=list(items)):
        notes, decisions = items[item.pk]
        if (item.notes, item.decisions) != (notes, decisions):
            item.notes, item.decisions = notes, decisions
            item.save(update_fields=["notes", "decisions"])
    _touch_minutes(meeting)
    return meeting


@transaction.atomic
def action_create(
    *,
    meeting: Meeting,
    title: str,
    owner: Agent,
    due_date: datetime.date,
    agenda_item: AgendaItem | None = None,
    description: str = "",
    services: Iterable[Service] = (),
    priority: Priority | None = None,
    observation=None,
    allow_past_due: bool = False,
) -> Action:
    _check_minutes_open(meeting)
    if not allow_past_due and due_date < timezone.localtime(meeting.start).date():
        raise ValidationError({"due_date": _("L'échéance ne peut pas précéder la réunion.")})
    if priority is not None and priority.quartier_id != meeting.quartier_id:
        raise ValidationError({"priority": _("Cet axe n'appartient pas au projet de ce quartier.")})
    action = Action.objects.create(
        meeting=meeting,
        agenda_item=agenda_item,
        quartier=meeting.quartier,
        title=title,
        description=description,
        owner=owner,
        due_date=due_date,
        priority=priority,
        observation=observation,
    )
    action.services.set(list(services))
    _touch_minutes(meeting)
    return action


@transaction.atomic
def action_set_status(*, action: Action, status: str) -> Action:
    if status not in Action.Status.values:
        raise ValidationError(_("État inconnu."))
    action.status = status
    action.done_at = timezone.now() if status == Action.Status.DONE else None
    action.save(update_fields=["status", "done_at", "updated_at"])
    return action


@transaction.atomic
def action_delete(*, action: Action) -> None:
    meeting = action.meeting
    action.delete()
    _touch_minutes(meeting)


@transaction.atomic
def minutes_publish(*, meeting: Meeting, requested_by: Agent) -> tuple[MinutesDocument, bool]:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _check_minutes_open(meeting)
    latest = _unchanged_document(meeting, MinutesDocument)
    if latest is not None:
        return latest, False
    meeting.status = Meeting.Status.MINUTES_PUBLISHED
    content = selectors.minutes_content(meeting)
    return _new_document(meeting, MinutesDocument, requested_by, content, "status"), True


# Calendar feed -------------------------------------------------------------------------------


@transaction.atomic
def feed_token_renew(*, agent: Agent) -> CalendarFeedToken:
    """A new secret address; the previous one stops working at once."""
    feed_token_revoke(agent=agent)
    return CalendarFeedToken.objects.create(agent=agent)


@transaction.atomic
def feed_token_revoke(*, agent: Agent) -> int:
    return CalendarFeedToken.objects.filter(agent=agent, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def feed_token_touch(token: CalendarFeedToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(hours=1):
        CalendarFeedToken.objects.filter(pk=token.pk).update(last_used_at=now)


def _claim(queryset, field: str) -> bool:
    """Claim the right to send once (a conditional update on a `*_sent_at` field)."""
    return bool(queryset.filter(**{f"{field}__isnull": True}).update(**{field: timezone.now()}))


def claim_meeting_flag(meeting_pk: int, flag: str) -> bool:
    return _claim(Meeting.objects.filter(pk=meeting_pk), flag)


def _stamp_when_served(queryset, field: str, *, meeting_id: int, kind: str, version: int) -> None:
    """`field` (`emails_sent_at`, `cancellation_sent_at`) says when every invitee was served:
    a record for the pages, never a claim (the rows of `foundation.mail` are the claims)."""
    if deliveries.all_served(meeting_id, kind, version):
        queryset.filter(**{f"{field}__isnull": True}).update(**{field: timezone.now()})


# Email delivery (called by the Celery tasks) -------------------------------------------------


def document_render(*, model: type[MeetingDocument], document_id: int) -> bool:
    """Render the PDF once (`run_job` claims it); once stored, ask for its emails, which go on
    the mail queue (`document_send`). True when this call rendered it."""
    from meetings import documents

    return jobs.render_then_mail(model, document_id, documents.document_pdf) is not None


def document_send(*, model: type[MeetingDocument], document_id: int) -> int:
    """Email the stored PDF to each invitee not served yet.

    A redelivered message, or a second run, sends only to the invitees whose email was not sent
    (`meetings.deliveries`). A newer version published meanwhile is the only one sent.
    """
    from meetings import documents

    # Each concrete document declares its `meeting`; the plugin checks the abstract base's fields.
    document = model.objects.select_related(  # type: ignore[misc]
        "meeting", "meeting__organiser"
    ).get(pk=document_id)
    if not document.is_current:  # a newer version went instead
        deliveries.drop_superseded(document.meeting.pk, model.mail_kind, document.version)
        return 0
    if document.status != model.Status.READY:
        return 0  # its render asks for this task once the PDF is stored
    sent = documents.send_document_emails(document)
    _stamp_when_served(
        model.objects.filter(pk=document_id),
        "emails_sent_at",
        meeting_id=document.meeting.pk,
        kind=model.mail_kind,
        version=document.version,
    )
    return sent


def cancellation_deliver(*, meeting_id: int) -> int:
    """Tell every invitee that the meeting is cancelled (.ics METHOD:CANCEL), once."""
    from meetings import documents

    meeting = Meeting.objects.select_related("organiser").get(pk=meeting_id)
    if not meeting.is_cancelled:  # withdrawn
        deliveries.drop_superseded(meeting_id, MailKind.CANCELLATION, 0)
        return 0
    sent = documents.send_cancellation_emails(meeting)
    _stamp_when_served(
        Meeting.objects.filter(pk=meeting_id),
        "cancellation_sent_at",
        meeting_id=meeting_id,
        kind=MailKind.CANCELLATION,
        version=0,
    )
    return sent


def deliveries_resend(*, meeting: Meeting, kind: str) -> int:
    """« Renvoyer aux invités non servis » (the organiser's decision)."""
    return deliveries.resend(meeting=meeting, kind=kind)
