"""The security journal: what is recorded, and how administrators read it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from arras_quartiers import audit
from arras_quartiers.models import AuditEvent
from teams import services as team_services
from teams.models import Membership
from tests.teams.factories import PASSWORD, make_agent


@pytest.fixture
def journal(monkeypatch):
    """The journal writes on commit; inside a test's transaction, write at once."""
    monkeypatch.setattr(audit.transaction, "on_commit", lambda func, **kwargs: func())
    return AuditEvent.objects


def test_login_and_logout_are_recorded_with_address_and_utc_time(client, personas, journal):
    client.post("/comptes/login/", {"login": personas["chef"].email, "password": PASSWORD})
    client.post(reverse("account_logout"))
    events = list(journal.order_by("pk"))
    assert [e.event for e in events] == [audit.LOGIN, audit.LOGOUT]
    assert events[0].actor == personas["chef"]
    assert events[0].ip_address == "127.0.0.1"
    assert events[0].occurred_at.utcoffset() == datetime.timedelta(0)


def test_record_api_for_the_feature_apps(rf, personas, ouest, journal):
    request = rf.get("/diagnostics/1/pdf/")
    request.user = personas["chef"]
    token = audit.current_request.set(request)
    try:
        audit.record(audit.PUBLICATION, target=ouest, version=3, when=timezone.now())
    finally:
        audit.current_request.reset(token)
    event = journal.get()
    assert event.event == audit.PUBLICATION
    assert event.actor == personas["chef"]  # taken from the request being served
    assert (event.target_type, event.target_id, event.target_label) == (
        "teams.quartier",
        str(ouest.pk),
        "Ouest",
    )
    assert event.details["version"] == 3
    assert event.path == "/diagnostics/1/pdf/"


def test_a_rolled_back_action_leaves_no_event(personas, ouest, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            audit.record(audit.EXPORT, user=personas["chef"], target=ouest)
            raise RuntimeError
        audit.record(audit.EXPORT, user=personas["chef"], target=ouest, committed=True)
    assert list(AuditEvent.objects.values_list("details", flat=True)) == [{"committed": True}]


def test_memberships_added_and_ended_are_recorded(personas, ouest, journal):
    newcomer = make_agent("nouveau@test.example")
    membership = team_services.membership_add(
        quartier=ouest,
        agent=newcomer,
        role=Membership.Role.CHEF_DE_PROJET,
        start_date=timezone.localdate(),
    )
    team_services.membership_end(membership=membership, end_date=timezone.localdate())
    membership.delete()
    events = list(journal.filter(target_type="teams.membership").order_by("pk"))
    assert [e.event for e in events] == [audit.ROLE_ADDED, audit.ROLE_ENDED, audit.ROLE_REMOVED]
    assert events[0].details["role"] == Membership.Role.CHEF_DE_PROJET
    assert events[0].details["agent_id"] == newcomer.pk


def test_staff_and_superuser_changes_are_recorded(personas, journal):
    agent = personas["agent"]
    agent.is_staff = True
    agent.save()
    agent.is_superuser = True
    agent.first_name = "Promu"
    agent.save()
    agent.first_name = "Encore"
    agent.save()  # nothing about rights: nothing recorded
    agent.save(update_fields=["last_login"])
    changes = [
        e.details for e in journal.filter(event=audit.RIGHTS_CHANGED, target_id=str(agent.pk))
    ]
    assert sorted(changes, key=str) == sorted(
        [{"is_staff": [False, True]}, {"is_superuser": [False, True]}], key=str
    )


def test_admin_reads_the_journal_in_utc_and_cannot_edit_it(client, personas, journal):
    admin = personas["admin"]  # with a second factor, as administrators must have
    client.force_login(admin)
    event = AuditEvent.objects.create(
        event=audit.EXPORT,
        actor=admin,
        actor_label=admin.email,
        occurred_at=datetime.datetime(2026, 7, 1, 22, 30, tzinfo=datetime.UTC),
    )
    listing = client.get(reverse("admin:arras_quartiers_auditevent_changelist"))
    assert listing.status_code == 200
    assert "2026-07-01 22:30:00 UTC" in listing.content.decode()  # not 00:30 Paris time
    detail = client.get(reverse("admin:arras_quartiers_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert client.get(reverse("admin:arras_quartiers_auditevent_add")).status_code == 403
    response = client.post(reverse("admin:arras_quartiers_auditevent_delete", args=[event.pk]))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_publications_and_exports_are_recorded(client, personas, ouest, journal):
    from meetings import services as meeting_services
    from meetings.models import AgendaItem, Meeting

    start = timezone.now() + datetime.timedelta(days=5)
    meeting = Meeting.objects.create(
        kind=Meeting.Kind.EQUIPE,
        quartier=ouest,
        organiser=personas["chef"],
        place="MSP",
        start=start,
        end=start + datetime.timedelta(hours=2),
    )
    AgendaItem.objects.create(
        meeting=meeting, title="Point", duration_minutes=20, status=AgendaItem.Status.ACCEPTED
    )
    meeting_services.agenda_publish(meeting=meeting, requested_by=personas["chef"])
    publication = journal.get(event=audit.PUBLICATION)
    assert publication.target_type == "meetings.agendadocument"
    assert publication.details == {"version": 1}

    client.force_login(personas["chef"])
    response = client.get(reverse("observations:export"))
    assert response.status_code == 200
    export = journal.get(event=audit.EXPORT)
    assert export.actor == personas["chef"]
    assert export.details["view"] == "observations:export"
    # A refused export is not an export.
    client.force_login(personas["outsider"])
    client.get(
        reverse(
            "meetings:document_download",
            kwargs={"pk": meeting.pk, "kind": "ordre-du-jour", "document_pk": 999},
        )
    )
    assert journal.filter(event=audit.EXPORT).count() == 1
