"""A diagnostic en marchant in a real browser, at phone width: the chef de projet plans it with
its stops, an agent notes an observation at a stop during the walk, and the report PDF is
requested and downloaded. Every page visited is checked with axe."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.browser import PHONE, check_accessibility, login, step, submit, visit
from tests.poppler import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)


def test_plan_walk_note_and_download_the_report(new_page, personas, ouest, services):
    from walks.models import StopObservation, Walk

    chef = new_page(PHONE)
    login(chef, personas["chef"])
    visit(chef, reverse("walks:index"))
    submit(chef, chef.get_by_role("link", name="Prévoir une marche").click)
    check_accessibility(chef)
    start = timezone.localtime() - datetime.timedelta(minutes=30)
    chef.get_by_label("Titre").fill("Marche des abords de l'école")
    chef.get_by_label("Début").fill(start.strftime("%Y-%m-%dT%H:%M"))
    chef.get_by_label("Fin").fill((start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    chef.get_by_label("Point de rendez-vous").fill("Devant la MSP")
    step(chef, "plan the walk")
    submit(chef, chef.get_by_role("button", name="Prévoir la marche et inviter").click)
    walk = Walk.objects.get(title="Marche des abords de l'école")
    for name, lat, lon in (
        ("Parvis de l'école", "50.289000", "2.765000"),
        ("Square", "50.291000", "2.768000"),
    ):
        submit(chef, chef.get_by_role("link", name="Ajouter un arrêt").click)
        check_accessibility(chef)
        chef.get_by_label("Lieu de l'arrêt").fill(name)
        chef.get_by_label("Thème (texte libre)").fill("Sécurité")
        chef.get_by_label("Latitude").fill(lat)
        chef.get_by_label("Longitude").fill(lon)
        submit(chef, chef.get_by_role("button", name="Enregistrer l'arrêt").click)
    # Reordered with the keyboard: focus the button, press Enter.
    chef.get_by_role("button", name="Descendre Parvis de l'école").focus()
    submit(chef, lambda: chef.keyboard.press("Enter"))
    assert list(walk.stops.values_list("name", flat=True)) == ["Square", "Parvis de l'école"]
    check_accessibility(chef)

    agent = new_page(PHONE)
    login(agent, personas["agent"])
    visit(agent, walk.get_absolute_url())
    submit(agent, agent.get_by_role("link", name="Marche en cours : noter").click)
    check_accessibility(agent)
    submit(agent, agent.get_by_role("link", name="Arrêt suivant").click)
    agent.get_by_label("Catégorie").select_option(index=1)
    agent.get_by_label("Ce que vous voyez").fill("Passage piéton effacé")
    agent.get_by_label("Noté pour un habitant").check()
    step(agent, "note an observation at the second stop")
    submit(agent, agent.get_by_role("button", name="Noter l'observation").click)
    check_accessibility(agent)
    note = StopObservation.objects.get()
    assert note.stop.name == "Parvis de l'école" and note.for_inhabitant

    visit(chef, walk.get_absolute_url())
    submit(chef, chef.get_by_role("button", name="Marquer réalisée").click)
    submit(chef, chef.get_by_role("button", name="Préparer le compte rendu").click)
    check_accessibility(chef)
    link = chef.get_by_role("link", name="Télécharger le PDF")
    link.wait_for(timeout=30000)
    with chef.expect_download() as download_info:
        link.click()
    with open(download_info.value.path(), "rb") as handle:
        content = handle.read()
    assert content[:5] == b"%PDF-"
    text = " ".join(pdf_text(content).split())
    assert "Passage piéton effacé" in text and "Parvis de l'école" in text


def test_a_stop_is_placed_from_its_address_by_keyboard_alone(phone_page, personas, ouest, settings):
    """The chef who cannot use a map types the stop's place, searches it and chooses the address
    with the keyboard: the stop gets its point and shows on the route's map."""
    import json

    from tests.e2e.browser import tab_to
    from tests.tools.local_http import local_server
    from tests.walks.factories import make_walk

    walk = make_walk(ouest, personas["chef"], days=3, done=False, stops=[])
    page = phone_page
    page.context.route("https://**/*", lambda route: route.abort())
    with local_server() as geocoder:
        geocoder.body = json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.7655, 50.2891]},
             "properties": {"label": "Place de la Préfecture 62000 Arras"}},
        ]}).encode()  # fmt: skip
        settings.GEOCODER_URL = geocoder.url + "/search"
        login(page, personas["chef"])
        visit(page, reverse("walks:stop_add", args=[walk.pk]))
        page.get_by_label("Lieu de l'arrêt").fill("Place de la Préfecture")
        page.get_by_label("Lieu de l'arrêt").focus()
        tab_to(page, "#address-find")
        page.keyboard.press("Enter")
        page.wait_for_selector(".address-choice")
        tab_to(page, ".address-choice")
        page.keyboard.press("Enter")
        assert "Point de l'adresse joint : Place de la Préfecture" in page.inner_text("#geo-status")
        assert page.get_by_label("Latitude").input_value() == "50.2891"
        check_accessibility(page)
        submit(page, page.get_by_role("button", name="Enregistrer l'arrêt").click)
    stop = walk.stops.get()
    assert (str(stop.latitude), str(stop.longitude)) == ("50.289100", "2.765500")
    assert page.locator("svg.route-map text").all_text_contents() == ["1"]

    step(page, "the stop forms draw the outline and the stops placed (no script error)")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    drawn = page.locator("#stop-map .leaflet-overlay-pane path")
    visit(page, reverse("walks:stop_edit", args=[walk.pk, stop.pk]))
    expect(drawn).to_have_count(2)  # the outline, this stop
    visit(page, reverse("walks:stop_add", args=[walk.pk]))
    expect(drawn).to_have_count(2)  # the outline, the stop already placed
    assert errors == []
