"""Notifications when a worker dies while mailing them: each is mailed in the end.

A notification is claimed (`claimed_at`), mailed, then confirmed (`sent_at`). A worker killed
between the claim and the confirmation leaves the claim; once it is older than the lease, the
sweep of stale notifications (immediate ones) or the next digest (daily ones) mails it again.
A notification is a pointer to an observation: mailed twice after a kill is a nuisance, never
mailed is a case nobody triages; so it is sent again rather than left « à vérifier ».
"""

from __future__ import annotations

import datetime

import pytest

from observations import selectors as obs_selectors
from observations import services as obs_services
from observations.models import Category, Notification
from teams.models import Agent
from tests.meetings.mailers import KilledAfterBackend, WorkerKilled

LATER = obs_selectors.NOTIFICATION_LEASE + datetime.timedelta(minutes=1)


@pytest.fixture
def killed_after(settings):
    def configure(*, accept: int, when: str = "before"):
        KilledAfterBackend.accept, KilledAfterBackend.when = accept, when

    settings.MAILERS = {"default": {"BACKEND": "tests.meetings.mailers.KilledAfterBackend"}}
    yield configure
    KilledAfterBackend.accept, KilledAfterBackend.when = None, "before"


def create(personas, ouest, title="Encombrants"):
    return obs_services.observation_create(
        author=personas["agent"], quartier=ouest, category=Category.objects.get(slug="proprete"),
        title=title, place="rue Verlaine",
    )  # fmt: skip


def age(delta: datetime.timedelta) -> None:
    """Time passes: every notification and claim is `delta` older."""
    for notification in Notification.objects.all():
        Notification.objects.filter(pk=notification.pk).update(
            created_at=notification.created_at - delta,
            claimed_at=notification.claimed_at and notification.claimed_at - delta,
        )


@pytest.mark.parametrize("when", ["before", "after"])
def test_an_immediate_notification_whose_worker_died_is_mailed_by_the_sweep(
    when, personas, ouest, killed_after, mailoutbox
):
    create(personas, ouest)
    notification = Notification.objects.get(recipient=personas["chef"])
    killed_after(accept=0, when=when)
    with pytest.raises(WorkerKilled):
        obs_services.notifications_send([notification.pk])
    notification.refresh_from_db()
    assert notification.sent_at is None
    # Within the lease the claim holds: no second worker mails it meanwhile.
    assert notification.pk not in obs_selectors.stale_immediate_notification_ids(
        older_than=datetime.timedelta(0)
    )
    age(LATER)
    stale = obs_selectors.stale_immediate_notification_ids()
    assert notification.pk in stale
    assert obs_services.notifications_send(stale) == 1
    to_chef = [m for m in mailoutbox if m.to == [personas["chef"].email]]
    assert len(to_chef) == (2 if when == "after" else 1)
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert obs_services.notifications_send(obs_selectors.stale_immediate_notification_ids()) == 0


def test_a_daily_digest_whose_worker_died_is_mailed_by_the_next_digest(
    personas, ouest, killed_after, mailoutbox
):
    Agent.objects.filter(pk=personas["chef"].pk).update(
        notification_frequency=Agent.Notifications.DAILY
    )
    create(personas, ouest, "Encombrants")
    create(personas, ouest, "Tags")
    killed_after(accept=0)
    with pytest.raises(WorkerKilled):
        obs_services.notification_digests_send()
    assert not Notification.objects.filter(sent_at__isnull=False).exists()
    # A second run within the lease finds the digest claimed: nothing twice meanwhile.
    assert obs_services.notification_digests_send() == 0
    age(LATER)
    assert obs_services.notification_digests_send() == 1
    assert len(mailoutbox) == 1
    assert "Encombrants" in mailoutbox[0].body and "Tags" in mailoutbox[0].body
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert obs_services.notification_digests_send() == 0
