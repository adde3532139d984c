"""Reads for `meetings`, scoped by `meetings.permissions`, with their joins prefetched."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from bookings.selectors import default_room
from foundation.models import MailDelivery
from meetings import permissions, planning, published
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
from meetings.permissions import meetings_visible_to
from meetings.published import PublishedAction, PublishedItem
from observations.models import Observation
from observations.permissions import observations_visible_to
from teams.models import Agent, ExternalParticipant, Membership, Quartier

CITABLE_LIMIT = 200


def _meeting_list(queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return (
        queryset.select_related("quartier", "working_group")
        .defer("quartier__outline")
        .order_by("start", "pk")
    )


def quartier_or_first(quartiers: QuerySet[Quartier], *, slug: str | None) -> Quartier | None:
    """The quartier asked for among those offered, or else the first of them."""
    return quartiers.filter(slug=slug).first() or quartiers.first()


def meeting_for(user, pk: int) -> Meeting:
    """A meeting the user may see (404 otherwise), with the user's own invitation prefetched."""
    mine = Invitation.objects.filter(agent_id=user.pk)
    return get_object_or_404(
        meetings_visible_to(user)
        .select_related("quartier", "working_group", "organiser", "room_booking__resource__place")
        .prefetch_related(Prefetch("invitations", queryset=mine, to_attr="my_invitations")),
        pk=pk,
    )


def upcoming_meetings(
    user, *, limit: int | None = None, quartier: Quartier | None = None
) -> list[Meeting]:
    meetings = _meeting_list(meetings_visible_to(user).active().filter(end__gte=timezone.now()))
    if quartier is not None:
        meetings = meetings.filter(quartier=quartier)
    return list(meetings[:limit] if limit else meetings)


def meetings_of_year(
    user, *, year: int, quartier: Quartier | None = None, invited_only: bool = False
) -> list[Meeting]:
    meetings = meetings_visible_to(user).filter(start__year=year)
    if quartier is not None:
        meetings = meetings.filter(quartier=quartier)
    if invited_only:
        meetings = meetings.filter(
            Q(invitations__agent_id=user.pk) | Q(organiser_id=user.pk)
        ).distinct()
    return list(_meeting_list(meetings))


def past_meetings(user) -> QuerySet[Meeting]:
    return (
        meetings_visible_to(user)
        .filter(end__lt=timezone.now())
        .select_related("quartier", "working_group")
        .defer("quartier__outline")
        .order_by("-start", "-pk")
    )


def my_meetings(user, *, since: datetime.datetime | None = None) -> QuerySet[Meeting]:
    """Every meeting the person is invited to or organises, across quartiers and groupes de travail."""
    # One set of ids (a UNION), not `invited OR organiser`: with the OR, PostgreSQL walked every
    # upcoming meeting of the city in date order (41,000 in bench/run.py: 14 ms, now 2 ms).
    invited = Invitation.objects.filter(agent_id=user.pk).values("meeting_id")
    organised = Meeting.objects.filter(organiser_id=user.pk).values("pk")
    meetings = Meeting.objects.filter(pk__in=invited.union(organised))
    if since is not None:
        meetings = meetings.filter(end__gte=since)
    return (
        meetings.select_related("quartier", "working_group")
        .defer("quartier__outline")
        .order_by("start", "pk")
    )


def invitations_of(meeting: Meeting) -> list[Invitation]:
    return list(
        meeting.invitations.select_related(
            "agent", "agent__service", "external", "external__organisation"
        ).order_by("external_id", "agent__last_name", "agent__first_name", "external__last_name")
    )


#: How long a delivery of a meeting's emails takes at most: invitees still "à envoyer" after it
#: were not served.
DELIVERY_TIME = datetime.timedelta(minutes=5)


def letter_of(meeting_id: int, kind: str, version: int) -> str:
    """The name of a meeting's letter on `foundation.mail`'s path."""
    return f"meetings:{meeting_id}:{kind}:{version}"


def unserved_mails(now: datetime.datetime) -> Q:
    """Not served, and no longer in progress: "à vérifier", or "à envoyer" after a failure or
    for longer than a delivery takes."""
    State = MailDelivery.State
    return Q(state=State.UNCONFIRMED) | Q(state=State.PENDING) & (
        Q(attempts__gt=0) | Q(created_at__lt=now - DELIVERY_TIME)
    )


