"""The monthly escalation digest when the worker dies while emailing it: one delivery row per
member of the comité (`foundation.mail`); the redelivered task serves the others, once each."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core import mail
from django.utils import timezone

from foundation import mail as deliveries
from observations import selectors, tasks
from observations import services as obs_services
from observations.models import EscalationDigest
from tests.meetings.mailers import WorkerKilled
from tests.teams.factories import make_agent

COMITE = 6


@pytest.fixture
def comite(personas):
    for n in range(COMITE - 1):  # with the direction persona
        make_agent(f"comite{n}@test.example", is_comite_direction=True)


def test_a_digest_email_killed_midway_reaches_the_rest_of_the_comite_once(
    world, comite, monkeypatch, django_capture_on_commit_callbacks
):
    real_claim, claims = deliveries.claim, []

    def claim_or_die(row):
        if len(claims) == 2:
            monkeypatch.setattr(deliveries, "claim", real_claim)  # the next worker lives
            raise WorkerKilled
        claims.append(row)
        return real_claim(row)

    monkeypatch.setattr(deliveries, "claim", claim_or_die)
    with (
        pytest.raises(WorkerKilled),
        django_capture_on_commit_callbacks(execute=True),
    ):
        obs_services.escalation_digest_request(month=selectors.month_start(timezone.localdate()))
    assert len(mail.outbox) == 2
    job = EscalationDigest.objects.get()
    assert job.status == EscalationDigest.Status.READY and job.emailed_at is None
    tasks.send_escalation_digest.apply(args=[job.pk])  # redelivered
    tasks.send_escalation_digest.apply(args=[job.pk])
    sent = Counter(address for m in mail.outbox for address in m.to)
    assert len(sent) == COMITE and set(sent.values()) == {1}
    assert all(m.attachments[0][2] == "application/pdf" for m in mail.outbox)
    job.refresh_from_db()
    assert job.emailed_at is not None
