"""Agenda: planned times, durations against the meeting's length, decisions, versions."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from meetings import selectors, services
from meetings.models import AgendaItem, Meeting
from tests.meetings.factories import add_item, make_meeting, publish


def test_planned_start_times_follow_the_order(meeting, personas):
    a = add_item(meeting, personas["agent"], "A", 20)
    b = add_item(meeting, personas["agent"], "B", 35)
    schedule = selectors.agenda_schedule(meeting)
    # The automatic "suivi des actions" (15 min) comes first.
    assert [r.item.title for r in schedule.rows] == ["Suivi des actions", "A", "B"]
    starts = [timezone.localtime(r.start).strftime("%H:%M") for r in schedule.rows]
    assert starts == ["09:30", "09:45", "10:05"]
    assert schedule.total_minutes == 70 and schedule.free_minutes == 50
    services.item_move(item=b, offset=-1)
    schedule = selectors.agenda_schedule(meeting)
    assert [r.item.pk for r in schedule.rows][1:] == [b.pk, a.pk]
    assert timezone.localtime(schedule.rows[2].start).strftime("%H:%M") == "10:20"


def test_an_agenda_longer_than_the_meeting_is_not_published(
    meeting, personas, django_capture_on_commit_callbacks
):
    add_item(meeting, personas["agent"], "Long", 110)
    with pytest.raises(ValidationError) as exc:
        publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    assert "125 minutes pour une réunion de 120 minutes" in exc.value.messages[0]
    meeting.refresh_from_db()
    assert meeting.agenda_version == 0 and not meeting.agenda_documents.exists()


def test_the_builder_says_it_and_keeps_the_items(as_role, meeting, personas):
    add_item(meeting, personas["agent"], "Très long point", 200)
    client = as_role("chef")
    response = client.post(reverse("meetings:agenda_publish", args=[meeting.pk]), follow=True)
    assert (
        "dépasse la durée de la réunion" in response.content.decode()
        or "raccourcissez" in response.content.decode()
    )
    assert meeting.items.filter(title="Très long point").exists()


def test_proposals_close_at_the_deadline(personas, ouest):
    meeting = make_meeting(ouest, personas["chef"], days=3)  # deadline: a week before → passed
    assert not meeting.proposals_open
    with pytest.raises(ValidationError):
        add_item(meeting, personas["agent"], "Trop tard", 10, accept=False)
    # The chef still adds points directly.
    add_item(meeting, personas["chef"], "Ajout du chef", 10, accept=True)


def test_agent_proposal_form_keeps_what_was_typed(as_role, meeting):
    response = as_role("agent").post(
        reverse("meetings:agenda", args=[meeting.pk]),
        {"title": "Mon point", "description": "Détails", "duration_minutes": 900},
    )
    body = response.content.decode()
    assert (
        response.status_code == 200
        and "entre 1 et 480 minutes" in body
        and "Mon point" in body
        and "Détails" in body
    )
    assert not meeting.items.filter(title="Mon point").exists()
    ok = as_role("agent").post(
        reverse("meetings:agenda", args=[meeting.pk]),
        {"title": "Mon point", "duration_minutes": 15},
    )
    assert ok.status_code == 302
    assert meeting.items.get(title="Mon point").status == AgendaItem.Status.PROPOSED


def test_accept_defer_merge(meeting, personas, ouest):
    later = make_meeting(ouest, personas["chef"], days=100)
    p1 = add_item(meeting, personas["agent"], "Propreté", 10, accept=False)
    p2 = add_item(meeting, personas["agent"], "Dépôts sauvages", 10, accept=False)
    p3 = add_item(meeting, personas["agent"], "Fête de quartier", 10, accept=False)
    services.item_accept(item=p1)
    services.item_merge(item=p2, into=p1)
    target = services.item_defer(item=p3)
    p1.refresh_from_db(), p2.refresh_from_db(), p3.refresh_from_db()
    assert p1.status == "accepted" and "Dépôts sauvages" in p1.description
    assert p2.status == "merged" and p2.merged_into == p1
    assert (
        target == later
        and p3.meeting == later
        and p3.deferred_from == meeting
        and p3.status == "proposed"
    )


def test_editing_a_published_agenda_creates_a_new_version(
    as_role, meeting, personas, django_capture_on_commit_callbacks, mailoutbox
):
    item = add_item(meeting, personas["agent"], "Propreté", 20)
    first, created = publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    assert created and first.version == 1
    client = as_role("chef")
    response = client.post(
        reverse("meetings:item_edit", args=[meeting.pk, item.pk]),
        {"title": "Propreté et encombrants", "description": "", "duration_minutes": 25},
        follow=True,
    )
    assert "publiez la version 2" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.agenda_changed and meeting.agenda_version == 1
    before = len(mailoutbox)
    second, created = publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    assert created and second.version == 2
    assert len(mailoutbox) - before == meeting.invitations.count()
    assert all("version 2" in m.subject for m in mailoutbox[before:])


def test_meeting_in_the_past_or_ending_before_it_starts(personas, ouest):
    start = timezone.now() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            kind=Meeting.Kind.EQUIPE,
            organiser=personas["chef"],
            quartier=ouest,
            place="MSP",
            start=start,
            end=start + datetime.timedelta(hours=1),
        )
    assert "passé" in exc.value.message_dict["start"][0]
    start = timezone.now() + datetime.timedelta(days=10)
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            kind=Meeting.Kind.EQUIPE,
            organiser=personas["chef"],
            quartier=ouest,
            place="MSP",
            start=start,
            end=start - datetime.timedelta(hours=1),
        )
    assert "après son début" in exc.value.message_dict["end"][0]


def test_create_form_end_before_start_keeps_input(as_role, ouest):
    day = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = as_role("chef").post(
        reverse("meetings:create"),
        {
            "kind": "equipe",
            "quartier": ouest.pk,
            "place": "Salle Verlaine",
            "date": day,
            "start_time": "14:00",
            "end_time": "10:00",
        },
    )
    body = response.content.decode()
    assert (
        response.status_code == 200
        and "L&#x27;heure de fin doit être après l&#x27;heure de début." in body
    )
    assert "Salle Verlaine" in body and not Meeting.objects.exists()


def test_open_actions_of_earlier_meetings_are_reviewed(personas, ouest, meeting):
    start = timezone.now() - datetime.timedelta(days=30)
    held = make_meeting(
        ouest,
        personas["chef"],
        start=start,
        end=start + datetime.timedelta(hours=2),
        allow_past=True,
    )
    open_action = services.action_create(
        meeting=held,
        title="Réparer le banc",
        owner=personas["agent"],
        due_date=timezone.localdate(),
    )
    done = services.action_create(
        meeting=held,
        title="Action terminée",
        owner=personas["agent"],
        due_date=timezone.localdate(),
    )
    services.action_set_status(action=done, status="done")
    review = selectors.agenda_schedule(meeting).review_actions
    assert [a.pk for a in review] == [open_action.pk]


def test_htmx_decisions_answer_the_builder_partial(as_role, meeting, personas):
    proposal = add_item(meeting, personas["agent"], "Jardins partagés", 10, accept=False)
    response = as_role("chef").post(
        reverse("meetings:item_decide", args=[meeting.pk, proposal.pk]),
        {"decision": "accept"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="builder">')
    assert "est retenu" in body and "<html" not in body
    proposal.refresh_from_db()
    assert proposal.status == "accepted"


def test_creating_a_meeting_over_another_warns(as_role, ouest, meeting):
    local = timezone.localtime(meeting.start)
    response = as_role("chef").post(
        reverse("meetings:create"),
        {
            "kind": "petit_dejeuner",
            "quartier": ouest.pk,
            "place": "MSP",
            "date": local.date().isoformat(),
            "start_time": "10:00",
            "end_time": "11:00",
        },
        follow=True,
    )
    assert "des invités ont déjà une réunion à ce moment" in response.content.decode()
