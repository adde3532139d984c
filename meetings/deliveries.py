"""Deliveries of a meeting's emails (agenda, minutes, cancellation), on the app's one mail path
(`foundation.mail`: one row per invitee, planned with the request, then claimed, sent and
confirmed; a lost claim becomes "à vérifier"; the foundation's sweep asks again for letters
left with rows "à envoyer").

What is the meetings' own: a letter's name (`letter_of`: the meeting, the kind, the version),
the task that sends it, the invitees it is planned for, the organiser's count of invitees not
served, and « Renvoyer aux invités non servis » (`resend`), the organiser's decision. A letter
superseded by a newer version (or a cancellation withdrawn) is dropped by its task
(`drop_superseded`), so the sweep stops asking for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from foundation import mail
from foundation.models import DocumentJob, MailDelivery
from meetings import selectors
from meetings.models import AgendaDocument, Meeting, MeetingDocument, MinutesDocument

logger = logging.getLogger(__name__)

Kind = selectors.MailKind
CANCELLATION_TASK = "meetings.tasks.send_cancellation"
DOCUMENTS: dict[str, type[MeetingDocument]] = {
    Kind.AGENDA: AgendaDocument,
    Kind.MINUTES: MinutesDocument,
}

letter_of = selectors.letter_of


def rows_of(meeting_id: int, kind: str, version: int) -> QuerySet[MailDelivery]:
    return mail.rows_of(letter_of(meeting_id, kind, version))


def _letter_task(meeting: Meeting, kind: str, version: int) -> tuple[str, int] | None:
    """The task (name, argument) that sends this letter, if it may still be sent."""
    if kind == Kind.CANCELLATION:
        return (CANCELLATION_TASK, meeting.pk) if meeting.is_cancelled else None
    model = DOCUMENTS[kind]
    # Each concrete document declares its `meeting`; the plugin checks the abstract base's fields.
    document = model.objects.filter(  # type: ignore[misc]
        meeting=meeting, version=version
    ).first()
    if document is None or version != getattr(meeting, model.version_field):
        return None
    return model.mail_task_name, document.pk


def plan(meeting: Meeting, *, kind: str, version: int) -> int:
    """One row "à envoyer" per invitee with an address (in the caller's transaction)."""
    task = _letter_task(meeting, kind, version)
    if task is None:
        return 0
    recipients = selectors.recipients(meeting)
    return mail.plan(
        letter_of(meeting.pk, kind, version),
        [email for _name, email in recipients],
        *task,
        names={email: name for name, email in recipients},
    )


def send(
    meeting: Meeting,
    *,
    kind: str,
    version: int,
    compose: Callable[[str, str], EmailMessage],
) -> int:
    """Send the letter's rows still "à envoyer"; `compose(email, name)`. A letter asked for
    before its rows existed is planned now."""
    letter = letter_of(meeting.pk, kind, version)
    if not mail.rows_of(letter).exists():
        plan(meeting, kind=kind, version=version)
    names = dict(mail.rows_of(letter).values_list("email", "name"))
    sent = mail.send(letter, lambda email: compose(email, names.get(email, "")))
    logger.info("%s v%s of meeting %s sent to %s invitees", kind, version, meeting.pk, sent)
    return sent


def all_served(meeting_id: int, kind: str, version: int) -> bool:
    return mail.all_served(letter_of(meeting_id, kind, version))


def drop_superseded(meeting_id: int, kind: str, version: int) -> int:
    """The letter is no longer due (a newer version went, the cancellation was withdrawn)."""
    return mail.drop(rows_of(meeting_id, kind, version))


@transaction.atomic
def resend(*, meeting: Meeting, kind: str) -> int:
    """« Renvoyer aux invités non servis »: the organiser decided; returns how many will go."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    version = 0 if kind == Kind.CANCELLATION else getattr(meeting, DOCUMENTS[kind].version_field)
    if _letter_task(meeting, kind, version) is None:
        return 0
    if (
        kind != Kind.CANCELLATION
        and not DOCUMENTS[kind]
        .objects.filter(  # type: ignore[misc]
            meeting=meeting, version=version, status=DocumentJob.Status.READY
        )
        .exists()
    ):
        return 0  # still rendering: its task sends it
    return mail.resend(
        rows_of(meeting.pk, kind, version).filter(selectors.unserved_mails(timezone.now()))
    )
