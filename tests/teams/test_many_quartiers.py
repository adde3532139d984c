"""Those who read every quartier (comité, maire) in a city of many quartiers: bounded pages."""

import pytest
from django.urls import reverse

from teams.models import Quartier


@pytest.fixture
def many_quartiers(personas):
    Quartier.objects.bulk_create(
        Quartier(name=f"Quartier {i:03d}", slug=f"q{i:03d}") for i in range(45)
    )


def test_quartier_list_is_paginated_and_searchable(as_role, many_quartiers):
    client = as_role("direction")
    first = client.get(reverse("teams:quartier_list"))
    assert first.context["page"].paginator.count == 47  # Ouest, Sud and the 45
    assert len(first.context["rows"]) == 30
    found = client.get(reverse("teams:quartier_list"), {"q": "quartier 04"})
    assert [q.name for q, _chefs in found.context["rows"]] == [
        f"Quartier {i:03d}" for i in range(40, 45)
    ]


def test_a_member_lists_only_its_quartiers(as_role, many_quartiers):
    response = as_role("agent").get(reverse("teams:quartier_list"))
    assert [q.slug for q, _chefs in response.context["rows"]] == ["ouest"]


def test_dashboard_shows_a_few_other_quartiers_and_a_link(as_role, many_quartiers):
    response = as_role("maire").get(reverse("home"))
    assert len(response.context["other_quartiers"]) == 12
    assert response.context["more_quartiers"] is True
    assert reverse("teams:quartier_list") in response.content.decode()


def test_annuaire_filter_offers_own_teams_and_the_one_asked_for(as_role, many_quartiers, sud):
    client = as_role("direction")
    assert client.get(reverse("teams:annuaire")).context["quartiers"] == []
    response = client.get(reverse("teams:annuaire"), {"quartier": sud.slug})
    assert response.context["quartier"] == sud
    assert response.context["quartiers"] == [sud]
