"""The observations on a map, in a real browser at phone width: the agent's map shows the points
of the agent's list (not the confidential one), clustered, over the quartier outline, with no
tile server reachable; the quartier page has the same map."""

from __future__ import annotations

import pytest
from django.urls import reverse

from observations import services as obs_services
from observations.models import Category, Observation
from tests.e2e.browser import check_accessibility, login, visit

pytestmark = pytest.mark.django_db(transaction=True)

OUTLINE = {"type": "Polygon", "coordinates": [[[2.74, 50.28], [2.77, 50.28], [2.77, 50.30], [2.74, 50.30], [2.74, 50.28]]]}  # fmt: skip


def test_the_agent_s_map_draws_the_list_s_points_without_tiles(phone_page, personas, ouest):
    ouest.outline = OUTLINE
    ouest.save()
    category = Category.objects.get(slug="proprete")
    for n in range(12):
        obs_services.observation_create(
            author=personas["chef"], quartier=ouest, category=category, title=f"Point {n}",
            place="ici", latitude=50.285 + n * 0.001, longitude=2.745 + n * 0.001,
        )  # fmt: skip
    obs_services.observation_create(
        author=personas["chef"], quartier=ouest, category=category, title="Famille Canari",
        place="ici", latitude=50.29, longitude=2.75,
        confidentiality=Observation.Confidentiality.CONFIDENTIAL,
    )  # fmt: skip
    page = phone_page
    # No tile server is reachable: the map must still draw.
    page.context.route("https://**/*", lambda route: route.abort())
    login(page, personas["agent"])
    visit(page, reverse("observations:index"))
    page.get_by_role("link", name="Carte").click()
    page.wait_for_selector("#obs-map[data-points]")
    assert page.get_attribute("#obs-map", "data-points") == "12"
    assert "12 observations avec un point" in page.inner_text("#obs-map-status")
    assert page.locator(".leaflet-overlay-pane path").count() == 1  # the outline
    assert page.locator(".marker-cluster, .obs-marker").count() >= 1
    assert "Canari" not in page.content()
    check_accessibility(page)
    visit(page, reverse("teams:quartier_detail", args=[ouest.slug]))
    page.wait_for_selector("#obs-map[data-points]")
    assert page.get_attribute("#obs-map", "data-points") == "12"
    check_accessibility(page)


def test_a_point_is_placed_by_a_tap_on_the_form_s_map(phone_page, personas, ouest):
    from tests.e2e.browser import submit

    ouest.outline = OUTLINE
    ouest.save()
    page = phone_page
    page.context.route("https://**/*", lambda route: route.abort())
    login(page, personas["agent"])
    visit(page, reverse("observations:create"))
    page.get_by_label("Catégorie").select_option(index=1)
    page.get_by_label("Ce que vous avez vu").fill("Banc arraché")
    page.get_by_label("Lieu").fill("Square Baudimont")
    page.get_by_text("Ou placer le point sur une carte").click()
    page.wait_for_selector("#point-map.leaflet-container")
    page.locator("#point-map").scroll_into_view_if_needed()
    box = page.locator("#point-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert "Point placé sur la carte" in page.inner_text("#geo-status")
    check_accessibility(page)  # the open map hides nothing focusable from screen readers
    submit(page, lambda: page.locator("button[type=submit].obs-submit").click())
    observation = Observation.objects.get(title="Banc arraché")
    assert observation.has_coordinates and not observation.outside_outlines
    assert observation.latitude == observation.latitude.quantize(
        observation.latitude.__class__("0.0001")
    )


def test_a_point_is_attached_from_a_typed_address_by_keyboard_alone(
    phone_page, personas, ouest, settings
):
    """The path of a person who cannot use a map: type the address, Tab to the search, choose
    one of the addresses with the keyboard; the point is attached and said in the status."""
    import json

    from tests.e2e.browser import submit, tab_to
    from tests.tools.local_http import local_server

    ouest.outline = OUTLINE
    ouest.save()
    page = phone_page
    page.context.route("https://**/*", lambda route: route.abort())
    with local_server() as geocoder:
        geocoder.body = json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.7612, 50.2923]},
             "properties": {"label": "5 Place du Théâtre 62000 Arras"}},
        ]}).encode()  # fmt: skip
        settings.GEOCODER_URL = geocoder.url + "/search"
        login(page, personas["agent"])
        visit(page, reverse("observations:create"))
        page.get_by_label("Catégorie").select_option(index=1)
        page.get_by_label("Ce que vous avez vu").fill("Vitrine brisée")
        page.get_by_label("Lieu").fill("5 place du théâtre")
        page.get_by_label("Lieu").focus()
        tab_to(page, "#address-find")
        page.keyboard.press("Enter")
        page.wait_for_selector(".address-choice")
        tab_to(page, ".address-choice")
        page.keyboard.press("Enter")
        assert "Point de l'adresse joint : 5 Place du Théâtre" in page.inner_text("#geo-status")
        check_accessibility(page)
        submit(page, lambda: page.locator("button[type=submit].obs-submit").click())
    observation = Observation.objects.get(title="Vitrine brisée")
    assert (observation.latitude, observation.longitude) == (
        observation.latitude.__class__("50.2923"),
        observation.longitude.__class__("2.7612"),
    )
    assert observation.place == "5 place du théâtre"
