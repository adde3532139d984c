"""Every role × every page of `teams`: allowed pages answer 200, others 404 (never 403)."""

import pytest
from django.urls import reverse

from tests.teams.factories import ROLES

OK, HIDDEN = 200, 404

# page -> {role: expected status}
MATRIX = {
    "home": dict.fromkeys(ROLES, OK),
    "quartier_list": dict.fromkeys(ROLES, OK),
    "ouest_home": {
        "agent": OK,
        "chef": OK,
        "responsable": HIDDEN,
        "direction": OK,
        "elu": OK,
        "maire": OK,
        "outsider": HIDDEN,
        "admin": OK,
    },
    "ouest_team_manage": {
        "agent": HIDDEN,
        "chef": OK,
        "responsable": HIDDEN,
        "direction": HIDDEN,
        "elu": HIDDEN,
        "maire": HIDDEN,
        "outsider": HIDDEN,
        "admin": OK,
    },
    "ouest_agent_profile": {
        "agent": OK,
        "chef": OK,
        "responsable": HIDDEN,
        "direction": OK,
        "elu": OK,
        "maire": OK,
        "outsider": HIDDEN,
        "admin": OK,
    },
    "annuaire": dict.fromkeys(ROLES, OK),
    "service_list": dict.fromkeys(ROLES, OK),
    "service_detail": dict.fromkeys(ROLES, OK),
    "welcome": dict.fromkeys(ROLES, OK),
    "profile_edit": dict.fromkeys(ROLES, OK),
}


def url_for(page: str, personas, ouest) -> str:
    return {
        "home": reverse("home"),
        "quartier_list": reverse("teams:quartier_list"),
        "ouest_home": reverse("teams:quartier_detail", args=[ouest.slug]),
        "ouest_team_manage": reverse("teams:team_manage", args=[ouest.slug]),
        # The agent of Ouest (jeunesse): only people sharing a team or a service see the profile.
        "ouest_agent_profile": reverse("teams:agent_detail", args=[personas["agent"].pk]),
        "annuaire": reverse("teams:annuaire"),
        "service_list": reverse("teams:service_list"),
        "service_detail": reverse("teams:service_detail", args=["ccas"]),
        "welcome": reverse("teams:welcome"),
        "profile_edit": reverse("teams:profile_edit"),
    }[page]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(MATRIX))
def test_matrix(page, role, as_role, personas, ouest):
    client = as_role(role)
    response = client.get(url_for(page, personas, ouest))
    assert response.status_code == MATRIX[page][role], f"{role} on {page}"


@pytest.mark.parametrize("page", sorted(MATRIX))
def test_anonymous_is_sent_to_login(page, client, personas, ouest):
    response = client.get(url_for(page, personas, ouest))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_sud_agent_does_not_see_ouest_in_annuaire(as_role, personas):
    response = as_role("outsider").get(reverse("teams:annuaire"))
    names = {agent.pk for agent in response.context["page"]}
    assert personas["agent"].pk not in names
    assert personas["outsider"].pk in names


def test_outsider_cannot_filter_annuaire_by_a_quartier_out_of_reach(as_role, personas, ouest):
    response = as_role("outsider").get(reverse("teams:annuaire"), {"quartier": ouest.slug})
    assert response.context["quartier"] is None
    assert personas["agent"].pk not in {agent.pk for agent in response.context["page"]}
