"""The dashboard and quartier panels: the right entry points per role, counts without details."""

from django.urls import reverse

from tests.observations.factories import SECRET_TITLE


def test_home_panel_per_role(as_role, world):
    agent = as_role("agent").get(reverse("home")).content.decode()
    assert "Signaler une observation" in agent and world["pub_ouest"].title in agent  # its own
    chef = as_role("chef").get(reverse("home")).content.decode()
    assert "observations à trier" in chef or "observation à trier" in chef
    responsable = as_role("responsable").get(reverse("home")).content.decode()
    assert (
        "transmises à mon service" in responsable and "Signaler une observation" not in responsable
    )
    direction = as_role("direction").get(reverse("home")).content.decode()
    assert "remontées en attente de réponse" in direction
    elu = as_role("elu").get(reverse("home")).content.decode()
    assert "Phénomènes émergents de mes quartiers" in elu and "Signaler une observation" not in elu


def test_quartier_panel_counts_include_confidential_as_numbers(as_role, world):
    body = as_role("agent").get(reverse("teams:quartier_detail", args=["ouest"])).content.decode()
    assert "Observations du quartier par état" in body
    assert world["pub_ouest"].title in body
    assert SECRET_TITLE not in body
    # Two observations of Ouest are "transmise", the confidential one included.
    counts = body[body.find("obs-counts") :]
    assert '<td class="text-end">2</td>' in counts
