"""Observation pages read by those who see every quartier, in a city of many quartiers: the
quartier filters are search boxes, not selects of every quartier, and they filter by name."""

import pytest
from django.urls import reverse

from observations.models import Escalation
from teams.fields import SELECT_LIMIT, TAB_LIMIT
from teams.models import Quartier
from tests.observations.factories import make_observation


@pytest.fixture
def many_quartiers(personas):
    Quartier.objects.bulk_create(
        Quartier(name=f"Quartier {i:03d}", slug=f"q{i:03d}") for i in range(SELECT_LIMIT + 5)
    )


@pytest.fixture
def escalated(personas, ouest, sud):
    found = {}
    for quartier, author in ((ouest, personas["agent"]), (sud, personas["outsider"])):
        observation = make_observation(quartier, author, title=f"Remontée {quartier.name}")
        Escalation.objects.create(observation=observation, escalated_by=author, reason="r")
        found[quartier.slug] = observation
    return found


def test_escalations_filter_is_a_search_box_and_filters_by_name(as_role, many_quartiers, escalated):
    client = as_role("direction")
    page = client.get(reverse("observations:escalations")).content.decode()
    assert 'list="id_quartier-suggestions"' in page and "Quartier 044" not in page
    response = client.get(reverse("observations:escalations"), {"quartier": "sud"})
    assert [e.observation for e in response.context["page"]] == [escalated["sud"]]
    by_name = client.get(reverse("observations:escalations"), {"quartier": "Ouest"})
    assert [e.observation for e in by_name.context["page"]] == [escalated["ouest"]]


def test_escalations_unknown_quartier_keeps_the_page_and_says_so(
    as_role, many_quartiers, escalated
):
    Escalation.objects.filter(observation=escalated["sud"]).update(
        answer="vu", answered_at=escalated["sud"].created_at
    )
    response = as_role("direction").get(
        reverse("observations:escalations"), {"quartier": "Nulle part", "repondues": "non"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Quartier inconnu" in body and 'value="Nulle part"' in body
    # The wrong quartier is left aside; the other filter still applies.
    assert [e.observation for e in response.context["page"]] == [escalated["ouest"]]


def test_escalations_filter_of_a_member_stays_a_select_of_its_teams(as_role, many_quartiers):
    page = as_role("chef").get(reverse("observations:escalations")).content.decode()
    assert "<select" in page and ">Ouest</option>" in page and "Quartier 000" not in page


def test_observation_list_of_a_responsable_filters_by_quartier_name(
    as_role, many_quartiers, escalated, services
):
    for observation in escalated.values():
        observation.service = services["technique"]
        observation.save()
    client = as_role("responsable")
    page = client.get(reverse("observations:index")).content.decode()
    assert 'list="id_quartier-suggestions"' in page and "Quartier 044" not in page
    response = client.get(reverse("observations:index"), {"quartier": "Sud"})
    assert [o.title for o in response.context["page"].rows] == ["Remontée Sud"]


def test_emerging_page_offers_a_search_box_beyond_a_few_tabs(as_role, many_quartiers, sud):
    client = as_role("direction")
    page = client.get(reverse("observations:emerging"))
    assert page.context["switch"].tabs is None
    assert 'list="id_quartier-suggestions"' in page.content.decode()
    chosen = client.get(reverse("observations:emerging"), {"quartier": "Sud"})
    assert chosen.context["quartier"] == sud
    typo = client.get(reverse("observations:emerging"), {"quartier": "Sudd"})
    assert typo.status_code == 200 and "Quartier inconnu" in typo.content.decode()


def test_emerging_page_shows_tabs_for_a_few_quartiers(as_role, ouest, sud):
    Quartier.objects.bulk_create(
        Quartier(name=f"Quartier {i}", slug=f"q{i}") for i in range(TAB_LIMIT - 2)
    )
    page = as_role("direction").get(reverse("observations:emerging"))
    assert len(page.context["switch"].tabs) == TAB_LIMIT
    assert 'aria-current="page"' in page.content.decode()


def test_emerging_page_of_a_quartier_out_of_reach_is_a_404(as_role, ouest, sud):
    assert (
        as_role("agent").get(reverse("observations:emerging"), {"quartier": "sud"}).status_code
        == 404
    )