def unserved_counts(meeting: Meeting) -> dict[str, int]:
    """Per kind of letter, the invitees not served by its current version (one query)."""
    current = {letter_of(meeting.pk, MailKind.CANCELLATION, 0): MailKind.CANCELLATION}
    if meeting.agenda_version:
        current[letter_of(meeting.pk, MailKind.AGENDA, meeting.agenda_version)] = MailKind.AGENDA
    if meeting.minutes_version:
        current[letter_of(meeting.pk, MailKind.MINUTES, meeting.minutes_version)] = MailKind.MINUTES
    counts = {kind: 0 for kind in MailKind.values}
    for letter in (
        MailDelivery.objects.filter(letter__in=current)
        .filter(unserved_mails(timezone.now()))
        .values_list("letter", flat=True)
    ):
        counts[current[letter]] += 1
    return counts


@dataclass
class ResponseCounts:
    yes: int = 0
    no: int = 0
    maybe: int = 0
    pending: int = 0
    attended: int = 0


def recipients(meeting: Meeting) -> list[tuple[str, str]]:
    """(name, email) of every invitee with an address, agents and external participants."""
    seen, found = set(), []
    for invitation in invitations_of(meeting):
        invitee = invitation.invitee
        if invitation.agent is not None and not invitation.agent.is_active:
            continue  # a departed agent's mailbox is closed
        email = (invitee.email or "").strip().lower()
        if email and email not in seen:
            seen.add(email)
            found.append((str(invitee), email))
    return found


def response_counts(invitations: list[Invitation]) -> ResponseCounts:
    counts = ResponseCounts()
    for invitation in invitations:
        setattr(counts, invitation.response, getattr(counts, invitation.response) + 1)
        counts.attended += invitation.attended is True
    return counts


# Agenda --------------------------------------------------------------------------------------


@dataclass
class ScheduleRow:
    """A point of the agenda: the live item (a draft for who manages) or the published one."""

    number: int
    item: AgendaItem | PublishedItem
    start: datetime.datetime
    end: datetime.datetime
    actions: Sequence[Action | PublishedAction] = field(default_factory=list)


@dataclass
class Schedule:
    meeting: Meeting
    rows: list[ScheduleRow]
    total_minutes: int
    review_actions: Sequence[Action | PublishedAction]
    # The minutes' general summary and actions outside any point, as published (minutes only).
    summary: str = ""
    loose_actions: Sequence[PublishedAction] = ()

    @property
    def overflow_minutes(self) -> int:
        return max(0, self.total_minutes - self.meeting.duration_minutes)

    @property
    def free_minutes(self) -> int:
        return max(0, self.meeting.duration_minutes - self.total_minutes)


def _items_with_joins(items: QuerySet[AgendaItem]) -> QuerySet[AgendaItem]:
    citations = Observation.objects.select_related("category", "quartier").order_by("pk")
    return items.select_related("proposed_by", "deferred_from").prefetch_related(
        Prefetch("observations", queryset=citations)
    )


def open_actions_before(meeting: Meeting) -> list[Action]:
    """Open actions decided at earlier meetings of the same quartier (or groupe de travail)."""
    actions = Action.objects.filter(
        status__in=Action.OPEN_STATUSES, meeting__start__lt=meeting.start
    )
    if meeting.working_group_id:
        actions = actions.filter(meeting__working_group_id=meeting.working_group_id)
    else:
        # Without a groupe de travail, a meeting has a quartier (meeting_has_quartier_or_group).
        assert meeting.quartier_id is not None
        actions = actions.filter(quartier_id=meeting.quartier_id)
    return list(actions.select_related("owner", "meeting").order_by("due_date", "pk"))


def agenda_schedule(meeting: Meeting, *, with_actions: bool = False) -> Schedule:
    """The accepted points in order, each with its planned start time (the meeting's start + before)."""
    items = list(
        _items_with_joins(meeting.items.filter(status=AgendaItem.Status.ACCEPTED)).order_by(
            "position", "created_at", "pk"
        )
    )
    actions_by_item: dict[int | None, list[Action]] = {}
    if with_actions:
        for action in meeting.actions.select_related(
            "owner", "priority", "observation", "observation__category", "observation__quartier"
        ).prefetch_related("services"):
            actions_by_item.setdefault(action.agenda_item_id, []).append(action)
    rows, cursor, total = [], meeting.start, 0
    for number, item in enumerate(items, start=1):
        end = cursor + datetime.timedelta(minutes=item.duration_minutes)
        rows.append(ScheduleRow(number, item, cursor, end, actions_by_item.get(item.pk, [])))
        cursor, total = end, total + item.duration_minutes
    review = open_actions_before(meeting) if any(item.is_action_review for item in items) else []
    return Schedule(meeting=meeting, rows=rows, total_minutes=total, review_actions=review)


