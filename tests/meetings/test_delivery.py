"""Emails of a meeting (agenda, minutes, cancellation): one per invitee, even across retries."""

from __future__ import annotations

import datetime
from collections import Counter

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from foundation.models import DocumentJob
from meetings import deliveries, documents, services, tasks
from meetings.models import AgendaDocument, MeetingDocument, MinutesDocument
from teams.models import ExternalParticipant
from tests.meetings.factories import add_item, publish, worker_delivers
from tests.meetings.mailers import FailingAfterBackend, calendar_part


@pytest.fixture
def partners(ouest):
    """Three partners, so that a meeting has five invitees with the Ouest team."""
    people = [
        ExternalParticipant.objects.create(
            first_name=first, last_name="Partenaire", email=f"{first.lower()}@asso.example"
        )
        for first in ("Karima", "Louis", "Nadia")
    ]
    for person in people:
        person.quartiers.add(ouest)
    return people


@pytest.fixture
def flaky_mail(settings):
    """The mail server fails once after `accept` messages: `flaky_mail(accept=2)`."""

    def configure(*, accept: int, failures: int = 1):
        FailingAfterBackend.accept, FailingAfterBackend.failures = accept, failures

    settings.MAILERS = {"default": {"BACKEND": "tests.meetings.mailers.FailingAfterBackend"}}
    yield configure
    FailingAfterBackend.accept, FailingAfterBackend.failures = None, 0


def content_type(part) -> tuple[str, str, str]:
    """The type and its parameters as a mail client reads them (quoted or not, the same)."""
    return part.get_content_type(), part.get_param("method"), part.get_content_charset()


def addresses(meeting) -> list[str]:
    return sorted({i.invitee.email.lower() for i in meeting.invitations.all()})


def minutes_ready(meeting, personas, capture):
    add_item(meeting, personas["chef"], "Sécurité du square", 20)
    services.minutes_update(meeting=meeting, summary="Bonne participation.", items={})
    with capture(execute=True):
        return services.minutes_publish(meeting=meeting, requested_by=personas["chef"])[0]


# One base for the two documents -------------------------------------------------------------


def test_agenda_and_minutes_documents_share_one_base_and_no_migration_is_pending(meeting, personas):
    assert issubclass(AgendaDocument, MeetingDocument)
    assert issubclass(MinutesDocument, MeetingDocument)
    document = AgendaDocument.objects.create(meeting=meeting, version=1)
    assert str(document).endswith("ordre du jour v1") and document.is_current is False
    meeting.agenda_version = 1
    assert document.is_current
    minutes = MinutesDocument.objects.create(meeting=meeting, version=1)
    assert str(minutes).endswith("compte rendu v1")
    with pytest.raises(IntegrityError), transaction.atomic():
        MinutesDocument.objects.create(meeting=meeting, version=1)
    call_command("makemigrations", "meetings", "--check", "--dry-run", verbosity=0)


# A mail server failing partway -----------------------------------------------------------------


def test_agenda_retry_after_a_mail_server_failure_emails_each_invitee_once(
    meeting, personas, partners, flaky_mail, django_capture_on_commit_callbacks, mailoutbox
):
    services.invitations_add(meeting=meeting, externals=partners)
    add_item(meeting, personas["agent"], "Propreté", 20)
    flaky_mail(accept=2)
    # The task fails after two messages, retries (eagerly here) and finishes.
    document, _ = publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    document.refresh_from_db()
    assert FailingAfterBackend.failures == 0  # the failure did happen
    sent = Counter(m.to[0] for m in mailoutbox)
    assert sorted(sent) == addresses(meeting) and set(sent.values()) == {1}
    assert document.status == DocumentJob.Status.READY and document.emails_sent_at
    assert deliveries.rows_of(meeting.pk, "agenda", 1).count() == len(sent)


@pytest.mark.parametrize("kind", ["agenda", "minutes"])
def test_a_failed_delivery_leaves_the_rest_for_the_retry(
    kind,
    meeting,
    past_meeting,
    personas,
    partners,
    flaky_mail,
    django_capture_on_commit_callbacks,
    mailoutbox,
    monkeypatch,
):
    target = meeting if kind == "agenda" else past_meeting
    services.invitations_add(meeting=target, externals=partners)
    # The broker is away: the job waits in the outbox, then the mail server fails after 3 messages.
    monkeypatch.setattr("foundation.outbox.runs_in_process", lambda: False)
    if kind == "agenda":
        add_item(target, personas["agent"], "Propreté", 20)
        document, _ = publish(target, personas["chef"], django_capture_on_commit_callbacks)
    else:
        document = minutes_ready(target, personas, django_capture_on_commit_callbacks)
    flaky_mail(accept=3)
    with pytest.raises(Exception, match="Connexion au serveur"):
        worker_delivers(document)
    document.refresh_from_db()
    assert len(mailoutbox) == 3 and document.emails_sent_at is None
    worker_delivers(document)
    worker_delivers(document)  # redelivered
    sent = Counter(m.to[0] for m in mailoutbox)
    assert sorted(sent) == addresses(target) and set(sent.values()) == {1}


