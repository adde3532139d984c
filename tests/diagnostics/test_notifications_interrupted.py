"""The diagnostic's notifications when the worker dies mid-way: one delivery row per recipient
(`foundation.mail`), planned with the transition, claimed, sent and confirmed; the redelivered
task serves the others once, the sweep finds the letters left unserved.
"""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from diagnostics import services
from diagnostics.models import DiagnosticVersion
from foundation import mail as deliveries
from foundation.models import MailDelivery, OutboxJob
from teams.models import Membership
from tests.meetings.mailers import WorkerKilled, die_after_claims
from tests.teams.factories import join, make_agent

TEAM = 30


@pytest.fixture
def killed_between(monkeypatch):
    """The worker dies once `accept` emails were sent and confirmed, before the next claim."""

    def configure(*, accept: int):
        die_after_claims(monkeypatch, deliveries, accept=accept)

    return configure


@pytest.fixture
def no_broker(monkeypatch):
    monkeypatch.setattr("foundation.outbox.runs_in_process", lambda: False)


@pytest.fixture
def big_team(ouest):
    existing = Membership.objects.filter(
        quartier=ouest, role__in=[Membership.Role.MEMBRE, Membership.Role.DIRECTION]
    ).count()
    for n in range(TEAM - existing):
        join(make_agent(f"membre{n}@test.example"), ouest)


def test_a_review_notification_killed_after_5_of_30_is_finished_by_the_redelivery(
    ouest_draft, personas, big_team, no_broker, killed_between, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.diagnostic_transition(diagnostic=ouest_draft, action="review", by=personas["chef"])
    killed_between(accept=5)
    with pytest.raises(WorkerKilled):
        services.review_notify(ouest_draft.pk)
    assert len(mail.outbox) == 5
    services.review_notify(ouest_draft.pk)  # redelivered
    services.review_notify(ouest_draft.pk)
    sent = Counter(m.to[0] for m in mail.outbox)
    assert len(sent) == TEAM and set(sent.values()) == {1}
    ouest_draft.refresh_from_db()
    assert ouest_draft.review_notified_at is not None


def test_a_publication_notification_left_unserved_is_finished_by_the_sweep(
    make_diagnostic, ouest, personas, no_broker, killed_between, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        diagnostic = make_diagnostic(ouest, status="validated")
        services.diagnostic_transition(diagnostic=diagnostic, action="publish", by=personas["chef"])
    version = DiagnosticVersion.objects.get()
    killed_between(accept=1)
    with pytest.raises(WorkerKilled):
        services.publication_notify(version.pk)
    OutboxJob.objects.update(state=OutboxJob.State.DONE)  # no redelivery comes
    later = timezone.now() + datetime.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        deliveries.sweep(now=later)
    asked = OutboxJob.objects.filter(state=OutboxJob.State.PENDING)
    assert asked.filter(
        task_name="diagnostics.tasks.notify_publication", args=[version.pk]
    ).exists()
    # (The request for review the diagnostic went through is over: its letter is dropped.)
    services.review_notify(diagnostic.pk)
    services.publication_notify(version.pk)  # the worker runs it
    asked.update(state=OutboxJob.State.DONE)
    assert deliveries.sweep(now=later) == 0  # nothing left to serve
    sent = Counter(m.to[0] for m in mail.outbox)
    assert sorted(sent) == sorted(
        [personas["elu"].email, personas["maire"].email, personas["direction"].email]
    )
    assert set(sent.values()) == {1}


def test_a_claim_whose_worker_died_is_marked_to_check_and_never_resent_by_itself(
    ouest_draft, personas, no_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.diagnostic_transition(diagnostic=ouest_draft, action="review", by=personas["chef"])
    row = MailDelivery.objects.get()
    assert deliveries.claim(row)  # then the worker died during the exchange with the server
    assert deliveries.sweep(now=timezone.now() + datetime.timedelta(hours=1)) == 0
    row.refresh_from_db()
    assert row.state == MailDelivery.State.UNCONFIRMED
    services.review_notify(ouest_draft.pk)
    assert not mail.outbox


def test_the_admin_resends_an_email_to_check_on_request(
    ouest_draft, personas, as_role, django_capture_on_commit_callbacks
):
    admin_client = as_role("admin")
    with django_capture_on_commit_callbacks(execute=True):
        services.diagnostic_transition(diagnostic=ouest_draft, action="review", by=personas["chef"])
    mail.outbox.clear()
    row = MailDelivery.objects.get()
    MailDelivery.objects.filter(pk=row.pk).update(state=MailDelivery.State.UNCONFIRMED)
    changelist = reverse("admin:foundation_maildelivery_changelist")
    page = admin_client.get(changelist + "?state=unconfirmed")
    assert row.email in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            changelist,
            {"action": "send_again", "_selected_action": [row.pk]},
        )
    assert [m.to for m in mail.outbox] == [[row.email]]
    row.refresh_from_db()
    assert row.state == MailDelivery.State.SENT
