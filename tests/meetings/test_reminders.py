"""Beat reminders: proposals closing in 7 days, meeting in 2 days, overdue actions weekly; never twice."""

import datetime

from django.utils import timezone

from meetings import reminders, services
from tests.meetings.factories import make_meeting


def test_proposal_reminder_once(personas, ouest, mailoutbox):
    meeting = make_meeting(ouest, personas["chef"], days=12)  # deadline in about 5 days
    far = make_meeting(ouest, personas["chef"], days=60)
    assert reminders.remind_proposals() == meeting.invitations.count()
    assert reminders.remind_proposals() == 0
    assert all(meeting.display_title in m.subject for m in mailoutbox)
    far.refresh_from_db()
    assert far.proposals_reminder_sent_at is None


def test_meeting_reminder_once_and_again_after_a_move(personas, ouest, mailoutbox):
    start = timezone.now() + datetime.timedelta(days=1)
    meeting = make_meeting(
        ouest, personas["chef"], start=start, end=start + datetime.timedelta(hours=1)
    )
    assert reminders.remind_meetings() == meeting.invitations.count()
    assert reminders.remind_meetings() == 0
    services.meeting_update(
        meeting=meeting,
        data={
            "start": start + datetime.timedelta(hours=2),
            "end": start + datetime.timedelta(hours=3),
        },
    )
    assert reminders.remind_meetings() == meeting.invitations.count()
    assert "Rappel" in mailoutbox[0].subject


def test_overdue_actions_one_email_per_owner(personas, past_meeting, mailoutbox):
    for title in ("Réparer le banc", "Tailler la haie"):
        services.action_create(
            meeting=past_meeting,
            title=title,
            owner=personas["agent"],
            due_date=timezone.localdate() - datetime.timedelta(days=2),
            allow_past_due=True,
        )
    done = services.action_create(
        meeting=past_meeting,
        title="Déjà faite",
        owner=personas["chef"],
        due_date=timezone.localdate() - datetime.timedelta(days=2),
        allow_past_due=True,
    )
    services.action_set_status(action=done, status="done")
    assert reminders.remind_overdue_actions() == 1
    assert mailoutbox[0].to == [personas["agent"].email]
    assert "Réparer le banc" in mailoutbox[0].body and "Tailler la haie" in mailoutbox[0].body
