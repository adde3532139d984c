"""Letters emailed to several people, one `MailDelivery` row per address, so that a worker dying
mid-way leaves nobody unserved and nobody served twice.

- `plan(letter, emails, task_name, *args)`: the rows, "à envoyer", in the transaction that asks
  for the letter (with `outbox.enqueue(task_name, *args)`).
- `send(letter, compose)`: the task sends the rows one at a time, each claimed ("en cours", a
  conditional update), sent, then confirmed ("envoyé"). A mail server error (an `Exception`) puts
  the row back and raises: the task's retry sends only the unsent rows.
- A kill between the claim and the confirmation leaves the row "en cours": the mail server may
  have accepted it, and nothing can tell. After `LEASE` the sweep marks it "à vérifier" and it is
  never sent again by itself (never silently twice); the administration shows it, and its
  « Renvoyer » action sends it again on someone's decision.
- `sweep` (Celery beat): rows left "à envoyer" once their task ended ask for it again.

Every letter of the app goes this way: the meetings' (agenda, minutes, cancellation: their
letters are named and counted per meeting by `meetings.deliveries`), the diagnostics' and the
comité's monthly digest.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.mail import EmailMessage
from django.db.models import F, QuerySet
from django.utils import timezone

from foundation import outbox
from foundation.models import MailDelivery, OutboxJob

logger = logging.getLogger(__name__)

State = MailDelivery.State

#: A row "en cours" for longer than this lost its worker (the mail server's timeout is far
#: shorter): it becomes "à vérifier".
LEASE = datetime.timedelta(minutes=10)
#: Rows "à envoyer" older than this are handed to their task again, unless it waits or runs.
SWEEP_AFTER = datetime.timedelta(minutes=5)
#: A row that failed this many times (an address refused for good) is left to the administration.
MAX_ATTEMPTS = 5


def rows_of(letter: str) -> QuerySet[MailDelivery]:
    return MailDelivery.objects.filter(letter=letter)


def plan(
    letter: str,
    emails: Iterable[str],
    task_name: str,
    *args: Any,
    names: Mapping[str, str] | None = None,
) -> int:
    """One row "à envoyer" per address (in the caller's transaction); `names` by address, for
    the greeting and the pages."""
    names = {email.strip().lower(): name for email, name in (names or {}).items()}
    rows = [
        MailDelivery(
            letter=letter,
            email=email,
            name=names.get(email, "")[:200],
            task_name=task_name,
            args=list(args),
        )
        for email in dict.fromkeys(e.strip().lower() for e in emails if e and e.strip())
    ]
    return len(MailDelivery.objects.bulk_create(rows, ignore_conflicts=True))


def claim(row: MailDelivery) -> bool:
    """Take the row "à envoyer" for this run (a conditional update: one run only)."""
    return bool(
        MailDelivery.objects.filter(pk=row.pk, state=State.PENDING).update(
            state=State.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
    )


def send(letter: str, compose: Callable[[str], EmailMessage | None]) -> int:
    """Send the letter's rows still "à envoyer"; returns how many were sent. `compose` returns
    None for an address that no longer receives the letter (its row is dropped)."""
    sent = 0
    for row in (
        rows_of(letter).filter(state=State.PENDING, attempts__lt=MAX_ATTEMPTS).order_by("pk")
    ):
        if not claim(row):  # another run took it
            continue
        try:
            message = compose(row.email)
            if message is None:
                MailDelivery.objects.filter(pk=row.pk).delete()
                continue
            message.send()
        except Exception:
            # Not accepted: the retry sends it. (A kill is no `Exception`: the row stays "en
            # cours", for the sweep.)
            MailDelivery.objects.filter(pk=row.pk, state=State.SENDING).update(state=State.PENDING)
            raise
        MailDelivery.objects.filter(pk=row.pk).update(state=State.SENT, sent_at=timezone.now())
        sent += 1
    return sent


def all_served(letter: str) -> bool:
    return not rows_of(letter).exclude(state=State.SENT).exists()


def drop(rows: QuerySet[MailDelivery]) -> int:
    """These letters are no longer due (superseded): their rows still "à envoyer" go."""
    deleted, _ = rows.filter(state=State.PENDING).delete()
    return deleted


def resend(rows: QuerySet[MailDelivery]) -> int:
    """Someone decided: these unserved rows go again (their tasks are asked for)."""
    rows = rows.exclude(state=State.SENT)
    tasks = {(name, json.dumps(args)) for name, args in rows.values_list("task_name", "args")}
    count = rows.update(state=State.PENDING, attempts=0, claimed_at=None)
    for task_name, args in tasks:
        ask(task_name, *json.loads(args))
    return count


def ask(task_name: str, *args: Any) -> bool:
    """Ask for the task that sends a letter, unless it already waits or runs."""
    args_list = list(args)
    if OutboxJob.objects.filter(
        task_name=task_name, args=args_list, state__in=OutboxJob.OPEN_STATES
    ).exists():
        return False
    outbox.enqueue(task_name, *args_list)
    return True


def sweep(now: datetime.datetime | None = None) -> int:
    """Mark the lost claims "à vérifier"; ask again for the letters left with rows "à envoyer".
    Returns how many tasks were asked for."""
    now = now or timezone.now()
    lost = MailDelivery.objects.filter(state=State.SENDING, claimed_at__lt=now - LEASE).update(
        state=State.UNCONFIRMED
    )
    if lost:
        logger.warning("%s emails lost their worker: marked « à vérifier »", lost)
    letters = (
        MailDelivery.objects.filter(
            state=State.PENDING, attempts__lt=MAX_ATTEMPTS, created_at__lt=now - SWEEP_AFTER
        )
        .values_list("task_name", "args")
        .distinct()
    )
    return sum(ask(task_name, *args) for task_name, args in list(letters[:200]))
