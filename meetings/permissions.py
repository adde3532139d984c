"""Who may read and write what in `meetings`: the one place a reviewer reads to know the rules.

Reads (DESIGN.md's table):
- an agent sees the meetings it is invited to (and those it organises); an agent of another
  quartier who is not invited sees nothing of them;
- a chef de projet sees every meeting of its quartier, and the groupes de travail that
  touch it, drafts included;
- an élu(e) sees the calendar of its quartiers' meetings, their published agenda and their
  published minutes (never drafts); the maire sees them for every quartier;
- the comité de direction (our choice: it reads escalations that come out of these meetings
  and the diagnostics they feed) reads like the maire: every quartier's calendar, published
  agendas and published minutes, nothing in draft;
- an administrator sees everything.
Within a visible meeting, proposals in draft and unpublished minutes are for those who
manage it; an invitee sees its own proposals. Actions are seen by their owner, by who manages
the meeting, and by who reads the meeting once its minutes are published.

Groupes de travail: everyone sees the groups they belong to; a chef de projet (and an élu)
also sees those spanning its quartiers; the maire, the comité de direction and administrators
see them all. A chef de projet creates groups (spanning at least one of its quartiers) and
manages those spanning one of its quartiers (name, members, quartiers) and only those it
convenes (their members and partners are invited in the city's name); administrators all.

Writes: the chef de projet of the meeting's quartier (or of a quartier of its groupe de
travail), its organiser and administrators manage a meeting (invitations, agenda, minutes,
actions); invited agents propose items before the deadline and answer the invitation;
an action's owner updates its status.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

# Imported lazily by the models' QuerySet methods, directly by everything else.
from meetings.models import (
    Action,
    AgendaItem,
    Invitation,
    Meeting,
    MeetingQuerySet,
    MinutesDocument,
    WorkingGroup,
)
from teams.access import quartiers_visible_to, roles_of
from teams.models import Quartier


def _group_touches(quartier_ids) -> Q:
    return Q(
        Exists(
            WorkingGroup.quartiers.through.objects.filter(
                workinggroup_id=OuterRef("working_group_id"), quartier_id__in=quartier_ids
            )
        )
    )


def _invited(user) -> Exists:
    return Exists(Invitation.objects.filter(meeting_id=OuterRef("pk"), agent_id=user.pk))


def meetings_visible_to(user, queryset: MeetingQuerySet | None = None) -> MeetingQuerySet:
    meetings = Meeting.objects.all() if queryset is None else queryset
    roles = roles_of(user)
    if not roles.authenticated:
        return meetings.none()
    if roles.sees_all_quartiers:
        return meetings
    reads_quartier = roles.chef_of | roles.elu_of
    condition = Q(organiser_id=user.pk) | _invited(user) | Q(quartier_id__in=reads_quartier)
    if roles.chef_of:
        condition |= _group_touches(roles.chef_of)
    return meetings.filter(condition)


def meetings_managed_by(user) -> QuerySet[Meeting]:
    roles = roles_of(user)
    if roles.admin:
        return Meeting.objects.all()
    if not roles.authenticated:
        return Meeting.objects.none()
    condition = Q(organiser_id=user.pk) | Q(quartier_id__in=roles.chef_of)
    if roles.chef_of:
        condition |= _group_touches(roles.chef_of)
    return Meeting.objects.filter(condition)


def can_manage(user, meeting: Meeting) -> bool:
    roles = roles_of(user)
    if roles.admin or meeting.organiser_id == user.pk:
        return True
    if meeting.quartier_id in roles.chef_of:
        return True
    if meeting.working_group_id and roles.chef_of:
        cached = getattr(meeting, "_group_quartier_ids", None)
        if cached is None:
            group = meeting.working_group
            assert group is not None  # (working_group_id is set)
            cached = set(group.quartiers.values_list("pk", flat=True))
            meeting._group_quartier_ids = cached
        return bool(cached & roles.chef_of)
    return False


def invitation_of(user, meeting: Meeting) -> Invitation | None:
    """The user's own invitation (prefetched by the detail selector when available)."""
    cached = getattr(meeting, "my_invitations", None)
    if cached is not None:
        return cached[0] if cached else None
    return Invitation.objects.filter(meeting=meeting, agent_id=user.pk).first()


def can_propose(user, meeting: Meeting) -> bool:
    if not meeting.proposals_open:
        return False
    return can_manage(user, meeting) or invitation_of(user, meeting) is not None


