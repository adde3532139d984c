"""Writes of `documents`: keyword-only, atomic; files written are removed if the change fails,
files of erased rows are deleted once the erasure commits; text extraction goes through the outbox."""

from __future__ import annotations

import datetime
import functools
import hashlib
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from documents import files
from documents.models import BIN_DAYS, Document, DocumentVersion, Folder, Space
from foundation import outbox
from foundation.models import DocumentJob
from meetings.models import AgendaItem, Meeting, WorkingGroup
from teams.models import Agent, Priority, Quartier

logger = logging.getLogger(__name__)

EXTRACT_TASK = "documents.tasks.extract_text"


# Spaces and folders ----------------------------------------------------------------------------


def space_of_quartier(quartier: Quartier) -> Space:
    space, _created = Space.objects.get_or_create(quartier=quartier)
    return space


def space_of_working_group(group: WorkingGroup) -> Space:
    space, _created = Space.objects.get_or_create(working_group=group)
    return space


def space_of_meeting(meeting: Meeting) -> Space:
    if meeting.working_group_id:
        assert meeting.working_group is not None
        return space_of_working_group(meeting.working_group)
    assert meeting.quartier is not None  # (a meeting has a quartier or a working group)
    return space_of_quartier(meeting.quartier)


@transaction.atomic
def folder_create(
    *, space: Space, name: str, kind: str = Folder.Kind.FREE, priority: Priority | None = None
) -> Folder:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Donnez un nom au dossier.")})
    if Folder.objects.filter(space=space, name__iexact=name).exists():
        raise ValidationError({"name": _("Un dossier de cet espace porte déjà ce nom.")})
    if priority is not None and priority.quartier_id != space.quartier_id:
        raise ValidationError({"priority": _("Cet axe n'est pas celui du quartier de l'espace.")})
    if kind == Folder.Kind.AXIS and priority is None:
        raise ValidationError({"priority": _("Choisissez l'axe de ce dossier.")})
    if kind != Folder.Kind.AXIS:
        priority = None
    return Folder.objects.create(space=space, name=name, kind=kind, priority=priority)


def folder_of_meeting(meeting: Meeting) -> Folder:
    """The meeting's folder in its space, created the first time it is needed."""
    space = space_of_meeting(meeting)
    folder = Folder.objects.filter(space=space, meeting=meeting).first()
    if folder is not None:
        return folder
    name = f"{meeting.display_title} — {timezone.localtime(meeting.start):%d/%m/%Y}"[:190]
    if Folder.objects.filter(space=space, name=name).exists():
        name = f"{name} ({meeting.pk})"
    return Folder.objects.create(space=space, name=name, kind=Folder.Kind.MEETING, meeting=meeting)


# Documents and versions ------------------------------------------------------------------------


@contextmanager
def _files_removed_on_failure() -> Iterator[list[tuple[Storage, str]]]:
    """A transaction whose written files (appended by the block) are deleted if it fails."""
    written: list[tuple[Storage, str]] = []
    try:
        with transaction.atomic():
            yield written
    except BaseException:
        _delete_names(written)
        raise


def _delete_names(names: Iterable[tuple[Storage, str]]) -> None:
    for storage, name in names:
        try:
            storage.delete(name)
        except OSError:  # already gone, or the store refused: logged, the rest goes on
            logger.warning("Could not delete the file %s", name)


