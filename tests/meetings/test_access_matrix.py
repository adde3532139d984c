"""Every role × every page of `meetings`: allowed pages answer 200, others 404 (never 403).

The meeting is an équipe of Ouest: the Ouest team (agent, chef) is invited, the élue reads its
quartier's calendar, the maire and the comité de direction read every quartier's; the
responsable de service (no team) and the agent of Sud (outsider) are not invited: they see nothing.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import services
from tests.meetings.factories import add_item, make_meeting, publish
from tests.teams.factories import ROLES

OK, HIDDEN = 200, 404
ALL = dict.fromkeys(ROLES, OK)
READERS = {
    "agent": OK,
    "chef": OK,
    "responsable": HIDDEN,
    "direction": OK,
    "elu": OK,
    "maire": OK,
    "outsider": HIDDEN,
    "admin": OK,
}
MANAGERS = {**dict.fromkeys(ROLES, HIDDEN), "chef": OK, "admin": OK}
INVITEES = {**MANAGERS, "agent": OK}

MATRIX = {
    "index": ALL,
    "my_agenda": ALL,
    "my_actions": ALL,
    "create": MANAGERS,
    "detail": READERS,
    "agenda": INVITEES,
    "edit": MANAGERS,
    "invitations": MANAGERS,
    "minutes": MANAGERS,
    "agenda_pdf": READERS,
    "agenda_status": READERS,
    "minutes_pdf": READERS,
    "quartier_calendar": READERS,
    "actions_board": READERS,
    "plan_year": MANAGERS,
}


@pytest.fixture
def world(personas, ouest, meeting, django_capture_on_commit_callbacks):
    add_item(meeting, personas["agent"], "Propreté", 20)
    agenda, _ = publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    start = timezone.now() - datetime.timedelta(days=3)
    held = make_meeting(
        ouest,
        personas["chef"],
        start=start,
        end=start + datetime.timedelta(hours=2),
        allow_past=True,
    )
    services.action_create(
        meeting=held,
        title="Nettoyer le square",
        owner=personas["agent"],
        due_date=timezone.localdate(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        minutes, _ = services.minutes_publish(meeting=held, requested_by=personas["chef"])
    return {"meeting": meeting, "agenda": agenda, "held": held, "minutes": minutes}


def url_for(page, world, ouest):
    m, held = world["meeting"], world["held"]
    return {
        "index": reverse("meetings:index"),
        "my_agenda": reverse("meetings:my_agenda"),
        "my_actions": reverse("meetings:my_actions"),
        "create": reverse("meetings:create"),
        "detail": reverse("meetings:detail", args=[m.pk]),
        "agenda": reverse("meetings:agenda", args=[m.pk]),
        "edit": reverse("meetings:edit", args=[m.pk]),
        "invitations": reverse("meetings:invitations", args=[m.pk]),
        "minutes": reverse("meetings:minutes", args=[held.pk]),
        "agenda_pdf": reverse(
            "meetings:document_download", args=[m.pk, "ordre-du-jour", world["agenda"].pk]
        ),
        "agenda_status": reverse(
            "meetings:document_status", args=[m.pk, "ordre-du-jour", world["agenda"].pk]
        ),
        "minutes_pdf": reverse(
            "meetings:document_download", args=[held.pk, "compte-rendu", world["minutes"].pk]
        ),
        "quartier_calendar": reverse("meetings:quartier_calendar", args=[ouest.slug]),
        "actions_board": reverse("meetings:actions_board", args=[ouest.slug]),
        "plan_year": reverse("meetings:plan_year", args=[ouest.slug]),
    }[page]


@pytest.mark.parametrize("role", ROLES)
def test_matrix(role, as_role, world, ouest):
    client = as_role(role)
    for page in sorted(MATRIX):
        response = client.get(url_for(page, world, ouest))
        assert response.status_code == MATRIX[page][role], f"{role} on {page}"


def test_anonymous_is_sent_to_login(client, world, ouest):
    for page in sorted(MATRIX):
        response = client.get(url_for(page, world, ouest))
        assert response.status_code == 302, page


def test_outsider_sees_nothing_of_ouest_in_lists(as_role, world, personas):
    client = as_role("outsider")
    for name in ("meetings:index", "meetings:my_agenda", "meetings:my_actions"):
        body = client.get(reverse(name)).content.decode()
        assert "Ouest" not in body, name
    assert world["meeting"].display_title not in client.get(reverse("home")).content.decode()


def test_draft_minutes_are_for_who_manages(
    as_role, personas, ouest, django_capture_on_commit_callbacks
):
    start = timezone.now() - datetime.timedelta(days=3)
    held = make_meeting(
        ouest,
        personas["chef"],
        start=start,
        end=start + datetime.timedelta(hours=1),
        allow_past=True,
    )
    services.minutes_update(meeting=held, summary="Brouillon confidentiel du chef", items={})
    for role in ("agent", "elu", "maire"):
        assert (
            "Brouillon confidentiel"
            not in as_role(role).get(reverse("meetings:detail", args=[held.pk])).content.decode()
        )
    assert (
        "Brouillon confidentiel"
        in as_role("chef").get(reverse("meetings:detail", args=[held.pk])).content.decode()
    )


def test_proposals_of_others_are_hidden_from_an_agent(as_role, personas, meeting):
    add_item(meeting, personas["chef"], "Proposition du chef non retenue", 10, accept=False)
    body = as_role("agent").get(reverse("meetings:agenda", args=[meeting.pk])).content.decode()
    assert "Proposition du chef non retenue" not in body


@pytest.mark.parametrize("role", ["agent", "elu", "maire", "direction", "outsider", "responsable"])
def test_writes_are_refused_to_non_managers(role, as_role, world):
    m = world["meeting"]
    client = as_role(role)
    for name in ("meetings:agenda_publish", "meetings:cancel", "meetings:minutes_publish"):
        assert client.post(reverse(name, args=[m.pk])).status_code == 404, name
    m.refresh_from_db()
    assert m.status != "cancelled"


def test_only_the_owner_or_chef_updates_an_action(as_role, world, personas):
    action = world["held"].actions.get()
    url = reverse("meetings:action_status", args=[action.pk])
    assert (
        as_role("elu").post(url, {"status": "done"}).status_code == 404
    )  # reads it, may not write
    assert as_role("outsider").post(url, {"status": "done"}).status_code == 404
    action.refresh_from_db()
    assert action.status == "todo"
    assert as_role("agent").post(url, {"status": "in_progress"}).status_code == 302
    action.refresh_from_db()
    assert action.status == "in_progress"


def test_elu_sees_the_agenda_only_once_published(
    as_role, personas, meeting, django_capture_on_commit_callbacks
):
    add_item(meeting, personas["agent"], "Point encore en préparation", 10)
    url = reverse("meetings:detail", args=[meeting.pk])
    assert "Point encore en préparation" not in as_role("elu").get(url).content.decode()
    assert "Point encore en préparation" in as_role("agent").get(url).content.decode()
    publish(meeting, personas["chef"], django_capture_on_commit_callbacks)
    assert "Point encore en préparation" in as_role("elu").get(url).content.decode()
