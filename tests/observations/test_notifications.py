"""Emails through Celery, after commit only; immediate or in a daily digest, per person."""

import pytest
from django.core import mail
from django.db import transaction

from observations import selectors as obs_selectors
from observations import services as obs_services
from observations.models import Category, Notification, Observation
from teams.models import Agent


@pytest.fixture
def fresh(personas, ouest):
    return obs_services.observation_create(
        author=personas["agent"], quartier=ouest, category=Category.objects.get(slug="proprete"),
        title="Encombrants", place="rue Verlaine",
    )  # fmt: skip


def test_new_observation_notifies_the_chef_after_commit(
    personas, ouest, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        obs_services.observation_create(
            author=personas["agent"], quartier=ouest, category=Category.objects.get(slug="proprete"),
            title="Encombrants", place="rue Verlaine",
        )  # fmt: skip
        assert mail.outbox == []  # nothing before the commit
    assert callbacks  # the notification waits for the commit (beside the cache's bumps)
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [[personas["chef"].email]]
    assert "Encombrants" in mail.outbox[0].body


def test_rolled_back_change_sends_nothing(
    personas, fresh, services, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                obs_services.observation_triage(
                    observation=fresh,
                    by=personas["chef"],
                    service=services["technique"],
                    urgency="normale",
                )
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.filter(kind=Notification.Kind.ASSIGNED).exists()


def test_service_and_author_notified_on_assignment(
    personas, fresh, services, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        obs_services.observation_triage(
            observation=fresh, by=personas["chef"], service=services["technique"], urgency="normale"
        )
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([personas["responsable"].email, personas["agent"].email])
    assert all(n.sent_at for n in Notification.objects.filter(kind__in=["assigned", "status"]))


def test_actor_is_never_notified(personas, fresh, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        obs_services.comment_add(observation=fresh, author=personas["agent"], body="Je précise")
    assert mail.outbox == []


def test_daily_digest_instead_of_immediate(
    personas, fresh, services, django_capture_on_commit_callbacks
):
    Agent.objects.filter(pk=personas["agent"].pk).update(
        notification_frequency=Agent.Notifications.DAILY
    )
    author = Agent.objects.get(pk=personas["agent"].pk)
    fresh.author = author
    with django_capture_on_commit_callbacks(execute=True):
        obs_services.observation_triage(
            observation=fresh, by=personas["chef"], service=services["technique"], urgency="normale"
        )
        fresh.refresh_from_db()
        obs_services.comment_add(observation=fresh, author=personas["chef"], body="Vu")
    assert [m.to[0] for m in mail.outbox] == [
        personas["responsable"].email
    ] * 2  # immediate people only
    mail.outbox.clear()
    assert obs_services.notification_digests_send() == 1
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [author.email]
    assert "résumé" in digest.subject
    assert digest.body.count("Encombrants") == 2
    assert obs_services.notification_digests_send() == 0  # never twice
    assert len(mail.outbox) == 1


def test_notifications_sent_once_even_if_the_task_runs_twice(
    personas, fresh, services, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        obs_services.observation_triage(
            observation=fresh, by=personas["chef"], service=services["technique"], urgency="normale"
        )
    count = len(mail.outbox)
    ids = list(Notification.objects.filter(sent_at__isnull=False).values_list("pk", flat=True))
    assert len(ids) == count == 2
    assert obs_services.notifications_send(ids) == 0
    assert len(mail.outbox) == count


def test_emails_never_carry_confidential_details(
    personas, ouest, services, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        observation = obs_services.observation_create(
            author=personas["agent"], quartier=ouest, category=Category.objects.get(slug="social-precarite"),
            title="Famille Zorglub sans chauffage", place="escalier B", description="détails",
            confidentiality=Observation.Confidentiality.CONFIDENTIAL,
        )  # fmt: skip
        obs_services.observation_triage(
            observation=observation,
            by=personas["chef"],
            service=services["ccas"],
            urgency="normale",
        )
    assert mail.outbox
    for message in mail.outbox:
        assert "Zorglub" not in message.subject + message.body
        assert "confidentielle" in message.subject + message.body


def test_stale_immediate_notifications_are_swept(personas, fresh):
    Notification.objects.update(created_at=fresh.created_at.replace(year=2020))
    Notification.objects.update(sent_at=None)
    assert obs_services.notifications_send(obs_selectors.stale_immediate_notification_ids()) == 1
    assert mail.outbox[0].to == [personas["chef"].email]