def can_rsvp(user, meeting: Meeting) -> bool:
    return (
        not meeting.is_cancelled
        and not meeting.is_past
        and invitation_of(user, meeting) is not None
    )


def can_read_minutes(user, meeting: Meeting) -> bool:
    """Called on a meeting already fetched through `meetings_visible_to`."""
    return meeting.minutes_version > 0 or can_manage(user, meeting)


def agenda_items_visible_to(user, meeting: Meeting) -> QuerySet[AgendaItem]:
    """Items of a visible meeting: the agenda itself for all, proposals to who manages or proposed them."""
    items = AgendaItem.objects.filter(meeting=meeting)
    if can_manage(user, meeting):
        return items
    return items.filter(Q(status=AgendaItem.Status.ACCEPTED) | Q(proposed_by_id=user.pk))


def actions_visible_to(user) -> QuerySet[Action]:
    roles = roles_of(user)
    if not roles.authenticated:
        return Action.objects.none()
    published = meetings_visible_to(user).filter(minutes_version__gt=0)
    managed = meetings_managed_by(user)
    # A reader sees the actions its minutes published; one added since is a draft until then.
    in_published_minutes = Exists(
        MinutesDocument.objects.filter(
            meeting_id=OuterRef("meeting_id"), requested_at__gte=OuterRef("created_at")
        )
    )
    return Action.objects.filter(
        Q(owner_id=user.pk)
        | Q(meeting__in=managed.values("pk"))
        | (Q(meeting__in=published.values("pk")) & in_published_minutes)
    )


def can_update_action(user, action: Action) -> bool:
    return action.owner_id == user.pk or can_manage(user, action.meeting)


def quartier_calendar_for(user, slug: str) -> Quartier:
    """The quartier pages of this app follow the teams rule: 404 for a quartier out of reach."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(quartiers_visible_to(user), slug=slug)


def can_plan(user, quartier: Quartier) -> bool:
    return roles_of(user).is_chef(quartier.pk)


def can_create_meetings(user) -> bool:
    roles = roles_of(user)
    return roles.admin or bool(roles.chef_of)


def quartiers_managed_by(user) -> QuerySet[Quartier]:
    roles = roles_of(user)
    if roles.admin:
        return Quartier.objects.all()
    return Quartier.objects.filter(pk__in=roles.chef_of)


# Groupes de travail --------------------------------------------------------------------------


def working_groups_visible_to(user) -> QuerySet[WorkingGroup]:
    roles = roles_of(user)
    groups = WorkingGroup.objects.all()
    if not roles.authenticated:
        return groups.none()
    if roles.sees_all_quartiers:
        return groups
    touching = WorkingGroup.quartiers.through.objects.filter(
        workinggroup_id=OuterRef("pk"), quartier_id__in=roles.chef_of | roles.elu_of
    )
    member = WorkingGroup.members.through.objects.filter(
        workinggroup_id=OuterRef("pk"), agent_id=user.pk
    )
    return groups.filter(Exists(touching) | Exists(member))


def can_create_working_group(user) -> bool:
    return can_create_meetings(user)


def can_manage_working_group(user, group: WorkingGroup) -> bool:
    """Admin, or the chef de projet of a quartier the group spans (`quartier_ids` if prefetched)."""
    roles = roles_of(user)
    if roles.admin:
        return True
    if not roles.chef_of:
        return False
    return bool(working_group_quartier_ids(group) & roles.chef_of)


def working_groups_managed_by(user) -> QuerySet[WorkingGroup]:
    """The groups a user manages, hence may convene: all for an admin, those spanning one of a
    chef de projet's quartiers, none for anyone else."""
    roles = roles_of(user)
    if roles.admin:
        return WorkingGroup.objects.all()
    if not roles.chef_of:
        return WorkingGroup.objects.none()
    return WorkingGroup.objects.filter(
        pk__in=WorkingGroup.quartiers.through.objects.filter(quartier_id__in=roles.chef_of).values(
            "workinggroup_id"
        )
    )


def working_group_quartier_ids(group: WorkingGroup) -> set[int]:
    return {quartier.pk for quartier in group.quartiers.all()}  # the prefetch when there is one


def working_group_quartiers_allowed(user, quartier_ids: set[int]) -> bool:
    """A chef de projet keeps its group in reach: it spans at least one of its quartiers."""
    roles = roles_of(user)
    return roles.admin or bool(quartier_ids & roles.chef_of)