def _row_content(row: ScheduleRow) -> dict:
    return {
        **published.item_data(row.item),
        "number": row.number,
        "start": row.start.isoformat(),
        "end": row.end.isoformat(),
        "actions": [published.action_data(action) for action in row.actions],
    }


def agenda_content(schedule: Schedule) -> dict:
    """The agenda as it is published, to keep on its document (JSON)."""
    return {
        "rows": [_row_content(row) for row in schedule.rows],
        "total_minutes": schedule.total_minutes,
        "review_actions": [
            published.action_data(action, full=False) for action in schedule.review_actions
        ],
    }


def minutes_content(meeting: Meeting) -> dict:
    """The minutes as they are published: the points with their notes, decisions and actions."""
    loose = (
        meeting.actions.filter(agenda_item__isnull=True)
        .select_related(
            "owner", "priority", "observation", "observation__category", "observation__quartier"
        )
        .prefetch_related("services")
    )
    return {
        **agenda_content(agenda_schedule(meeting, with_actions=True)),
        "summary": meeting.minutes_summary,
        "loose_actions": [published.action_data(action) for action in loose],
    }


def published_schedule(document: MeetingDocument) -> Schedule:
    """What a published document says, as frozen at its publication.

    A version published before its content was kept has none: it shows the meeting as it is.
    """
    content = document.content
    if not content:
        meeting = document.meeting
        is_minutes = isinstance(document, MinutesDocument)
        content = (
            minutes_content(meeting) if is_minutes else agenda_content(agenda_schedule(meeting))
        )
    rows = [
        ScheduleRow(
            number=row["number"],
            item=published.item_from(row),
            start=datetime.datetime.fromisoformat(row["start"]),
            end=datetime.datetime.fromisoformat(row["end"]),
            actions=[published.action_from(action) for action in row["actions"]],
        )
        for row in content["rows"]
    ]
    return Schedule(
        meeting=document.meeting,
        rows=rows,
        total_minutes=content["total_minutes"],
        review_actions=[published.action_from(a) for a in content["review_actions"]],
        summary=content.get("summary", ""),
        loose_actions=[published.action_from(a) for a in content.get("loose_actions", [])],
    )


def proposals(user, meeting: Meeting) -> list[AgendaItem]:
    """Points not (or no longer) on the agenda: proposed, reported, merged; who manages sees all."""
    items = permissions.agenda_items_visible_to(user, meeting).exclude(
        status=AgendaItem.Status.ACCEPTED
    )
    return list(
        _items_with_joins(items)
        .select_related("merged_into")
        .order_by("status", "created_at", "pk")
    )


def citable_observations_for(user, meeting: Meeting) -> QuerySet[Observation]:
    """Observations a person may cite on an agenda: those it reads, of the meeting's quartier(s)."""
    observations = observations_visible_to(user).select_related("category", "quartier")
    if meeting.quartier_id:
        observations = observations.filter(quartier_id=meeting.quartier_id)
    elif meeting.working_group_id:
        observations = observations.filter(quartier__working_groups=meeting.working_group_id)
    # The most recent ones only: a choice list of thousands helps nobody (and weighs on the page).
    recent = observations.order_by("-pk").values("pk")[:CITABLE_LIMIT]
    return observations.filter(pk__in=recent).order_by("-pk")


def meeting_item(meeting: Meeting, pk: int) -> AgendaItem:
    return get_object_or_404(AgendaItem.objects.select_related("meeting"), pk=pk, meeting=meeting)


def meeting_invitation(meeting: Meeting, pk: int) -> Invitation:
    return get_object_or_404(Invitation, pk=pk, meeting=meeting)


def meeting_document[D: MeetingDocument](meeting: Meeting, model: type[D], pk: int) -> D:
    return get_object_or_404(model, pk=pk, meeting=meeting)


