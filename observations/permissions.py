"""Who may read and write observations: the one place a reviewer reads to know the rules.

Reads (DESIGN.md's access table; a confidential observation is a social situation under
professional secrecy):

| who | sees in full |
|---|---|
| anyone | the observations they wrote |
| agent (team member of a quartier) | the quartier's observations that are not confidential, and the
  confidential ones assigned to the agent's own service in that quartier |
| chef de projet | every observation of its quartiers, confidential included |
| responsable de service | every observation assigned to one of its services, in every quartier |
| comité de direction | escalated observations of every quartier, except confidential ones: those it
  sees only through the escalation (the chef's reason, a public title) and answers there |
| élu, maire | no observation detail: counts on dashboards and the "phénomènes émergents" page |
| administrator | everything |

"Agents of the assigned service" is read as the service's agents *in the quartier's team*:
a CCAS agent of Sud does not read a confidential observation of Ouest because it was sent to
the CCAS; the service's responsables do.

Counts (emerging phenomena, panels) include confidential observations as numbers only, for
the quartiers a person may read the published documents of (`Roles.reads_published`).
Anything that leaves the team (PDF, CSV export) uses `public_title` / `citable()`.
Views fetch through these querysets: what is out of reach answers 404.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BigIntegerField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast

from observations.models import Escalation, Observation, Orientation
from teams.access import roles_of
from teams.models import Quartier

CONFIDENTIAL = "confidentiel"


# Reads ---------------------------------------------------------------------------------------


def any_of(column: str, ids) -> Q:
    """`column IN ids` for the quartier, author and service columns, compared as bigint on
    PostgreSQL: the full-text index also holds those columns (migration 0012, btree_gin), whose
    operator classes match same-type comparisons only, and a plain `1` is an integer. Written as
    one equality per id (a person's few quartiers or services), each one of the index's keys."""
    ids = sorted(ids)
    if connection.vendor != "postgresql" or not ids:
        # No ids: `IN ()` matches no row (an empty Q would match every one).
        return Q(**{f"{column}__in": ids})
    rule = Q(**{column: Cast(Value(ids[0]), BigIntegerField())})
    for pk in ids[1:]:
        rule |= Q(**{column: Cast(Value(pk), BigIntegerField())})
    return rule


def scope_observations[QS: QuerySet](queryset: QS, user) -> QS:
    roles = roles_of(user)
    if not roles.authenticated:
        return queryset.none()
    if roles.admin:
        return queryset
    confidential = Q(confidentiality=CONFIDENTIAL)
    rule = any_of("author_id", [user.pk])
    if roles.chef_of:
        rule |= any_of("quartier_id", roles.chef_of)
    if roles.member_of:
        # One condition on the quartier (one index scan), then what the agent reads there.
        readable = ~confidential
        if roles.service_id:
            readable |= Q(service_id=roles.service_id)
        rule |= any_of("quartier_id", roles.member_of) & readable
    if roles.manages_services:
        rule |= any_of("service_id", roles.manages_services)
    if roles.comite_direction:
        escalated = Exists(Escalation.objects.filter(observation_id=OuterRef("pk")))
        rule |= escalated & ~confidential
    return queryset.filter(rule)


def observations_visible_to(user) -> QuerySet[Observation]:
    """What `user` may read in full."""
    return scope_observations(Observation.objects.all(), user)


def escalations_visible_to(user) -> QuerySet[Escalation]:
    return scope_escalations(Escalation.objects.all(), user)


def orientations_visible_to(user) -> QuerySet[Orientation]:
    return scope_orientations(Orientation.objects.all(), user)


def scope_escalations[QS: QuerySet](queryset: QS, user) -> QS:
    """The comité reads every escalation; others those of the observations they read."""
    roles = roles_of(user)
    if not roles.authenticated:
        return queryset.none()
    if roles.admin or roles.comite_direction:
        return queryset
    return queryset.filter(observation__in=observations_visible_to(user).values("pk"))


def scope_orientations[QS: QuerySet](queryset: QS, user) -> QS:
    """Orientations are anonymous counts: the quartier's team and élus, the services oriented to."""
    roles = roles_of(user)
    if not roles.authenticated:
        return queryset.none()
    if roles.sees_all_quartiers:
        return queryset
    return queryset.filter(
        Q(quartier_id__in=roles.quartier_ids) | Q(service_id__in=roles.manages_services)
    )


def quartiers_for_counts(user) -> QuerySet[Quartier]:
    """Quartiers whose counts (emerging phenomena, dashboards) the person reads."""
    roles = roles_of(user)
    if roles.sees_all_quartiers:
        return Quartier.objects.all()
    return Quartier.objects.filter(pk__in=roles.quartier_ids)


def quartiers_for_logging(user) -> QuerySet[Quartier]:
    """Quartiers where the person may log observations and orientations: its teams."""
    roles = roles_of(user)
    if roles.admin:
        return Quartier.objects.all()
    return Quartier.objects.filter(pk__in=roles.member_of)


def logs_somewhere(user) -> bool:
    """Whether `quartiers_for_logging(user)` has a quartier: read from the person's roles, with
    no query but for an administrator (whose quartiers are all of them, if any)."""
    roles = roles_of(user)
    return bool(roles.member_of) or (roles.admin and Quartier.objects.exists())


def sees_observation_lists(user) -> bool:
    """Whether the observation list, search and export make sense for the person at all."""
    roles = roles_of(user)
    return roles.admin or bool(roles.member_of or roles.manages_services or roles.comite_direction)


# Writes (called on an observation already fetched through `visible_to`) ---------------------


def can_log_in(user, quartier: Quartier) -> bool:
    roles = roles_of(user)
    return roles.admin or quartier.pk in roles.member_of


def can_edit(user, observation) -> bool:
    """Correct the text: the author while nobody has triaged it yet, the chef de projet."""
    roles = roles_of(user)
    if roles.is_chef(observation.quartier_id):
        return True
    return observation.author_id == user.pk and observation.status == observation.Status.NEW


def can_add_photos(user, observation) -> bool:
    return can_edit(user, observation) or (observation.author_id == user.pk and observation.is_open)


def can_remove_photo(user, observation) -> bool:
    """Take a photo off: its author while the observation is "nouvelle", the chef de projet."""
    return can_edit(user, observation)


def can_triage(user, observation) -> bool:
    """Assign the service, set the urgency, merge duplicates, close: the chef de projet."""
    return roles_of(user).is_chef(observation.quartier_id)


def can_update_status(user, observation) -> bool:
    """Move the observation along: the chef de projet, or a responsable of the assigned service."""
    roles = roles_of(user)
    if roles.is_chef(observation.quartier_id):
        return True
    return observation.service_id is not None and observation.service_id in roles.manages_services


def can_comment(user, observation) -> bool:
    """Anyone who reads the observation (the view fetched it through `visible_to`)."""
    return roles_of(user).authenticated


def can_escalate(user, observation) -> bool:
    return roles_of(user).is_chef(observation.quartier_id)


def can_answer_escalation(user) -> bool:
    roles = roles_of(user)
    return roles.admin or roles.comite_direction


def can_log_orientation(user, quartier: Quartier) -> bool:
    return can_log_in(user, quartier)
