"""Reminders sent by celery beat: proposals closing, meetings coming, overdue actions.

Each meeting reminder is claimed by a conditional update on its `*_sent_at` field, so a beat
run twice (or two beats) never sends the same reminder twice.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from meetings import documents, selectors, services
from meetings.models import Action, Invitation, Meeting

PROPOSALS_NOTICE = datetime.timedelta(days=7)
MEETING_NOTICE = datetime.timedelta(days=2)


def _local(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{date_format(local.date(), 'l j F Y')} à {local:%H h %M}"


def _agent_emails(meeting: Meeting) -> list[str]:
    return list(
        Invitation.objects.filter(meeting=meeting, agent__isnull=False, agent__is_active=True)
        .exclude(response=Invitation.Response.NO)
        .values_list("agent__email", flat=True)
    )


def remind_proposals(now: datetime.datetime | None = None) -> int:
    """Invited agents: the deadline to propose agenda points is within 7 days."""
    now = now or timezone.now()
    due = (
        Meeting.objects.active()
        .filter(
            proposals_deadline__gt=now,
            proposals_deadline__lte=now + PROPOSALS_NOTICE,
            proposals_reminder_sent_at__isnull=True,
        )
        .select_related("quartier", "working_group")
    )
    sent = 0
    for meeting in due:
        deadline = meeting.proposals_deadline
        assert deadline is not None  # (filtered on it above)
        if not services.claim_meeting_flag(meeting.pk, "proposals_reminder_sent_at"):
            continue
        sent += documents.send_plain(
            to=_agent_emails(meeting),
            subject=_("Propositions pour l'ordre du jour : %(title)s")
            % {"title": meeting.display_title},
            lines=[
                _("Bonjour,"),
                "",
                _(
                    "Vous pouvez proposer des points pour la réunion « %(title)s » du %(when)s jusqu'au %(deadline)s."
                )
                % {
                    "title": meeting.display_title,
                    "when": _local(meeting.start),
                    "deadline": _local(deadline),
                },
                _("Proposer un point : %(url)s") % {"url": documents.meeting_url(meeting)},
            ],
        )
    return sent


def remind_meetings(now: datetime.datetime | None = None) -> int:
    """Every invitee: the meeting takes place within 2 days."""
    now = now or timezone.now()
    due = (
        Meeting.objects.active()
        .filter(start__gt=now, start__lte=now + MEETING_NOTICE, reminder_sent_at__isnull=True)
        .select_related("quartier", "working_group")
    )
    sent = 0
    for meeting in due:
        if not services.claim_meeting_flag(meeting.pk, "reminder_sent_at"):
            continue
        emails = [email for _name, email in selectors.recipients(meeting)]
        sent += documents.send_plain(
            to=emails,
            subject=_("Rappel : %(title)s, %(when)s")
            % {"title": meeting.display_title, "when": _local(meeting.start)},
            lines=[
                _("Bonjour,"),
                "",
                _("Rappel : la réunion « %(title)s » a lieu le %(when)s, lieu : %(place)s.")
                % {
                    "title": meeting.display_title,
                    "when": _local(meeting.start),
                    "place": meeting.place,
                },
                _("Page de la réunion (pour les agents de la ville) : %(url)s")
                % {"url": documents.meeting_url(meeting)},
            ],
        )
    return sent


def remind_overdue_actions(today: datetime.date | None = None) -> int:
    """Weekly: each owner receives one email listing its overdue actions."""
    today = today or timezone.localdate()
    by_owner: dict[str, list[Action]] = defaultdict(list)
    for action in (
        Action.objects.filter(
            status__in=Action.OPEN_STATUSES, due_date__lt=today, owner__is_active=True
        )
        .select_related("owner", "meeting", "meeting__quartier", "meeting__working_group")
        .order_by("owner_id", "due_date")
    ):
        by_owner[action.owner.email].append(action)
    for email, actions in by_owner.items():
        lines = [
            _("Bonjour,"),
            "",
            _("Ces actions qui vous sont confiées ont dépassé leur échéance :"),
            "",
        ]
        lines += [
            _("— %(title)s (échéance : %(due)s ; décidée en réunion « %(meeting)s »)")
            % {
                "title": a.title,
                "due": date_format(a.due_date, "j F Y"),
                "meeting": a.meeting.display_title,
            }
            for a in actions
        ]
        lines += [
            "",
            _("Mettez leur état à jour : %(url)s")
            % {"url": documents.absolute("/reunions/actions/")},
        ]
        documents.send_plain(
            to=[email],
            subject=_("Vos actions en retard (%(n)s)") % {"n": len(actions)},
            lines=lines,
        )
    return len(by_owner)
