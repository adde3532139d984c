"""What `documents` adds to other apps' pages and jobs, without them importing it."""

from __future__ import annotations

from typing import Any

from documents import selectors
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
    # Whoever reads the space (it came through `spaces_visible_to`) contributes to it: linking
    # needs only the meeting's management on top.
    manages = can_manage(request.user, meeting)
    panel = selectors.meeting_documents(request.user, meeting, linking=manages)
    if panel is None:
        return None
    return "documents/panel_meeting.html", {"meeting": meeting, "panel": panel, "can_link": manages}
