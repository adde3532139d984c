"""Groupes de travail: the chef de projet lists, creates and edits them (members, quartiers)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from meetings import permissions, selectors, services
from meetings.models import Meeting, WorkingGroup
from teams.models import ExternalParticipant
from tests.meetings.factories import next_working_day
from tests.teams.factories import ROLES, make_agent

OK, HIDDEN = 200, 404


@pytest.fixture
def groups(personas, ouest, sud, external):
    """One group spanning Ouest and Sud (the agent is a member), one of Sud only."""
    allophones = services.working_group_save(
        name="Accueil des familles allophones",
        description="Coordonner l'accueil des familles arrivées récemment.",
        quartiers=[ouest, sud],
        members=[personas["agent"]],
        external_members=[external],
    )
    sud_only = services.working_group_save(name="Jardins partagés du Sud", quartiers=[sud])
    return {"ouest": allophones, "sud": sud_only}


# Access: every role -----------------------------------------------------------------------------

SEES = {  # which groups appear in the list of each role
    "agent": {"ouest"},  # a member
    "chef": {"ouest"},  # spans its quartier
    "responsable": set(),
    "direction": {"ouest", "sud"},
    "elu": {"ouest"},
    "maire": {"ouest", "sud"},
    "outsider": set(),  # an agent of Sud, member of neither
    "admin": {"ouest", "sud"},
}
CREATES = {**dict.fromkeys(ROLES, HIDDEN), "chef": OK, "admin": OK}
EDITS_OUEST = CREATES
EDITS_SUD = {**dict.fromkeys(ROLES, HIDDEN), "admin": OK}


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(role, as_role, groups):
    client = as_role(role)
    page = client.get(reverse("meetings:working_groups"))
    assert page.status_code == OK
    listed = {key for key, group in groups.items() if group.name in page.content.decode()}
    assert listed == SEES[role]
    assert client.get(reverse("meetings:working_group_create")).status_code == CREATES[role]
    for key, expected in (("ouest", EDITS_OUEST), ("sud", EDITS_SUD)):
        url = reverse("meetings:working_group_edit", args=[groups[key].pk])
        assert client.get(url).status_code == expected[role], key
        # A refused edit changes nothing (and answers 404, never 403).
        answer = client.post(
            url, {"name": "Pris", "quartiers": [q.pk for q in groups[key].quartiers.all()]}
        )
        assert answer.status_code == (302 if expected[role] == OK else HIDDEN)
        assert WorkingGroup.objects.filter(name="Pris").exists() == (expected[role] == OK)
        WorkingGroup.objects.filter(name="Pris").update(name=groups[key].name)


@pytest.mark.parametrize("role", ROLES)
def test_manage_link_only_for_who_may_edit(role, as_role, groups):
    html = as_role(role).get(reverse("meetings:working_groups")).content.decode()
    edit = reverse("meetings:working_group_edit", args=[groups["ouest"].pk])
    assert (edit in html) == (EDITS_OUEST[role] == OK)
    assert ("Nouveau groupe de travail" in html) == (CREATES[role] == OK)


# Creating and editing ---------------------------------------------------------------------------


def test_the_chef_creates_a_group_spanning_quartiers_with_agents_and_partners(
    as_role, personas, ouest, sud, external
):
    colleague = make_agent("educ@test.example", job_title="Éducatrice")
    response = as_role("chef").post(
        reverse("meetings:working_group_create"),
        {
            "name": "Tranquillité des abords du collège",
            "description": "Sorties de classe, stationnement, médiation.",
            "quartiers": [ouest.pk, sud.pk],
            "members": [personas["agent"].pk, colleague.pk],
            "external_members": [external.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "meetings:working_groups"
    )
    group = WorkingGroup.objects.get(name="Tranquillité des abords du collège")
    assert set(group.quartiers.all()) == {ouest, sud}
    assert set(group.members.all()) == {personas["agent"], colleague}
    assert list(group.external_members.all()) == [external]
    # Its meetings invite its members.
    agents, externals = selectors.default_invitees(
        kind=Meeting.Kind.GROUPE, quartier=None, working_group=group
    )
    assert set(agents) == {personas["agent"], colleague} and externals == [external]


def test_a_chef_cannot_create_a_group_out_of_its_quartiers_and_keeps_what_it_typed(as_role, sud):
    response = as_role("chef").post(
        reverse("meetings:working_group_create"),
        {"name": "Groupe du Sud", "description": "Mon texte", "quartiers": [sud.pk]},
    )
    assert response.status_code == 200 and not WorkingGroup.objects.exists()
    html = response.content.decode()
    assert "au moins un des quartiers dont vous êtes chef de projet" in html
    assert "Groupe du Sud" in html and "Mon texte" in html


def test_a_group_needs_a_quartier_and_a_name_of_its_own(as_role, groups, ouest):
    client = as_role("chef")
    url = reverse("meetings:working_group_create")
    empty = client.post(url, {"name": "Sans quartier"})
    assert empty.status_code == 200 and "Ce champ est obligatoire" in empty.content.decode()
    taken = client.post(url, {"name": "ACCUEIL des familles allophones", "quartiers": [ouest.pk]})
    assert taken.status_code == 200 and "porte déjà ce nom" in taken.content.decode()
    assert WorkingGroup.objects.count() == 2


def test_the_chef_edits_members_and_quartiers(as_role, personas, groups, ouest, external):
    group = groups["ouest"]
    response = as_role("chef").post(
        reverse("meetings:working_group_edit", args=[group.pk]),
        {
            "name": group.name,
            "description": group.description,
            "quartiers": [ouest.pk],
            "members": [personas["chef"].pk],
            "external_members": [],
        },
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert list(group.quartiers.all()) == [ouest]
    assert list(group.members.all()) == [personas["chef"]]
    assert not group.external_members.exists() and group.is_active is False


def test_a_chef_cannot_move_its_group_out_of_reach(as_role, groups, sud):
    group = groups["ouest"]
    response = as_role("chef").post(
        reverse("meetings:working_group_edit", args=[group.pk]),
        {"name": group.name, "quartiers": [sud.pk], "is_active": "on"},
    )
    assert response.status_code == 200
    assert "au moins un des quartiers dont vous êtes chef de projet" in response.content.decode()
    assert len(permissions.working_group_quartier_ids(group)) == 2


def test_the_planning_link_preselects_the_group(as_role, groups):
    group = groups["ouest"]
    page = as_role("chef").get(reverse("meetings:create") + f"?type=groupe&groupe={group.pk}")
    assert page.context["form"].initial["working_group"] == group


# Query counts -----------------------------------------------------------------------------------


def _many_groups(ouest, sud, n: int):
    for i in range(n):
        agents = [make_agent(f"membre{i}-{j}@test.example") for j in range(3)]
        partner = ExternalParticipant.objects.create(
            first_name=f"P{i}", last_name="Partenaire", email=f"p{i}@asso.example"
        )
        services.working_group_save(
            name=f"Groupe {i}",
            quartiers=[ouest, sud],
            members=agents,
            external_members=[partner],
        )


@pytest.mark.parametrize("n", [1, 5])
def test_list_queries_do_not_grow(n, as_role, ouest, sud, django_assert_num_queries):
    _many_groups(ouest, sud, n)
    client = as_role("chef")
    client.get(reverse("meetings:working_groups"))  # warm the session
    with django_assert_num_queries(9):
        page = client.get(reverse("meetings:working_groups"))
    assert page.content.decode().count("Groupe ") >= n


@pytest.mark.parametrize("n", [1, 5])
def test_edit_page_queries_do_not_grow(n, as_role, ouest, sud, django_assert_num_queries):
    _many_groups(ouest, sud, n)
    group = WorkingGroup.objects.get(name="Groupe 0")
    client = as_role("chef")
    url = reverse("meetings:working_group_edit", args=[group.pk])
    client.get(url)
    with django_assert_num_queries(14):
        assert client.get(url).status_code == 200


# Convening a group ------------------------------------------------------------------------------

CONVENES = {  # which groups each role may convene: only a group's managers
    **dict.fromkeys(ROLES, set()),
    "chef": {"ouest"},
    "admin": {"ouest", "sud"},
}


def _convene(client, group):
    return client.post(
        reverse("meetings:create"),
        {
            "kind": Meeting.Kind.GROUPE,
            "working_group": group.pk,
            "place": "Salle du conseil",
            "date": (timezone.localdate() + datetime.timedelta(days=21)).isoformat(),
            "start_time": "14:00",
            "end_time": "16:00",
        },
    )


@pytest.mark.parametrize("role", ROLES)
def test_only_a_groups_managers_convene_it(role, as_role, groups):
    client = as_role(role)
    for key, group in groups.items():
        response = _convene(client, group)
        convened = Meeting.objects.filter(working_group=group).exists()
        assert convened == (key in CONVENES[role]), key
        if role in ("chef", "admin") and not convened:
            assert response.status_code == 200
            assert "Choisissez un groupe de travail que vous gérez" in response.content.decode()


@pytest.mark.parametrize("role", ["chef", "admin"])
def test_the_form_offers_only_the_groups_one_manages(role, as_role, groups):
    form = as_role(role).get(reverse("meetings:create")).context["form"]
    offered = set(form.fields["working_group"].queryset)
    assert offered == {groups[key] for key in CONVENES[role]}


def test_the_service_refuses_a_group_the_organiser_does_not_manage(personas, groups):
    with pytest.raises(ValidationError) as refused:
        services.meeting_create(
            kind=Meeting.Kind.GROUPE,
            organiser=personas["chef"],
            working_group=groups["sud"],
            place="Salle",
            start=next_working_day(21),
            end=next_working_day(21) + datetime.timedelta(hours=2),
        )
    assert "ne gérez pas" in refused.value.message_dict["working_group"][0]
    assert not Meeting.objects.exists()


def test_a_chef_cannot_preselect_a_group_it_does_not_manage(as_role, groups, personas, sud):
    sud_group = groups["sud"]
    sud_group.members.add(personas["chef"])  # a member, not a manager
    page = as_role("chef").get(reverse("meetings:create") + f"?type=groupe&groupe={sud_group.pk}")
    assert page.context["form"].initial.get("working_group") is None