def latest_agenda(meeting: Meeting) -> AgendaDocument | None:
    return meeting.agenda_documents.order_by("-version").first()


def latest_minutes(meeting: Meeting) -> MinutesDocument | None:
    return meeting.minutes_documents.order_by("-version").first()


def readers_schedule(document: MeetingDocument | None) -> Schedule | None:
    """What those who do not manage the meeting read: the latest published version, if any."""
    return published_schedule(document) if document is not None else None


def readers_agenda(
    meeting: Meeting, document: AgendaDocument | None, *, invited: bool
) -> Schedule | None:
    """The agenda for who does not manage the meeting: once published, the version published;
    before, invitees follow it in preparation (shown as such), others see nothing of it."""
    if document is None and invited:
        return agenda_schedule(meeting)
    return readers_schedule(document)


# Actions -------------------------------------------------------------------------------------


def _action_list(actions: QuerySet[Action]) -> QuerySet[Action]:
    return (
        actions.select_related(
            "owner",
            "meeting",
            "meeting__quartier",
            "meeting__working_group",
            "priority",
            "observation",
        )
        .prefetch_related("services")
        .order_by("due_date", "pk")
    )


def actions_board(user, *, quartier: Quartier, status: str = "open") -> QuerySet[Action]:
    actions = permissions.actions_visible_to(user).filter(quartier=quartier)
    return _action_list(_filter_status(actions, status))


def my_actions(user, *, status: str = "open") -> QuerySet[Action]:
    return _action_list(_filter_status(Action.objects.filter(owner_id=user.pk), status))


def _filter_status(actions: QuerySet[Action], status: str) -> QuerySet[Action]:
    if status == "open":
        return actions.filter(status__in=Action.OPEN_STATUSES)
    if status == "overdue":
        return actions.filter(status__in=Action.OPEN_STATUSES, due_date__lt=timezone.localdate())
    if status in Action.Status.values:
        return actions.filter(status=status)
    return actions


def action_for(user, pk: int) -> Action:
    return get_object_or_404(
        permissions.actions_visible_to(user).select_related("meeting", "owner"), pk=pk
    )


def meeting_action(meeting: Meeting, pk: int) -> Action:
    return get_object_or_404(Action, pk=pk, meeting=meeting)


def loose_actions(meeting: Meeting) -> list[Action]:
    """The meeting's actions decided outside any item of its agenda."""
    return list(meeting.actions.filter(agenda_item__isnull=True).select_related("owner"))


def action_owners(meeting: Meeting) -> QuerySet[Agent]:
    """Who may own an action: the invitees, and the quartier's team (a groupe de travail's
    meeting may have no quartier)."""
    team = (
        Membership.objects.active().filter(quartier_id=meeting.quartier_id)
        if meeting.quartier_id is not None
        else Membership.objects.none()
    )
    return (
        Agent.objects.filter(
            Q(pk__in=meeting.invitations.values("agent_id")) | Q(pk__in=team.values("agent_id"))
        )
        .filter(is_active=True)
        .order_by("last_name", "first_name")
    )


def action_counts(user, *, quartier: Quartier | None = None) -> dict[str, int]:
    actions = (
        permissions.actions_visible_to(user)
        if quartier is not None
        else Action.objects.filter(owner_id=user.pk)
    )
    if quartier is not None:
        actions = actions.filter(quartier=quartier)
    today = timezone.localdate()
    return actions.aggregate(
        open=Count("pk", filter=Q(status__in=Action.OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=Action.OPEN_STATUSES, due_date__lt=today)),
        done=Count("pk", filter=Q(status=Action.Status.DONE)),
    )


def invitee_clash(meeting: Meeting) -> str | None:
    """Another active meeting overlapping this one with one of its invited agents (one query)."""
    invitees = Invitation.objects.filter(meeting=meeting, agent__isnull=False).values("agent_id")
    other = (
        Meeting.objects.active()
        .overlapping(meeting.start, meeting.end)
        .exclude(pk=meeting.pk)
        .filter(invitations__agent_id__in=invitees)
        .select_related("quartier", "working_group")
        .first()
    )
    return str(other) if other else None


# Groupes de travail --------------------------------------------------------------------------


