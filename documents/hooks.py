"""What `documents` adds to other apps' pages and jobs, without them importing it."""

from __future__ import annotations

from typing import Any

from documents import permissions, selectors
from foundation import outbox
from foundation.models import DocumentJob
from meetings.permissions import can_manage

#: The meetings' document jobs whose PDFs are filed in the meeting's folder.
MEETING_PDFS = {"meetings.agendadocument", "meetings.minutesdocument"}


def meeting_pdf_ready(job: DocumentJob) -> None:
    """An agenda or minutes PDF is ready: file it, in the background (retried like any task)."""
    if job._meta.label_lower in MEETING_PDFS:
        outbox.enqueue("documents.tasks.file_meeting_pdf", job._meta.label, job.pk)


def meeting_panel(request, meeting) -> tuple[str, dict[str, Any]] | None:
    """The meeting page's « Documents » panel: what its folder holds and what its agenda items
    point to, among the documents the person reads; the linking form for who may link."""
    panel = selectors.meeting_documents(request.user, meeting)
    if panel is None:
        return None
    return "documents/panel_meeting.html", {
        "meeting": meeting,
        "panel": panel,
        "can_link": panel.space is not None
        and can_manage(request.user, meeting)
        and permissions.can_contribute(request.user, panel.space),
    }