def _add_version(
    document: Document,
    *,
    by: Agent | None,
    checked: files.CheckedFile,
    original_name: str,
    written: list[tuple[Storage, str]],
    restored_from: DocumentVersion | None = None,
) -> DocumentVersion:
    # The document's row is locked: two uploads at once get two numbers, not a clash.
    Document.objects.select_for_update().filter(pk=document.pk).first()
    last = document.versions.aggregate(last=Max("number"))["last"] or 0
    version = DocumentVersion(
        document=document,
        number=last + 1,
        original_name=original_name[:255],
        content_type=checked.content_type,
        extension=checked.extension,
        size=len(checked.content),
        checksum=hashlib.sha256(checked.content).hexdigest(),
        uploaded_by=by,
        restored_from=restored_from,
        text_status=(
            DocumentVersion.TextStatus.PENDING
            if files.has_text(checked.content_type)
            else DocumentVersion.TextStatus.NONE
        ),
    )
    version.file.save(original_name or "fichier", ContentFile(checked.content), save=False)
    written.append((version.file.storage, str(version.file.name)))
    version.save()
    document.current_version = version
    document.extracted_text = ""
    document.updated_at = timezone.now()
    document.save(update_fields=["current_version", "extracted_text", "updated_at"])
    if version.text_status == DocumentVersion.TextStatus.PENDING:
        outbox.enqueue(EXTRACT_TASK, version.pk)
    return version


def _checked_tags(space: Space, tags: Iterable[Priority]) -> list[Priority]:
    tags = list(tags)
    if any(tag.quartier_id != space.quartier_id for tag in tags):
        raise ValidationError({"tags": _("Ces axes ne sont pas ceux du quartier de l'espace.")})
    return tags


def _checked_folder(space: Space, folder: Folder | None) -> Folder | None:
    if folder is not None and folder.space_id != space.pk:
        raise ValidationError({"folder": _("Ce dossier n'est pas dans cet espace.")})
    return folder


def document_create(
    *,
    space: Space,
    by: Agent,
    title: str,
    upload,
    description: str = "",
    folder: Folder | None = None,
    tags: Iterable[Priority] = (),
) -> Document:
    checked = files.check_upload(upload)
    with _files_removed_on_failure() as written:
        document = Document.objects.create(
            space=space,
            folder=_checked_folder(space, folder),
            title=title.strip(),
            description=description.strip(),
            created_by=by,
        )
        document.tags.set(_checked_tags(space, tags))
        _add_version(
            document,
            by=by,
            checked=checked,
            original_name=getattr(upload, "name", "") or "",
            written=written,
        )
    return document


def document_update(
    *,
    document: Document,
    title: str,
    description: str,
    folder: Folder | None,
    tags: Iterable[Priority],
) -> Document:
    with transaction.atomic():
        document.title = title.strip()
        document.description = description.strip()
        document.folder = _checked_folder(document.space, folder)
        document.updated_at = timezone.now()
        document.save(update_fields=["title", "description", "folder", "updated_at"])
        document.tags.set(_checked_tags(document.space, tags))
    return document


def version_upload(*, document: Document, by: Agent, upload) -> DocumentVersion:
    checked = files.check_upload(upload)
    with _files_removed_on_failure() as written:
        return _add_version(
            document,
            by=by,
            checked=checked,
            original_name=getattr(upload, "name", "") or "",
            written=written,
        )


def version_restore(*, version: DocumentVersion, by: Agent) -> DocumentVersion:
    """An earlier version becomes the current one again, as a new version copying it."""
    with version.file.open("rb") as handle:
        content = handle.read()
    checked = files.CheckedFile(content, version.content_type, version.extension)
    with _files_removed_on_failure() as written:
        return _add_version(
            version.document,
            by=by,
            checked=checked,
            original_name=version.original_name,
            written=written,
            restored_from=version,
        )


# The bin ---------------------------------------------------------------------------------------


@transaction.atomic
def document_delete(*, document: Document, by: Agent) -> Document:
    """Move to the bin: out of every list and search; erased after BIN_DAYS days."""
    document.deleted_at = timezone.now()
    document.deleted_by = by
    document.save(update_fields=["deleted_at", "deleted_by"])
    return document


@transaction.atomic
def document_restore(*, document: Document) -> Document:
    document.deleted_at = None
    document.deleted_by = None
    document.save(update_fields=["deleted_at", "deleted_by"])
    return document