# Cancellation ---------------------------------------------------------------------------------


def test_cancelling_emails_every_invitee_an_ics_cancel_once(
    meeting, personas, partners, django_capture_on_commit_callbacks, mailoutbox, as_role
):
    services.invitations_add(meeting=meeting, externals=partners)
    add_item(meeting, personas["agent"], "Propreté", 20)
    publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    request = calendar_part(next(m for m in mailoutbox if m.to == [personas["agent"].email]))
    invited = icalendar.Calendar.from_ical(request.get_content()).walk("VEVENT")[0]
    mailoutbox.clear()
    client = as_role("chef")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meetings:cancel", args=[meeting.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meetings:cancel", args=[meeting.pk]))  # a second click
    tasks.send_cancellation.apply(args=[meeting.pk])  # a redelivered message
    sent = Counter(m.to[0] for m in mailoutbox)
    assert sorted(sent) == addresses(meeting) and set(sent.values()) == {1}
    message = next(m for m in mailoutbox if m.to == [personas["agent"].email])
    assert "annulée" in message.subject.lower()
    part = calendar_part(message)
    assert content_type(part) == ("text/calendar", "CANCEL", "utf-8")
    calendar = icalendar.Calendar.from_ical(part.get_content())
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == str(invited["UID"])
    assert int(event["SEQUENCE"]) > int(invited["SEQUENCE"])
    meeting.refresh_from_db()
    assert meeting.cancellation_sent_at is not None
    assert (
        "Les invités en ont été prévenus par courriel le"
        in client.get(meeting.get_absolute_url()).content.decode()
    )


def test_a_cancellation_the_mail_server_interrupted_is_finished_by_the_retry(
    meeting, personas, partners, flaky_mail, django_capture_on_commit_callbacks, mailoutbox
):
    services.invitations_add(meeting=meeting, externals=partners)
    flaky_mail(accept=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting)  # the task fails once, retries, finishes
    sent = Counter(m.to[0] for m in mailoutbox)
    assert FailingAfterBackend.failures == 0
    assert sorted(sent) == addresses(meeting) and set(sent.values()) == {1}


def test_a_cancellation_whose_job_was_lost_is_sent_by_the_mail_sweep(
    meeting, partners, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    from foundation import mail
    from foundation.models import OutboxJob
    from meetings.models import Meeting

    # The broker is away: the cancellation waits in the outbox, no worker runs it.
    monkeypatch.setattr("foundation.outbox.runs_in_process", lambda: False)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting)
    assert not mailoutbox
    # The job is lost (given up on); the broker is back.
    OutboxJob.objects.update(state=OutboxJob.State.FAILED)
    monkeypatch.undo()
    later = timezone.now() + datetime.timedelta(minutes=10)
    with django_capture_on_commit_callbacks(execute=True):
        assert mail.sweep(now=later) == 1
    assert sorted(m.to[0] for m in mailoutbox) == addresses(meeting)
    assert mail.sweep(now=later) == 0
    assert Meeting.objects.get(pk=meeting.pk).cancellation_sent_at is not None


def test_letters_left_unserved_are_swept_by_celery_beat():
    from arras_quartiers.celery import app

    tasks_of = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "foundation.tasks.sweep_mail_deliveries" in tasks_of
    assert "foundation.tasks.sweep_mail_deliveries" in app.tasks


def test_a_held_meeting_cannot_be_cancelled_and_sends_nothing(
    past_meeting, django_capture_on_commit_callbacks, mailoutbox
):
    services.attendance_record(meeting=past_meeting, present_ids=set())
    with pytest.raises(ValidationError), django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=past_meeting)
    assert not mailoutbox


# The .ics content type --------------------------------------------------------------------------


def test_the_invitation_ics_is_typed_as_a_calendar_request(
    meeting, personas, django_capture_on_commit_callbacks, mailoutbox
):
    add_item(meeting, personas["agent"], "Propreté", 20)
    publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    part = calendar_part(mailoutbox[0])
    assert content_type(part) == ("text/calendar", "REQUEST", "utf-8")
    assert part.get_content_disposition() == "attachment"
    assert part.get_filename() == "invitation.ics"
    assert "BEGIN:VCALENDAR" in part.get_content()
    cancel = documents.ics_part(meeting, method="CANCEL", email="a@b.example")
    assert content_type(cancel) == ("text/calendar", "CANCEL", "utf-8")
