"""Panels shown on the tableau de bord and the quartier home page (registered in apps.py)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from meetings import selectors
from meetings.models import Action, Invitation, Meeting

PANEL_SIZE = 5


def home_panel(request):
    """My next meetings (with my answer) and my open actions: three queries."""
    user = request.user
    mine = Invitation.objects.filter(agent_id=user.pk)
    meetings = list(
        selectors.my_meetings(user, since=timezone.now())
        .exclude(status=Meeting.Status.CANCELLED)
        .prefetch_related(Prefetch("invitations", queryset=mine, to_attr="my_invitations"))[
            :PANEL_SIZE
        ]
    )
    for meeting in meetings:
        meeting.my_response = meeting.my_invitations[0].response if meeting.my_invitations else None
    actions = list(
        Action.objects.filter(owner_id=user.pk, status__in=Action.OPEN_STATUSES).order_by(
            "due_date", "pk"
        )[:PANEL_SIZE]
    )
    if not meetings and not actions:
        return None
    return "meetings/panels/home.html", {
        "meetings": meetings,
        "actions": actions,
        "today": timezone.localdate(),
    }


def quartier_panel(request, quartier):
    meetings = selectors.upcoming_meetings(request.user, limit=PANEL_SIZE, quartier=quartier)
    return "meetings/panels/quartier.html", {"meetings": meetings, "quartier": quartier}


# What a change of a meeting invalidates (foundation.generations): its quartier's home, and the
# calendar feed of whoever organises it or is invited to it.


def scopes_of_meeting(meeting: Meeting) -> list[str]:
    invitees = Invitation.objects.filter(meeting_id=meeting.pk, agent__isnull=False)
    agents = {meeting.organiser_id, *invitees.values_list("agent_id", flat=True)}
    return [f"quartier:{meeting.quartier_id}" if meeting.quartier_id else ""] + [
        f"agent:{pk}" for pk in agents if pk
    ]


def scopes_of_invitation(invitation: Invitation) -> list[str]:
    return [f"agent:{invitation.agent_id}" if invitation.agent_id else ""]