def erase_expired(*, now: datetime.datetime | None = None, batch: int = 200) -> int:
    """Erase documents in the bin for more than BIN_DAYS days: rows, then (on commit) files."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=BIN_DAYS)
    erased = 0
    while True:
        with transaction.atomic():
            documents = list(
                Document.objects.filter(deleted_at__lt=limit)
                .order_by("pk")
                .select_for_update()[:batch]
            )
            if not documents:
                return erased
            names: list[tuple[Storage, str]] = [
                (version.file.storage, str(version.file.name))
                for version in DocumentVersion.objects.filter(document__in=documents)
                if version.file
            ]
            for document in documents:
                document.delete()  # one by one: the journal records each erasure
            transaction.on_commit(functools.partial(_delete_names, names))
        erased += len(documents)


# Text extraction (the background job) ----------------------------------------------------------


def version_extract_text(*, version_id: int) -> bool:
    """Extract the version's text into its document's search vector, if it is still current.
    Claimed by a conditional update: a second run of the same message does nothing."""
    pending = [DocumentVersion.TextStatus.PENDING, DocumentVersion.TextStatus.FAILED]
    claimed = DocumentVersion.objects.filter(pk=version_id, text_status__in=pending).update(
        text_status=DocumentVersion.TextStatus.RUNNING
    )
    if not claimed:
        return False
    version = DocumentVersion.objects.select_related("document").get(pk=version_id)
    try:
        with version.file.open("rb") as handle:
            text = files.extract_text(handle.read(), version.content_type)
    except Exception as exc:  # noqa: BLE001 - a file that does not parse fails the same way again
        logger.warning("Text extraction of document version %s failed: %s", version_id, exc)
        DocumentVersion.objects.filter(pk=version_id).update(
            text_status=DocumentVersion.TextStatus.FAILED,
            text_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        return False
    with transaction.atomic():
        # The trigger recomputes `search_document` on this UPDATE (PostgreSQL).
        Document.objects.filter(pk=version.document_id, current_version_id=version_id).update(
            extracted_text=text
        )
        DocumentVersion.objects.filter(pk=version_id).update(
            text_status=DocumentVersion.TextStatus.READY, text_error=""
        )
    return True


# Meetings' PDFs, filed in the meeting's folder -------------------------------------------------


def file_meeting_pdf(job: DocumentJob) -> Document | None:
    """Called when an agenda or minutes PDF is ready: a new version of the meeting's document
    of that kind (one document per kind and meeting, in the meeting's folder)."""
    meeting = getattr(job, "meeting", None)
    if meeting is None or not job.file:
        return None
    title = _("%(kind)s — %(meeting)s") % {
        "kind": str(getattr(job, "label", "") or job._meta.verbose_name).capitalize(),
        "meeting": meeting.display_title,
    }
    with job.file.open("rb") as handle:
        content = handle.read()
    checked = files.CheckedFile(content, files.PDF, "pdf")
    with _files_removed_on_failure() as written:
        folder = folder_of_meeting(meeting)
        document = (
            Document.objects.alive().filter(folder=folder, title=title).order_by("pk").first()
        )
        if document is None:
            document = Document.objects.create(
                space=folder.space, folder=folder, title=title, created_by=job.requested_by
            )
        elif document.current_version and document.current_version.checksum == job.checksum:
            return document  # the same PDF again (a retried job): nothing new to file
        _add_version(
            document,
            by=job.requested_by,
            checked=checked,
            original_name=str(job.file.name).rsplit("/", 1)[-1],
            written=written,
        )
    return document


# Links -----------------------------------------------------------------------------------------


@transaction.atomic
def agenda_item_link(*, document: Document, item: AgendaItem) -> None:
    document.agenda_items.add(item)


@transaction.atomic
def agenda_item_unlink(*, document: Document, item: AgendaItem) -> None:
    document.agenda_items.remove(item)
