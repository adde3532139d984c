"""Who may read and write shared documents: the one place a reviewer reads to know the rules.

A space belongs to a quartier team or to a working group.

| who | reads | uploads, edits, restores a version | manages (folders, bin) |
|---|---|---|---|
| team member (membre, direction, chef de projet) of the quartier | the quartier's space | yes | chef de projet |
| member of a working group | the group's space | yes | — |
| team member of a quartier the group spans | the group's space (shared across the quartiers of its members) | yes | chef de projet of such a quartier |
| élu(e), maire, comité de direction, service responsable (not in the team) | nothing | — | — |
| partners, inhabitants (no account) | nothing | — | — |
| administrator | everything | yes | yes |

"Contributor" is read as any active team role but élu(e): the Membership roles are chef de
projet, membre, direction and élu(e), and only the élu(e) is not part of the team's daily work.
Élus and the comité read what the team publishes (minutes, diagnostics): documents in progress
are not that. A document in the bin is read only from the bin, by who manages its space, and by
who put it there. Views fetch through these querysets: what is out of reach answers 404.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from documents.models import Document, DocumentVersion, Folder, Space
from meetings.models import WorkingGroup
from meetings.permissions import can_manage_working_group
from teams.access import roles_of


def _group_members(user) -> Exists:
    return Exists(
        WorkingGroup.members.through.objects.filter(
            workinggroup_id=OuterRef("working_group_id"), agent_id=user.pk
        )
    )


def _group_spans(quartier_ids) -> Exists:
    return Exists(
        WorkingGroup.quartiers.through.objects.filter(
            workinggroup_id=OuterRef("working_group_id"), quartier_id__in=quartier_ids
        )
    )


def spaces_visible_to(user) -> QuerySet[Space]:
    roles = roles_of(user)
    spaces = Space.objects.all()
    if not roles.authenticated:
        return spaces.none()
    if roles.admin:
        return spaces
    rule: Q = Q(working_group__isnull=False) & Q(_group_members(user))
    if roles.member_of:
        rule |= Q(quartier_id__in=roles.member_of)
        rule |= Q(working_group__isnull=False) & Q(_group_spans(roles.member_of))
    return spaces.filter(rule)


def spaces_managed_by(user) -> QuerySet[Space]:
    roles = roles_of(user)
    if roles.admin:
        return Space.objects.all()
    if not roles.chef_of:
        return Space.objects.none()
    return Space.objects.filter(
        Q(quartier_id__in=roles.chef_of)
        | (Q(working_group__isnull=False) & Q(_group_spans(roles.chef_of)))
    )


def documents_visible_to(user, *, spaces_listed: bool = False) -> QuerySet[Document]:
    """Documents out of the bin in a space the person reads.

    `spaces_listed`: the spaces' ids are read first (one query) and given as a list, for a search
    across all of them. Given the subquery, PostgreSQL ran the full-text search over the whole
    city's documents and kept those of these spaces one by one (bench/run.py, 33,000 documents
    that all match: 56 ms; with the list, 0.6 ms).
    """
    spaces = spaces_visible_to(user).values_list("pk", flat=True)
    return Document.objects.alive().filter(space__in=list(spaces) if spaces_listed else spaces)


def binned_documents_visible_to(user) -> QuerySet[Document]:
    """The bin: what the person manages, and what it put there itself."""
    roles = roles_of(user)
    if not roles.authenticated:
        return Document.objects.none()
    readable = Q(space__in=spaces_visible_to(user).values("pk"))
    managed = Q(space__in=spaces_managed_by(user).values("pk"))
    return Document.objects.in_bin().filter(managed | (readable & Q(deleted_by_id=user.pk)))


def versions_visible_to(user) -> QuerySet[DocumentVersion]:
    return DocumentVersion.objects.filter(document__in=documents_visible_to(user).values("pk"))


def folders_visible_to(user) -> QuerySet[Folder]:
    return Folder.objects.filter(space__in=spaces_visible_to(user).values("pk"))


# Writes (called on objects already fetched through the querysets above) ------------------------


def can_contribute(user, space: Space) -> bool:
    """Upload documents and versions, edit their description: whoever reads the space."""
    return spaces_visible_to(user).filter(pk=space.pk).exists()


def can_manage(user, space: Space) -> bool:
    """Folders, the bin: the chef de projet of the quartier (of a quartier the group spans)."""
    roles = roles_of(user)
    if roles.admin:
        return True
    if space.quartier_id is not None:
        return roles.is_chef(space.quartier_id)
    assert space.working_group is not None  # (one owner: the constraint)
    return can_manage_working_group(user, space.working_group)


def can_delete(user, document: Document) -> bool:
    """Move to the bin: who manages the space, or who deposited the document."""
    return document.created_by_id == user.pk or can_manage(user, document.space)


def can_restore_from_bin(user, document: Document) -> bool:
    return can_delete(user, document)