def working_groups_for(user) -> QuerySet[WorkingGroup]:
    """The groups the user sees, with their quartiers and member counts (3 queries in all)."""
    return (
        permissions.working_groups_visible_to(user)
        .annotate(
            agent_count=Count("members", filter=Q(members__is_active=True), distinct=True),
            external_count=Count("external_members", distinct=True),
            upcoming_count=Count(
                "meetings",
                filter=Q(meetings__start__gte=timezone.now())
                & ~Q(meetings__status=Meeting.Status.CANCELLED),
                distinct=True,
            ),
        )
        .prefetch_related(Prefetch("quartiers", queryset=Quartier.objects.order_by("name")))
        .order_by("-is_active", "name")
    )


def convenable_working_groups(user) -> QuerySet[WorkingGroup]:
    """The active groups the user may convene (it manages them)."""
    return permissions.working_groups_managed_by(user).filter(is_active=True).order_by("name")


def working_group_for(user, pk: int) -> WorkingGroup:
    """A group the user may manage (404 otherwise), its quartiers prefetched."""
    group = get_object_or_404(
        permissions.working_groups_visible_to(user).prefetch_related("quartiers"), pk=pk
    )
    if not permissions.can_manage_working_group(user, group):
        raise Http404
    return group


# Who is invited by default, the next meeting of a series, the year's proposals ---------------


def default_invitees(
    *, kind: str, quartier: Quartier | None, working_group: WorkingGroup | None
) -> tuple[list[Agent], list[ExternalParticipant]]:
    """The quartier team by default; élus and the maire at a petit déjeuner; partners at an ETT."""
    if kind == Meeting.Kind.GROUPE and working_group is not None:
        return list(working_group.members.filter(is_active=True)), list(
            working_group.external_members.all()
        )
    if quartier is None:
        return [], []
    roles = [Membership.Role.MEMBRE, Membership.Role.CHEF_DE_PROJET]
    if kind == Meeting.Kind.PETIT_DEJEUNER:
        roles.append(Membership.Role.ELU)
    agent_ids = set(
        Membership.objects.active()
        .filter(quartier=quartier, role__in=roles)
        .values_list("agent_id", flat=True)
    )
    if kind == Meeting.Kind.PETIT_DEJEUNER:
        agent_ids |= set(
            Agent.objects.filter(is_maire=True, is_active=True).values_list("pk", flat=True)
        )
    agents = list(Agent.objects.filter(pk__in=agent_ids, is_active=True))
    externals = list(quartier.external_participants.all()) if kind == Meeting.Kind.ETT else []
    return agents, externals


def next_meeting_in_series(meeting: Meeting) -> Meeting | None:
    series = Meeting.objects.active().filter(start__gt=meeting.start, kind=meeting.kind)
    if meeting.working_group_id:
        series = series.filter(working_group_id=meeting.working_group_id)
    else:
        # Without a groupe de travail, a meeting has a quartier (meeting_has_quartier_or_group).
        assert meeting.quartier_id is not None
        series = series.filter(quartier_id=meeting.quartier_id)
    return series.order_by("start").first()


def year_proposals(*, quartier: Quartier, year: int) -> list[planning.Proposal]:
    agents, _externals = default_invitees(
        kind=Meeting.Kind.EQUIPE, quartier=quartier, working_group=None
    )
    busy = planning.busy_slots(year=year, agent_ids=[a.pk for a in agents], quartier_id=quartier.pk)
    existing = list(
        Meeting.objects.active().filter(
            quartier=quartier, kind__in=[Meeting.Kind.EQUIPE, Meeting.Kind.ETT], start__year=year
        )
    )
    room = planning.room_busy_slots(room=default_room(quartier), year=year)
    return planning.propose_year(year=year, busy=busy, existing=existing, room=room)


# Calendar feed -------------------------------------------------------------------------------


def feed_token_of(agent) -> CalendarFeedToken | None:
    """The person's calendar address in use, if any."""
    return CalendarFeedToken.objects.filter(
        agent=agent, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


def feed_token(token: str) -> CalendarFeedToken:
    """A token in use of an active account (404 otherwise: expired, revoked or unknown)."""
    return get_object_or_404(
        CalendarFeedToken.objects.select_related("agent"),
        token=token,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
        agent__is_active=True,
    )


def feed_meetings(agent, *, since: datetime.datetime) -> QuerySet[Meeting]:
    return my_meetings(agent, since=since).select_related("organiser")
