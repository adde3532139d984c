"""Deliveries of a meeting's emails (agenda, minutes, cancellation): one `SentMail` row per
invitee, so that a worker dying mid-way leaves nobody unserved and nobody served twice.

- `plan`: the rows are written "à envoyer" in the transaction that asks for the letter (the
  publication, the cancellation), for the invitees with an address at that moment.
- `send`: the letter's task sends the rows one at a time: each is claimed ("en cours", with a
  conditional update), sent, then confirmed ("envoyé"). A mail server error (an `Exception`)
  puts the row back "à envoyer" and raises: the task retries, and only the unsent rows go.
- A worker killed between the claim and the confirmation leaves its row "en cours": the mail
  server may or may not have accepted that email, and nothing can tell. After `LEASE` the sweep
  marks it "à vérifier" and never sends it again by itself (never silently twice): the
  organiser's page counts it among the invitees not served, and « Renvoyer aux invités non
  servis » (`resend`) sends it again, on the organiser's decision.
- `sweep` (Celery beat): rows left "à envoyer" by a job that ended (killed, marked done or failed
  for good) ask for their letter's task again through the outbox.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from foundation import outbox
from foundation.models import DocumentJob, OutboxJob
from meetings import selectors
from meetings.models import AgendaDocument, Meeting, MeetingDocument, MinutesDocument, SentMail

logger = logging.getLogger(__name__)

State = SentMail.State
Kind = SentMail.Kind

#: A row "en cours" for longer than this lost its worker (the mail server's timeout is far
#: shorter): it becomes "à vérifier".
LEASE = datetime.timedelta(minutes=10)
#: Rows "à envoyer" older than this, with no live job, are handed to their task again.
SWEEP_AFTER = selectors.DELIVERY_TIME
#: A row that failed this many times (an address refused for good) waits for the organiser.
MAX_ATTEMPTS = 5
CANCELLATION_TASK = "meetings.tasks.send_cancellation"
DOCUMENTS: dict[str, type[MeetingDocument]] = {
    Kind.AGENDA: AgendaDocument,
    Kind.MINUTES: MinutesDocument,
}


def rows_of(meeting_id: int, kind: str, version: int) -> QuerySet[SentMail]:
    return SentMail.objects.filter(meeting_id=meeting_id, kind=kind, version=version)


def plan(meeting: Meeting, *, kind: str, version: int) -> int:
    """One row "à envoyer" per invitee with an address (in the caller's transaction)."""
    rows = [
        SentMail(meeting=meeting, kind=kind, version=version, email=email, name=name[:200])
        for name, email in selectors.recipients(meeting)
    ]
    return len(SentMail.objects.bulk_create(rows, ignore_conflicts=True))


def send(
    meeting: Meeting, *, kind: str, version: int, compose: Callable[[SentMail], EmailMessage]
) -> int:
    """Send the letter's rows still "à envoyer", each claimed, sent and confirmed; returns how
    many were sent. A letter planned before its rows existed is planned now."""
    rows = rows_of(meeting.pk, kind, version)
    if not rows.exists():
        plan(meeting, kind=kind, version=version)
    sent = 0
    for row in rows.filter(state=State.PENDING, attempts__lt=MAX_ATTEMPTS).order_by("pk"):
        if not claim(row):  # another run took it
            continue
        try:
            compose(row).send()
        except Exception:
            # The mail server refused or failed: not accepted, the retry sends it. (A kill is no
            # `Exception`: it leaves the row "en cours", for the sweep.)
            SentMail.objects.filter(pk=row.pk, state=State.SENDING).update(state=State.PENDING)
            raise
        SentMail.objects.filter(pk=row.pk).update(state=State.SENT, sent_at=timezone.now())
        sent += 1
    logger.info("%s v%s of meeting %s sent to %s invitees", kind, version, meeting.pk, sent)
    return sent


def claim(row: SentMail) -> bool:
    """Take the row "à envoyer" for this run (a conditional update: one run only)."""
    return bool(
        SentMail.objects.filter(pk=row.pk, state=State.PENDING).update(
            state=State.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
    )


def all_served(meeting_id: int, kind: str, version: int) -> bool:
    return not rows_of(meeting_id, kind, version).exclude(state=State.SENT).exists()


# The organiser's view and decision ---------------------------------------------------------------


def _letter_task(meeting: Meeting, kind: str, version: int) -> tuple[str, int] | None:
    """The task (name, argument) that sends this letter, if it may still be sent."""
    if kind == Kind.CANCELLATION:
        return (CANCELLATION_TASK, meeting.pk) if meeting.is_cancelled else None
    model = DOCUMENTS[kind]
    # Each concrete document declares its `meeting`; the plugin checks the abstract base's fields.
    document = model.objects.filter(  # type: ignore[misc]
        meeting=meeting, version=version, status=DocumentJob.Status.READY
    ).first()
    if document is None or version != getattr(meeting, model.version_field):
        return None
    return model.task_name, document.pk


def _superseded(meeting: Meeting, kind: str, version: int) -> bool:
    if kind == Kind.CANCELLATION:
        return not meeting.is_cancelled
    return version != getattr(meeting, DOCUMENTS[kind].version_field)


def _ask(task: tuple[str, int]) -> bool:
    """Enqueue the letter's task unless a run of it is already waiting or running."""
    name, pk = task
    if OutboxJob.objects.filter(
        task_name=name, args=[pk], state__in=[*OutboxJob.OPEN_STATES, OutboxJob.State.STARTED]
    ).exists():
        return False
    outbox.enqueue(name, pk)
    return True


@transaction.atomic
def resend(*, meeting: Meeting, kind: str) -> int:
    """« Renvoyer aux invités non servis »: the organiser decided; returns how many will go."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    version = 0 if kind == Kind.CANCELLATION else getattr(meeting, DOCUMENTS[kind].version_field)
    task = _letter_task(meeting, kind, version)
    if task is None:
        return 0
    count = (
        rows_of(meeting.pk, kind, version)
        .filter(selectors.unserved_mails(timezone.now()))
        .update(state=State.PENDING, attempts=0, claimed_at=None)
    )
    if count:
        _ask(task)
    return count


# The sweep (Celery beat) -----------------------------------------------------------------------


def sweep(now: datetime.datetime | None = None) -> int:
    """Mark the lost claims "à vérifier"; ask again for the letters left with rows "à envoyer".

    Returns how many letters were asked for.
    """
    now = now or timezone.now()
    lost = SentMail.objects.filter(state=State.SENDING, claimed_at__lt=now - LEASE).update(
        state=State.UNCONFIRMED
    )
    if lost:
        logger.warning("%s emails of meetings lost their worker: marked « à vérifier »", lost)
    letters = (
        SentMail.objects.filter(
            state=State.PENDING, attempts__lt=MAX_ATTEMPTS, created_at__lt=now - SWEEP_AFTER
        )
        .values_list("meeting_id", "kind", "version")
        .distinct()
    )
    asked = 0
    for meeting_id, kind, version in list(letters[:200]):
        meeting = Meeting.objects.get(pk=meeting_id)
        if _superseded(meeting, kind, version):  # a newer version went instead: no longer due
            rows_of(meeting_id, kind, version).filter(state=State.PENDING).delete()
            continue
        task = _letter_task(meeting, kind, version)
        if task is not None and _ask(task):
            asked += 1
    return asked
