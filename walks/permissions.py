"""Who may read and write walks (diagnostics en marchant): the one place to read the rules.

Readers of a walk are those who read its quartier's meetings calendar (DESIGN.md): the members
of the quartier's team (agents, chef de projet), its élus, and those who read every quartier
(the maire, the comité de direction, administrators). An agent invited to a walk of another
quartier reads it too. Managing (planning, stops, invitations, moving, cancelling, marking it
done, asking for the report) is for the quartier's chef de projet and administrators. Noting
observations at a stop is for the agents who may write observations there: the quartier's team
members and the invited agents. Everyone else gets 404.

Observations shown with a walk go through `observations.permissions`: a confidential one is
shown in full only to who reads it; elsewhere (and always in the report PDF) by category only.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from teams.access import roles_of
from teams.models import Quartier
from walks.models import Walk, WalkInvitation


def walks_visible_to(user) -> QuerySet[Walk]:
    roles = roles_of(user)
    if not roles.authenticated:
        return Walk.objects.none()
    if roles.sees_all_quartiers:
        return Walk.objects.all()
    invited = Exists(WalkInvitation.objects.filter(walk_id=OuterRef("pk"), agent_id=user.pk))
    return Walk.objects.filter(Q(quartier_id__in=roles.quartier_ids) | invited)


def walks_managed_by(user) -> QuerySet[Walk]:
    roles = roles_of(user)
    if roles.admin:
        return Walk.objects.all()
    return Walk.objects.filter(quartier_id__in=roles.chef_of)


def can_manage(user, walk: Walk) -> bool:
    return roles_of(user).is_chef(walk.quartier_id)


def can_note(user, walk: Walk) -> bool:
    """Agents of the team and invited agents note observations during the walk."""
    if walk.is_cancelled:
        return False
    roles = roles_of(user)
    if roles.admin or roles.is_member(walk.quartier_id):
        return True
    return WalkInvitation.objects.filter(walk=walk, agent_id=user.pk).exists()


def quartiers_managed_by(user) -> QuerySet[Quartier]:
    roles = roles_of(user)
    if roles.admin:
        return Quartier.objects.all()
    return Quartier.objects.filter(pk__in=roles.chef_of)


def can_plan(user) -> bool:
    roles = roles_of(user)
    return roles.admin or bool(roles.chef_of)


def can_manage_quartier(user, quartier: Quartier) -> bool:
    return roles_of(user).is_chef(quartier.pk)
