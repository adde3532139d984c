"""The quartier chooser: a select for a few quartiers, a search box with suggestions for many."""

import pytest
from django.urls import reverse

from teams.fields import SELECT_LIMIT, SUGGESTION_LIMIT, QuartierField
from teams.models import Quartier


@pytest.fixture
def many_quartiers(personas):
    Quartier.objects.bulk_create(
        Quartier(name=f"Quartier {i:03d}", slug=f"q{i:03d}") for i in range(SELECT_LIMIT + 5)
    )
    Quartier.objects.create(name="Saint-Sauveur", slug="saint-sauveur")


def test_a_few_quartiers_render_as_a_select(ouest, sud):
    field = QuartierField(queryset=Quartier.objects.order_by("name"), required=False)
    html = field.widget.render("quartier", ouest.pk, {"id": "id_quartier"})
    assert html.startswith("<select")
    assert f'<option value="{ouest.pk}" selected>Ouest</option>' in html
    assert f'<option value="{sud.pk}">Sud</option>' in html


def test_many_quartiers_render_as_a_search_box_without_every_option(ouest, many_quartiers):
    field = QuartierField(queryset=Quartier.objects.order_by("name"), required=False)
    html = field.widget.render("quartier", ouest.pk, {"id": "id_quartier"})
    assert "<select" not in html and "<option" not in html
    assert 'type="search"' in html and 'value="Ouest"' in html
    assert 'list="id_quartier-suggestions"' in html
    assert reverse("teams:quartier_suggestions") in html


@pytest.mark.parametrize("typed", ["ouest", "Ouest", "  OUEST ", "pk"])
def test_the_field_takes_a_slug_a_name_or_an_id(ouest, sud, typed):
    field = QuartierField(queryset=Quartier.objects.all())
    assert field.clean(str(ouest.pk) if typed == "pk" else typed) == ouest


def test_the_field_refuses_a_quartier_outside_its_queryset_in_french(ouest, sud):
    field = QuartierField(queryset=Quartier.objects.filter(pk=ouest.pk))
    with pytest.raises(Exception) as refused:
        field.clean("Sud")
    assert "hors de votre périmètre" in str(refused.value)


def test_suggestions_for_those_who_read_every_quartier(as_role, many_quartiers):
    response = as_role("direction").get(
        reverse("teams:quartier_suggestions"), {"champ": "quartier", "quartier": "sa"}
    )
    assert response.content.decode().strip() == '<option value="Saint-Sauveur"></option>'
    many = as_role("direction").get(
        reverse("teams:quartier_suggestions"), {"champ": "quartier", "quartier": "quartier"}
    )
    assert many.content.decode().count("<option") == SUGGESTION_LIMIT


def test_suggestions_start_with_names_that_begin_with_the_text(as_role, ouest, sud):
    Quartier.objects.create(name="Centre-Sud", slug="centre-sud")
    response = as_role("direction").get(reverse("teams:quartier_suggestions"), {"quartier": "sud"})
    options = response.content.decode().split("</option>")
    assert 'value="Sud"' in options[0] and 'value="Centre-Sud"' in options[1]


def test_suggestions_stay_within_the_persons_teams(as_role, many_quartiers):
    response = as_role("agent").get(reverse("teams:quartier_suggestions"), {"quartier": "Sa"})
    assert response.content.decode().strip() == ""  # Saint-Sauveur: not one of its teams
    own = as_role("agent").get(reverse("teams:quartier_suggestions"), {"quartier": "oue"})
    assert 'value="Ouest"' in own.content.decode()


def test_suggestions_need_a_login(client, many_quartiers):
    response = client.get(reverse("teams:quartier_suggestions"), {"quartier": "sa"})
    assert response.status_code == 302


def test_the_widget_renders_twice_the_same(ouest, sud):
    field = QuartierField(queryset=Quartier.objects.order_by("name"), required=False)
    first = field.widget.render("quartier", ouest.pk, {"id": "id_quartier"})
    assert field.widget.render("quartier", ouest.pk, {"id": "id_quartier"}) == first
