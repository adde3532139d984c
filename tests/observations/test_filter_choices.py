"""The filter bar's categories and services come from the shared cache, and a change of either
shows on the next page: added, renamed, removed (foundation.forms.cached_choices)."""

import re

from django.urls import reverse

from observations.models import Category
from teams.models import Service


def options(response, name: str) -> list[str]:
    html = response.content.decode()
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


def test_the_options_follow_the_categories_and_services(as_role, services):
    client = as_role("agent")
    url = reverse("observations:index")
    first = client.get(url)
    assert "Espaces verts et nature en ville" not in options(first, "category")
    assert "Services techniques" in options(first, "service")

    category = Category.objects.create(name="Espaces verts et nature en ville", slug="verts")
    assert "Espaces verts et nature en ville" in options(client.get(url), "category")
    services["technique"].name = "Direction des services techniques"
    services["technique"].save()
    second = client.get(url)
    assert "Direction des services techniques" in options(second, "service")
    assert "Services techniques" not in options(second, "service")

    passing = Service.objects.create(name="Mission temporaire", slug="mission")
    assert "Mission temporaire" in options(client.get(url), "service")
    category.delete()
    assert "Espaces verts et nature en ville" not in options(client.get(url), "category")
    passing.delete()
    assert "Mission temporaire" not in options(client.get(url), "service")


def test_a_choice_chosen_from_the_cache_is_kept_selected(as_role):
    client = as_role("agent")
    url = reverse("observations:index")
    client.get(url)
    category = Category.objects.order_by("position", "name").first()
    response = client.get(url, {"category": category.pk})
    assert re.search(rf'<option value="{category.pk}" selected>', response.content.decode())


def test_a_category_removed_since_the_page_was_cached_filters_nothing(as_role, personas, ouest):
    from tests.observations.factories import make_observation

    make_observation(ouest, personas["agent"], title="Banc cassé")
    client = as_role("agent")
    url = reverse("observations:index")
    client.get(url)
    category = Category.objects.create(name="Éphémère", slug="ephemere")
    client.get(url)
    pk = category.pk
    category.delete()
    response = client.get(url, {"category": pk})
    assert response.status_code == 200
    assert "Éphémère" not in options(response, "category")
    assert "Banc cassé" in response.content.decode()


def selected(response, name: str) -> list[str]:
    html = response.content.decode()
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    return re.findall(r"<option[^>]*selected[^>]*>([^<]*)</option>", select.group(1))


def test_each_person_is_offered_their_own_quartiers_from_the_cached_bar(
    as_role, personas, ouest, sud
):
    url = reverse("observations:index")
    assert options(as_role("agent").get(url), "quartier") == ["Tous", ouest.name]
    assert options(as_role("outsider").get(url), "quartier") == ["Tous", sud.name]
    assert options(as_role("agent").get(url), "quartier") == ["Tous", ouest.name]


def test_the_bar_shows_the_filters_asked_and_follows_teams_and_names(as_role, personas, ouest, sud):
    from teams.models import Membership
    from tests.teams.factories import join

    client = as_role("agent")
    url = reverse("observations:index")
    assert selected(client.get(url, {"status": "traitee"}), "status") == ["traitée"]
    assert selected(client.get(url), "status") == ["Tous"]
    assert selected(client.get(url, {"status": "traitee", "apres": "9"}), "status") == ["traitée"]

    join(personas["agent"], sud, Membership.Role.MEMBRE)
    client = as_role("agent")
    assert options(client.get(url), "quartier") == ["Tous", ouest.name, sud.name]
    sud.name = "Arras-Sud (Baudimont)"
    sud.save()
    assert "Arras-Sud (Baudimont)" in options(client.get(url), "quartier")
