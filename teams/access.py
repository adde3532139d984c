"""Who may read and write what in `teams`: the one place a reviewer reads to know the rules.

Every other app builds its own scoping on `roles_of(user)`, computed once per request.
An object outside a user's reach is answered with 404 by the views (they fetch through
these querysets), never with 403, so its existence is not disclosed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from teams.models import Agent, ExternalParticipant, Membership, Quartier, Service


@dataclass(frozen=True)
class Roles:
    """What a person is, everywhere: computed once per request and cached on the user."""

    authenticated: bool
    admin: bool
    comite_direction: bool
    maire: bool
    member_of: frozenset[int]  # quartiers where the person is in the team (membre, chef, direction)
    chef_of: frozenset[int]
    elu_of: frozenset[int]
    manages_services: frozenset[int]
    service_id: int | None

    @property
    def sees_all_quartiers(self) -> bool:
        return self.admin or self.maire or self.comite_direction

    @property
    def quartier_ids(self) -> frozenset[int]:
        """Quartiers whose team the person belongs to in any role, élu included."""
        return self.member_of | self.elu_of

    @property
    def reads_some_quartier(self) -> bool:
        """Whether some quartier's team work (counts, published documents) is the person's to read."""
        return self.sees_all_quartiers or bool(self.quartier_ids)

    def is_chef(self, quartier_id: int) -> bool:
        return self.admin or quartier_id in self.chef_of

    def is_member(self, quartier_id: int) -> bool:
        return quartier_id in self.member_of

    def reads_published(self, quartier_id: int) -> bool:
        """May read what the team publishes for a quartier (minutes, diagnostics, calendar)."""
        return self.sees_all_quartiers or quartier_id in self.quartier_ids


ANONYMOUS = Roles(
    False, False, False, False, frozenset(), frozenset(), frozenset(), frozenset(), None
)


def roles_of(user) -> Roles:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_roles_cache", None)
    if cached is not None:
        return cached
    member, chef, elu = set(), set(), set()
    for quartier_id, role in (
        Membership.objects.active().filter(agent=user).order_by().values_list("quartier_id", "role")
    ):
        if role == Membership.Role.ELU:
            elu.add(quartier_id)
        else:
            member.add(quartier_id)
            if role == Membership.Role.CHEF_DE_PROJET:
                chef.add(quartier_id)
    roles = Roles(
        authenticated=True,
        admin=user.is_superuser,
        comite_direction=user.is_comite_direction,
        maire=user.is_maire,
        member_of=frozenset(member),
        chef_of=frozenset(chef),
        elu_of=frozenset(elu),
        manages_services=frozenset(user.managed_services.values_list("pk", flat=True)),
        service_id=user.service_id,
    )
    user._roles_cache = roles
    return roles


def forget_roles(user) -> None:
    """To be called after a change of membership within the same request."""
    user.__dict__.pop("_roles_cache", None)


# Reads ---------------------------------------------------------------------------------------


def quartiers_visible_to(user) -> QuerySet[Quartier]:
    """Quartiers whose home, team and annuaire the person may read."""
    roles = roles_of(user)
    if roles.sees_all_quartiers:
        return Quartier.objects.all()
    return Quartier.objects.filter(pk__in=roles.quartier_ids)


def quartiers_offered_to(user, *, every: bool = False) -> QuerySet[Quartier]:
    """Quartiers a person may pick in a filter: their teams', or every one for those who read
    across quartiers, service responsables included (their service works everywhere). With
    `every`, what a chef de projet may pick for a working group: every quartier. Names only:
    reading a quartier's pages still goes through `quartiers_visible_to`."""
    roles = roles_of(user)
    if _offered_every_quartier(roles, every):
        return Quartier.objects.all()
    return Quartier.objects.filter(pk__in=roles.quartier_ids)


def _offered_every_quartier(roles: Roles, every: bool) -> bool:
    return (
        roles.sees_all_quartiers or bool(roles.manages_services) or (every and bool(roles.chef_of))
    )


def quartiers_offered_key(user, *, every: bool = False) -> str:
    """What `quartiers_offered_to` returns, as a short string for a cache key: "all", or the
    ids of the person's teams (a drawn filter bar depends on them, not on who the person is)."""
    roles = roles_of(user)
    if _offered_every_quartier(roles, every):
        return "all"
    return ",".join(str(pk) for pk in sorted(roles.quartier_ids))


def agents_offered_to(user) -> QuerySet[Agent]:
    """Agents a person may pick in a form (suggestions of the agent search boxes): every active
    agent for a chef de projet (teams, invitations and working groups draw from every service),
    an administrator and those who read every quartier; the readable ones for others."""
    roles = roles_of(user)
    if roles.admin or roles.chef_of or roles.sees_all_quartiers:
        return Agent.objects.filter(is_active=True)
    return agents_visible_to(user)


def externals_offered_to(user) -> QuerySet[ExternalParticipant]:
    """External participants a person may pick (invitations, working groups): those who
    organise meetings, chefs de projet and administrators, pick among all of them."""
    roles = roles_of(user)
    if roles.admin or roles.chef_of or roles.sees_all_quartiers:
        return ExternalParticipant.objects.all()
    return ExternalParticipant.objects.none()


def agents_visible_to(user) -> QuerySet[Agent]:
    """Agents whose profile the person may read: the teams they share, their service, themselves."""
    roles = roles_of(user)
    if not roles.authenticated:
        return Agent.objects.none()
    agents = Agent.objects.filter(is_active=True)
    if roles.sees_all_quartiers:
        return agents
    in_shared_team = Exists(
        Membership.objects.active().filter(agent=OuterRef("pk"), quartier_id__in=roles.quartier_ids)
    )
    services = set(roles.manages_services)
    if roles.service_id:
        services.add(roles.service_id)
    return agents.filter(in_shared_team | Q(service_id__in=services) | Q(pk=user.pk))


def services_visible_to(user) -> QuerySet[Service]:
    """The service directory is open to every signed-in person: orienting is everybody's job."""
    return Service.objects.all() if roles_of(user).authenticated else Service.objects.none()


# Writes --------------------------------------------------------------------------------------


def can_manage_team(user, quartier: Quartier) -> bool:
    """Add or end memberships, edit the quartier's priorities: its chef de projet (or an admin)."""
    return roles_of(user).is_chef(quartier.pk)


def can_edit_profile(user, agent: Agent) -> bool:
    return user.is_authenticated and (user.pk == agent.pk or user.is_superuser)
