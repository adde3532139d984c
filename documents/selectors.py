"""Reads of `documents`: scoped by `documents.permissions`, joins prefetched, a fixed number of
queries per page whatever the data."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from documents.models import Document, DocumentVersion, Folder, Space
from documents.permissions import (
    binned_documents_visible_to,
    documents_visible_to,
    spaces_visible_to,
)
from meetings.models import AgendaItem, Meeting, WorkingGroup
from observations.selectors import full_text_search
from teams.access import roles_of
from teams.models import Priority, Quartier

LIST_SIZE = 25


# Spaces ----------------------------------------------------------------------------------------


def ensure_spaces(user) -> None:
    """The spaces of the person's teams and groups exist (created the first time they are read:
    a new quartier or group needs nothing else). Administrators create none this way."""
    roles = roles_of(user)
    if not roles.authenticated:
        return
    quartiers = Quartier.objects.filter(pk__in=roles.member_of).exclude(
        Exists(Space.objects.filter(quartier_id=OuterRef("pk")))
    )
    groups = (
        WorkingGroup.objects.filter(
            Q(members=user) | Q(quartiers__in=roles.member_of), is_active=True
        )
        .exclude(Exists(Space.objects.filter(working_group_id=OuterRef("pk"))))
        .distinct()
    )
    missing = [Space(quartier_id=pk) for pk in quartiers.values_list("pk", flat=True)]
    missing += [Space(working_group_id=pk) for pk in groups.values_list("pk", flat=True)]
    if missing:
        Space.objects.bulk_create(missing, ignore_conflicts=True)


def live_documents(outer: str) -> Coalesce:
    """The number of documents outside the bin whose `outer` ("space", "folder") is the row: a
    count per row through the index of live documents. Joining the documents and grouping
    instead sorted every document of the city for the spaces of one person (77 ms over
    33,000 documents, against 1 ms)."""
    counts = (
        Document.objects.filter(**{outer: OuterRef("pk")}, deleted_at__isnull=True)
        .order_by()
        .values(outer)
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counts), 0)


def spaces_for(user) -> QuerySet[Space]:
    return (
        spaces_visible_to(user)
        .select_related("quartier", "working_group")
        .defer("quartier__outline")
        .annotate(document_count=live_documents("space"))
        .order_by("working_group__name", "quartier__name")
    )


def space_for(user, pk: int) -> Space:
    return get_object_or_404(
        spaces_visible_to(user)
        .select_related("quartier", "working_group")
        .defer("quartier__outline"),
        pk=pk,
    )


def folders_of(space: Space) -> list[Folder]:
    return list(
        space.folders.annotate(document_count=live_documents("folder")).order_by("kind", "name")
    )


def axes_of(space: Space) -> list[Priority]:
    """The axes of the space's projet de quartier that tag at least one of its documents, each
    with its count (a working group's space has none: axes belong to a quartier)."""
    if not space.quartier_id:
        return []
    return list(
        Priority.objects.filter(quartier_id=space.quartier_id)
        .annotate(
            document_count=Count(
                "documents",
                filter=Q(documents__space=space, documents__deleted_at__isnull=True),
            )
        )
        .filter(document_count__gt=0)
        .order_by("position", "title")
    )


# Documents -------------------------------------------------------------------------------------


def with_list_joins(queryset: QuerySet[Document]) -> QuerySet[Document]:
    """What a list shows: not the text extracted from the files (a long report's is megabytes)."""
    return queryset.select_related(
        "space__quartier", "space__working_group", "folder", "current_version", "created_by"
    ).defer("extracted_text", "search_document", "space__quartier__outline")


def search(queryset: QuerySet[Document], text: str) -> QuerySet[Document]:
    """French full-text search over title, description and extracted text on PostgreSQL (the
    stored `search_document`, GIN index `document_search`); icontains elsewhere."""
    return full_text_search(queryset, text, ("title", "description", "extracted_text"))


def documents_for(
    user,
    *,
    space: Space | None = None,
    folder: Folder | None = None,
    axis: Priority | None = None,
    text: str = "",
) -> QuerySet[Document]:
    # Searching every space the person reads, PostgreSQL gets their ids as a list (see
    # `documents_visible_to`).
    documents = documents_visible_to(user, spaces_listed=bool(text) and space is None)
    if space is not None:
        documents = documents.filter(space=space)
    if folder is not None:
        documents = documents.filter(folder=folder)
    if axis is not None:
        documents = documents.filter(tags=axis)
    return with_list_joins(search(documents, text))


def document_for(user, pk: int) -> Document:
    queryset = with_list_joins(documents_visible_to(user)).prefetch_related(
        "tags",
        Prefetch(
            "agenda_items",
            queryset=AgendaItem.objects.select_related("meeting").order_by("meeting__start"),
        ),
    )
    return get_object_or_404(queryset, pk=pk)


def versions_of(document: Document) -> list[DocumentVersion]:
    return list(
        document.versions.select_related("uploaded_by", "restored_from").order_by("-number")
    )


def version_for(document: Document, pk: int) -> DocumentVersion:
    """A version of a document already fetched through `document_for` (or the bin)."""
    return get_object_or_404(DocumentVersion.objects.filter(document=document), pk=pk)


def binned_document_for(user, pk: int) -> Document:
    return get_object_or_404(
        binned_documents_visible_to(user).select_related("space", "deleted_by"), pk=pk
    )


def bin_of(user, space: Space) -> list[Document]:
    return list(
        binned_documents_visible_to(user)
        .filter(space=space)
        .select_related("deleted_by", "current_version")
        .order_by("-deleted_at")[:200]
    )


# Other apps' pages -----------------------------------------------------------------------------


@dataclass
class MeetingDocuments:
    space: Space | None
    folder_documents: list[Document] = field(default_factory=list)
    item_documents: list[tuple[AgendaItem, list[Document]]] = field(default_factory=list)
    linkable_items: list[AgendaItem] = field(default_factory=list)
    linkable_documents: list[Document] = field(default_factory=list)


def meeting_documents(user, meeting: Meeting, *, linking: bool = False) -> MeetingDocuments | None:
    """The documents of a meeting the person reads: its folder's, and those its agenda items
    point to. None when the person reads none of the meeting's space (no panel at all). With
    `linking` (who manages the meeting), the documents offered to link to its items."""
    owner = (
        Q(working_group_id=meeting.working_group_id)
        if meeting.working_group_id
        else Q(quartier_id=meeting.quartier_id)
    )
    space = spaces_visible_to(user).filter(owner).first()
    if space is None:
        return None
    readable = documents_visible_to(user)
    folder_documents = list(
        with_list_joins(readable.filter(folder__meeting=meeting)).order_by("title")[:100]
    )
    items = list(
        AgendaItem.objects.filter(meeting=meeting, status=AgendaItem.Status.ACCEPTED)
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=readable.select_related("current_version").order_by("title"),
            )
        )
        .order_by("position", "pk")
    )
    return MeetingDocuments(
        space=space,
        folder_documents=folder_documents,
        item_documents=[(item, list(item.documents.all())) for item in items],
        linkable_items=items,
        linkable_documents=(
            list(readable.filter(space=space).only("pk", "title").order_by("-pk")[:200])
            if linking
            else []
        ),
    )


def diagnostic_annexes(user, quartier: Quartier) -> list[Document]:
    """Documents of the quartier's folders « annexes du diagnostic » the person reads."""
    return list(
        with_list_joins(
            documents_visible_to(user).filter(
                space__quartier=quartier, folder__kind=Folder.Kind.ANNEX
            )
        ).order_by("folder__name", "title")[:100]
    )
