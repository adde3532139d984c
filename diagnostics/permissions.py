"""Who may read and write diagnostics: the one place a reviewer reads to know the rules.

Two things are read, by different people:

- the WORKING COPY (`Diagnostic`: sections, contributions, figures as they are computed today)
  is the team's workspace. Its chef de projet reads and edits it at every state. The other
  members of the quartier's team (roles membre, chef, direction) read it once the chef has
  asked them to, that is from "en relecture" on (en relecture, validé, publié); a "brouillon"
  is the chef's alone, including the draft of a correction after a publication. Élus, the
  maire, the comité de direction and the responsables de service never read a working copy:
  they read what was published. Nobody reads the working copy of a quartier outside their team.
- PUBLISHED VERSIONS (`DiagnosticVersion`, frozen) are read by the quartier's team, its
  élu(e)s, the maire and the comité de direction (all quartiers), and the administrators.

Writes: the chef de projet of the quartier (or an administrator) creates the diagnostic, edits
sections, moves the workflow, decides on contributions and asks for PDFs. Any member of the
team, chef included, submits contributions while the diagnostic is en relecture.

Out of reach answers 404: views fetch through these querysets.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from diagnostics.models import Diagnostic, DiagnosticVersion
from teams.access import roles_of
from teams.models import Quartier


def _working_copy_q(roles) -> Q:
    if roles.admin:
        return Q()
    return Q(quartier_id__in=roles.chef_of) | Q(quartier_id__in=roles.member_of) & ~Q(
        status="draft"
    )


def _published_q(roles, prefix: str = "") -> Q:
    """Versions' scope, on the quartier reached through `prefix`."""
    if roles.sees_all_quartiers:
        return Q()
    return Q(**{f"{prefix}quartier_id__in": roles.quartier_ids})


def diagnostics_visible_to(
    user, queryset: QuerySet[Diagnostic] | None = None
) -> QuerySet[Diagnostic]:
    """Diagnostics of which the person may read the working copy or at least one published version."""
    diagnostics = Diagnostic.objects.all() if queryset is None else queryset
    roles = roles_of(user)
    if not roles.authenticated:
        return diagnostics.none()
    if roles.admin:  # (an empty Q() would vanish from the OR below)
        return diagnostics
    has_version = Exists(DiagnosticVersion.objects.filter(diagnostic=OuterRef("pk")))
    return diagnostics.filter(_working_copy_q(roles) | (_published_q(roles) & has_version))


def working_copies_visible_to(user) -> QuerySet[Diagnostic]:
    roles = roles_of(user)
    if not roles.authenticated:
        return Diagnostic.objects.none()
    return Diagnostic.objects.filter(_working_copy_q(roles))


def versions_visible_to(
    user, queryset: QuerySet[DiagnosticVersion] | None = None
) -> QuerySet[DiagnosticVersion]:
    versions = DiagnosticVersion.objects.all() if queryset is None else queryset
    roles = roles_of(user)
    if not roles.authenticated:
        return versions.none()
    return versions.filter(_published_q(roles, "diagnostic__"))


def can_read_working_copy(user, diagnostic) -> bool:
    roles = roles_of(user)
    if roles.admin or roles.is_chef(diagnostic.quartier_id):
        return True
    return roles.is_member(diagnostic.quartier_id) and diagnostic.status != "draft"


# Writes --------------------------------------------------------------------------------------


def can_create(user, quartier: Quartier) -> bool:
    return roles_of(user).is_chef(quartier.pk)


def quartiers_where_can_create(user) -> QuerySet[Quartier]:
    roles = roles_of(user)
    if roles.admin:
        return Quartier.objects.all()
    return Quartier.objects.filter(pk__in=roles.chef_of)


def can_manage(user, diagnostic) -> bool:
    """Edit sections, move the workflow, decide on contributions, ask for a PDF proof."""
    return roles_of(user).is_chef(diagnostic.quartier_id)


def can_contribute(user, diagnostic) -> bool:
    roles = roles_of(user)
    return diagnostic.status == "review" and (
        roles.is_member(diagnostic.quartier_id) or roles.admin
    )
