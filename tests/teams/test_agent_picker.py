"""Agent choosers in an administration of many agents: search boxes, not every agent listed.

The threshold is lowered for the tests (`many_agents`): the same rendering happens beyond 300
agents in production.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import WorkingGroup
from teams import pickers as agent_fields
from teams.models import Agent, Membership
from tests.meetings.factories import make_meeting
from tests.teams.factories import make_agent


@pytest.fixture
def many_agents(personas, services, monkeypatch):
    monkeypatch.setattr(agent_fields, "AGENT_SELECT_LIMIT", 5)
    Agent.objects.bulk_create(
        Agent(email=f"agent{i:02d}@test.example", first_name="Lou", last_name=f"Martin{i:02d}")
        for i in range(20)
    )
    return make_agent(
        "nadia.colin@test.example", service=services["ccas"], first_name="Nadia", last_name="Colin"
    )


def test_a_few_agents_stay_a_select(as_role, ouest):
    page = as_role("chef").get(reverse("teams:team_manage", args=[ouest.slug])).content.decode()
    assert '<select name="agent"' in page


def test_team_manage_offers_a_search_box_and_adds_the_agent_typed(as_role, ouest, many_agents):
    client = as_role("chef")
    page = client.get(reverse("teams:team_manage", args=[ouest.slug])).content.decode()
    assert 'list="id_agent-suggestions"' in page and "Martin19" not in page
    response = client.post(
        reverse("teams:team_manage", args=[ouest.slug]),
        {
            "agent": "Nadia Colin <NADIA.colin@test.example>",
            "role": "membre",
            "start_date": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert Membership.objects.filter(agent=many_agents, quartier=ouest).exists()


def test_an_unknown_agent_is_refused_in_french_and_kept(as_role, ouest, many_agents):
    response = as_role("chef").post(
        reverse("teams:team_manage", args=[ouest.slug]),
        {"agent": "Personne Inconnue", "role": "membre", "start_date": "2026-01-05"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Agent introuvable" in body and 'value="Personne Inconnue"' in body


def test_suggestions_for_a_chef_cover_every_service(as_role, many_agents):
    response = as_role("chef").get(
        reverse("teams:agent_suggestions"), {"champ": "agent", "agent": "colin"}
    )
    assert "Nadia Colin &lt;nadia.colin@test.example&gt;" in response.content.decode()
    many = as_role("chef").get(reverse("teams:agent_suggestions"), {"agent": "martin"})
    assert many.content.decode().count("<option") == agent_fields.SUGGESTION_LIMIT


def test_suggestions_for_an_agent_stay_among_the_agents_it_reads(as_role, many_agents):
    response = as_role("agent").get(reverse("teams:agent_suggestions"), {"agent": "colin"})
    assert response.content.decode().strip() == ""


def test_the_add_button_returns_a_ticked_box(as_role, many_agents):
    client = as_role("chef")
    box = client.get(
        reverse("teams:choice_box", args=["agent"]),
        {
            "champ": "agents",
            "id": "id_agents",
            "agents_ajout": "Nadia Colin <nadia.colin@test.example>",
        },
    ).content.decode()
    assert f'value="{many_agents.pk}"' in box and "checked" in box
    unknown = client.get(
        reverse("teams:choice_box", args=["agent"]), {"champ": "agents", "agents_ajout": "Zzz"}
    )
    assert "Introuvable : « Zzz »" in unknown.content.decode()


def test_invitations_offer_the_team_and_take_a_typed_agent(as_role, personas, ouest, many_agents):
    meeting = make_meeting(ouest, personas["chef"])
    meeting.invitations.filter(agent=personas["agent"]).delete()
    client = as_role("chef")
    url = reverse("meetings:invitations", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert 'name="agents_ajout"' in page and "Martin19" not in page
    assert f'value="{personas["agent"].pk}"' in page  # the quartier's team is offered
    response = client.post(
        url,
        {"agents": [personas["agent"].pk], "agents_ajout": "nadia.colin@test.example"},
    )
    assert response.status_code == 302
    assert set(meeting.invitations.values_list("agent__email", flat=True)) >= {
        personas["agent"].email,
        "nadia.colin@test.example",
    }


def test_invitations_refuse_an_unknown_typed_agent_and_invite_nobody(
    as_role, personas, ouest, many_agents
):
    meeting = make_meeting(ouest, personas["chef"])
    before = meeting.invitations.count()
    response = as_role("chef").post(
        reverse("meetings:invitations", args=[meeting.pk]), {"agents_ajout": "Personne"}
    )
    assert response.status_code == 200
    assert "Agent introuvable" in response.content.decode()
    assert meeting.invitations.count() == before


def test_working_group_form_keeps_its_members_ticked(as_role, personas, ouest, many_agents):
    group = WorkingGroup.objects.create(name="Jeunesse et sport")
    group.quartiers.add(ouest)
    group.members.add(personas["agent"])
    page = as_role("chef").get(reverse("meetings:working_group_edit", args=[group.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert f'value="{personas["agent"].pk}" id="id_members-{personas["agent"].pk}" checked' in body
    assert "Martin19" not in body and 'name="members_ajout"' in body


@pytest.fixture
def many_quartiers_and_externals(personas, monkeypatch):
    from teams import fields
    from teams.models import ExternalParticipant, Quartier

    monkeypatch.setattr(fields, "SELECT_LIMIT", 5)
    monkeypatch.setattr(agent_fields, "AGENT_SELECT_LIMIT", 5)
    Quartier.objects.bulk_create(
        Quartier(name=f"Quartier {i:02d}", slug=f"q{i:02d}") for i in range(10)
    )
    ExternalParticipant.objects.bulk_create(
        ExternalParticipant(
            first_name="Eva", last_name=f"Durand{i:02d}", email=f"e{i}@asso.example"
        )
        for i in range(10)
    )


def test_working_group_spans_a_quartier_found_by_name(
    as_role, personas, ouest, many_quartiers_and_externals
):
    from teams.models import Quartier

    client = as_role("chef")
    page = client.get(reverse("meetings:working_group_create")).content.decode()
    assert 'name="quartiers_ajout"' in page and 'name="external_members_ajout"' in page
    assert f'value="{ouest.pk}" id="id_quartiers-{ouest.pk}"' in page  # the chef's own
    assert "Quartier 09" not in page and "Durand09" not in page
    response = client.post(
        reverse("meetings:working_group_create"),
        {
            "name": "Berges de la Scarpe",
            "quartiers": [ouest.pk],
            "quartiers_ajout": "quartier 07",
            "external_members_ajout": "Eva Durand03 <e3@asso.example>",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    group = WorkingGroup.objects.get(name="Berges de la Scarpe")
    assert set(group.quartiers.all()) == {ouest, Quartier.objects.get(name="Quartier 07")}
    assert [e.email for e in group.external_members.all()] == ["e3@asso.example"]


def test_a_chef_finds_any_quartier_for_a_working_group(as_role, many_quartiers_and_externals):
    client = as_role("chef")
    everywhere = client.get(
        reverse("teams:quartier_suggestions"), {"champ": "q", "q": "quartier 0", "tous": "1"}
    )
    assert everywhere.content.decode().count("<option") == 10
    own_only = client.get(reverse("teams:quartier_suggestions"), {"champ": "q", "q": "quartier 0"})
    assert own_only.content.decode().strip() == ""
    box = client.get(
        reverse("teams:choice_box", args=["quartier"]),
        {"champ": "quartiers", "quartiers_ajout": "Quartier 03"},
    ).content.decode()
    assert 'name="quartiers"' in box and "checked" in box
    assert as_role("agent").get(reverse("teams:choice_box", args=["autre"])).status_code == 404
