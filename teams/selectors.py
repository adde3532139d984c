"""Reads for `teams`, scoped by `teams.access` and with their joins prefetched."""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from teams.access import agents_visible_to, quartiers_visible_to, services_visible_to
from teams.models import Agent, Membership, Quartier, Service

NEWCOMER_DAYS = 90


@dataclass
class ServiceGroup:
    service: Service | None
    members: list[Membership] = field(default_factory=list)


@dataclass
class TeamOverview:
    quartier: Quartier
    chefs: list[Membership]
    elus: list[Membership]
    direction: list[Membership]
    groups: list[ServiceGroup]
    member_count: int
    service_count: int
    newcomers: list[Membership]


def team_overview(quartier: Quartier, today: datetime.date | None = None) -> TeamOverview:
    """The team at a glance, grouped by service, in one query."""
    today = today or timezone.localdate()
    memberships = list(
        Membership.objects.active(today)
        .filter(quartier=quartier)
        .select_related("agent", "agent__service")
        .order_by("agent__service__name", "agent__last_name", "agent__first_name")
    )
    chefs, elus, direction = [], [], []
    groups: dict[int | None, ServiceGroup] = {}
    for membership in memberships:
        if membership.role == Membership.Role.CHEF_DE_PROJET:
            chefs.append(membership)
        elif membership.role == Membership.Role.ELU:
            elus.append(membership)
            continue
        elif membership.role == Membership.Role.DIRECTION:
            direction.append(membership)
            continue
        service = membership.agent.service
        key = service.pk if service else None
        groups.setdefault(key, ServiceGroup(service)).members.append(membership)
    team = [
        m for m in memberships if m.role in (Membership.Role.MEMBRE, Membership.Role.CHEF_DE_PROJET)
    ]
    cutoff = today - datetime.timedelta(days=NEWCOMER_DAYS)
    return TeamOverview(
        quartier=quartier,
        chefs=chefs,
        elus=elus,
        direction=direction,
        groups=sorted(
            groups.values(), key=lambda g: collation_key(g.service.name if g.service else "~")
        ),
        member_count=len({m.agent_id for m in team}),
        service_count=len([k for k in groups if k is not None]),
        newcomers=[m for m in team if m.agent.arrival_date and m.agent.arrival_date >= cutoff],
    )


def collation_key(text: str) -> str:
    """Sort French names as a reader expects (É with E), whatever the database's collation."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def quartier_for(user, slug: str) -> Quartier:
    from django.shortcuts import get_object_or_404

    # With its outline, which the quartier's page draws (the manager leaves it out of lists).
    return get_object_or_404(quartiers_visible_to(user).defer(None), slug=slug)


def annuaire(
    user, *, quartier: Quartier | None = None, service: Service | None = None, query: str = ""
) -> QuerySet[Agent]:
    """The trombinoscope: who does what, filtered by quartier, service and a name or job search."""
    agents = agents_visible_to(user).select_related("service")
    if quartier is not None:
        agents = agents.filter(
            pk__in=Membership.objects.active().filter(quartier=quartier).values("agent_id")
        )
    if service is not None:
        agents = agents.filter(service=service)
    for word in query.split()[:6]:
        agents = agents.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(job_title__icontains=word)
            | Q(service__name__icontains=word)
        )
    return agents.order_by("last_name", "first_name", "pk")


def agent_profile(user, pk: int) -> Agent:
    from django.shortcuts import get_object_or_404

    memberships = Membership.objects.active().select_related("quartier").order_by("quartier__name")
    return get_object_or_404(
        agents_visible_to(user)
        .select_related("service", "manager")
        .prefetch_related(
            Prefetch("memberships", queryset=memberships, to_attr="active_memberships")
        ),
        pk=pk,
    )


def service_directory(user, query: str = "") -> QuerySet[Service]:
    """'À quel service orienter un habitant pour…': search the services by what they offer."""
    services = services_visible_to(user)
    for word in query.split()[:6]:
        services = services.filter(
            Q(name__icontains=word)
            | Q(offer__icontains=word)
            | Q(keywords__icontains=word)
            | Q(direction__icontains=word)
        )
    return services.order_by("name")


def my_memberships(user) -> list[Membership]:
    return list(
        Membership.objects.active()
        .filter(agent=user)
        .select_related("quartier")
        .order_by("quartier__name")
    )


def chefs_of(quartier_ids) -> dict[int, list[Agent]]:
    chefs: dict[int, list[Agent]] = {}
    for membership in (
        Membership.objects.active()
        .filter(quartier_id__in=quartier_ids, role=Membership.Role.CHEF_DE_PROJET)
        .select_related("agent", "agent__service")
    ):
        chefs.setdefault(membership.quartier_id, []).append(membership.agent)
    return chefs


def team_memberships(quartier: Quartier) -> QuerySet[Membership]:
    """Every membership of a quartier, current and past, for the chef de projet's team page."""
    return (
        Membership.objects.filter(quartier=quartier)
        .select_related("agent", "agent__service")
        .order_by("end_date", "role", "agent__last_name", "agent__first_name")
    )
