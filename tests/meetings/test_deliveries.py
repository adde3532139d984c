"""Deliveries of a meeting's emails when a worker dies mid-way: every invitee is served, and
nobody twice. One `foundation.mail` row per invitee is planned with the request to send, then claimed,
sent and confirmed one by one; the sweep finds letters left with unserved invitees.
"""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from foundation import mail
from foundation.models import MailDelivery, OutboxJob
from meetings import deliveries, services
from teams.models import ExternalParticipant
from tests.meetings.factories import add_item, worker_delivers
from tests.meetings.mailers import KilledAfterBackend, WorkerKilled, die_after_claims

INVITEES = 30
LATER = datetime.timedelta(hours=1)


@pytest.fixture
def crowd(meeting, ouest):
    """The meeting with 30 invitees with an address (the Ouest team plus partners)."""
    missing = INVITEES - meeting.invitations.count()
    people = [
        ExternalParticipant.objects.create(
            first_name=f"Partenaire{n}", last_name="Asso", email=f"p{n}@asso.example"
        )
        for n in range(missing)
    ]
    services.invitations_add(meeting=meeting, externals=people)
    assert meeting.invitations.count() == INVITEES
    return meeting


@pytest.fixture
def killed_after(settings):
    """The worker dies after `accept` messages: `killed_after(accept=8, when="before")`."""

    def configure(*, accept: int, when: str = "before"):
        KilledAfterBackend.accept, KilledAfterBackend.when = accept, when

    settings.MAILERS = {"default": {"BACKEND": "tests.meetings.mailers.KilledAfterBackend"}}
    yield configure
    KilledAfterBackend.accept, KilledAfterBackend.when = None, "before"


@pytest.fixture
def killed_between(monkeypatch):
    """The worker dies once `accept` emails were sent and confirmed, before the next claim."""

    def configure(*, accept: int):
        die_after_claims(monkeypatch, mail, accept=accept)

    return configure


@pytest.fixture
def no_broker(monkeypatch):
    """The job waits in the outbox: the test plays the worker's part."""
    monkeypatch.setattr("foundation.outbox.runs_in_process", lambda: False)


def published(meeting, personas, capture):
    add_item(meeting, personas["agent"], "Propreté", 20)
    with capture(execute=True):
        return services.agenda_publish(meeting=meeting, requested_by=personas["chef"])[0]


def all_addresses(meeting) -> list[str]:
    return sorted(i.invitee.email.lower() for i in meeting.invitations.all())


@pytest.mark.parametrize("sent_before_the_kill", [8, 12, 20])
def test_a_worker_killed_after_n_of_30_leaves_the_others_to_the_redelivery(
    sent_before_the_kill,
    crowd,
    personas,
    no_broker,
    killed_between,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    document = published(crowd, personas, django_capture_on_commit_callbacks)
    killed_between(accept=sent_before_the_kill)
    with pytest.raises(WorkerKilled):
        worker_delivers(document)
    assert len(mailoutbox) == sent_before_the_kill
    # The broker redelivers the message (twice): the 30 - N others are served, once each.
    worker_delivers(document)
    worker_delivers(document)
    sent = Counter(m.to[0] for m in mailoutbox)
    assert sorted(sent) == all_addresses(crowd) and set(sent.values()) == {1}
    rows = deliveries.rows_of(crowd.pk, "agenda", document.version)
    assert rows.filter(state=MailDelivery.State.SENT).count() == INVITEES == rows.count()
    document.refresh_from_db()
    assert document.emails_sent_at is not None


def test_a_letter_whose_job_ended_with_unserved_invitees_is_finished_by_the_sweep(
    crowd, personas, no_broker, killed_between, django_capture_on_commit_callbacks, mailoutbox
):
    document = published(crowd, personas, django_capture_on_commit_callbacks)
    killed_between(accept=10)
    with pytest.raises(WorkerKilled):
        worker_delivers(document)
    # No redelivery comes (the job was marked finished, or failed for good): the sweep serves them.
    OutboxJob.objects.update(state=OutboxJob.State.DONE)
    with django_capture_on_commit_callbacks(execute=True):
        assert mail.sweep(now=timezone.now() + LATER) == 1
    assert len(mailoutbox) == 10  # the sweep asked for the letter's task, a worker runs it:
    assert OutboxJob.objects.filter(
        task_name=type(document).mail_task_name,
        args=[document.pk],
        state=OutboxJob.State.PENDING,
    ).exists()
    worker_delivers(document)
    sent = Counter(m.to[0] for m in mailoutbox)
    assert sorted(sent) == all_addresses(crowd) and set(sent.values()) == {1}
    with django_capture_on_commit_callbacks(execute=True):
        assert mail.sweep(now=timezone.now() + LATER) == 0  # nothing left to serve


def test_a_cancellation_killed_midway_is_finished_by_the_redelivery(
    crowd, no_broker, killed_between, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=crowd)
    killed_between(accept=5)
    with pytest.raises(WorkerKilled):
        services.cancellation_deliver(meeting_id=crowd.pk)
    services.cancellation_deliver(meeting_id=crowd.pk)
    sent = Counter(m.to[0] for m in mailoutbox)
    assert sorted(sent) == all_addresses(crowd) and set(sent.values()) == {1}


def test_a_kill_between_acceptance_and_record_never_mails_anyone_twice_silently(
    crowd,
    personas,
    no_broker,
    killed_after,
    django_capture_on_commit_callbacks,
    mailoutbox,
    as_role,
):
    document = published(crowd, personas, django_capture_on_commit_callbacks)
    killed_after(accept=20, when="after")  # the 21st is accepted by the server, then the kill
    with pytest.raises(WorkerKilled):
        worker_delivers(document)
    assert len(mailoutbox) == 21
    rows = deliveries.rows_of(crowd.pk, "agenda", document.version)
    doubtful = rows.get(state=MailDelivery.State.SENDING)  # claimed, never confirmed
    assert doubtful.email == mailoutbox[20].to[0]
    worker_delivers(document)  # redelivery
    with django_capture_on_commit_callbacks(execute=True):
        mail.sweep(now=timezone.now() + LATER)
    worker_delivers(document)
    # The 9 others are served; the one in doubt is not mailed again behind anyone's back.
    assert Counter(m.to[0] for m in mailoutbox)[doubtful.email] == 1
    assert len(mailoutbox) == INVITEES
    doubtful.refresh_from_db()
    assert doubtful.state == MailDelivery.State.UNCONFIRMED
    # The organiser sees it, and decides: « Renvoyer aux invités non servis » sends to it alone.
    client = as_role("chef")
    page = client.get(crowd.get_absolute_url()).content.decode()
    assert "1 invité non servi" in page and "Renvoyer aux invités non servis" in page
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings:resend_unserved", args=[crowd.pk, "agenda"]))
    assert response.status_code == 302
    worker_delivers(document)  # the worker
    assert [m.to[0] for m in mailoutbox] == [doubtful.email]
    doubtful.refresh_from_db()
    assert doubtful.state == MailDelivery.State.SENT
    assert "non servi" not in client.get(crowd.get_absolute_url()).content.decode()


def test_only_the_organisers_may_resend(
    crowd, personas, django_capture_on_commit_callbacks, as_role
):
    published(crowd, personas, django_capture_on_commit_callbacks)
    response = as_role("agent").post(reverse("meetings:resend_unserved", args=[crowd.pk, "agenda"]))
    assert response.status_code == 404


def test_the_sweep_drops_the_unsent_emails_of_a_superseded_version(
    crowd, personas, no_broker, django_capture_on_commit_callbacks, mailoutbox
):
    first = published(crowd, personas, django_capture_on_commit_callbacks)
    crowd.refresh_from_db()
    add_item(crowd, personas["agent"], "Voirie", 10)  # the agenda changes: version 2
    with django_capture_on_commit_callbacks(execute=True):
        second, _ = services.agenda_publish(meeting=crowd, requested_by=personas["chef"])
    worker_delivers(second)
    with django_capture_on_commit_callbacks(execute=True):
        mail.sweep(now=timezone.now() + LATER)  # asks for the first version's task again
    worker_delivers(first)  # the worker
    assert not deliveries.rows_of(crowd.pk, "agenda", first.version).exists()
    assert len(mailoutbox) == INVITEES and "version 2" in mailoutbox[0].subject
    assert mail.sweep(now=timezone.now() + LATER) == 0  # nothing left to ask for
