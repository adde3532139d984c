"""The observation form with no network, in a real browser with its service worker.

An agent on a phone loses the network: two observations with photos are kept on the phone,
the page still opens offline, the network returns and exactly two observations reach the
server, their photos stripped of metadata. An item sent twice (a connection cut before the
phone heard the answer) exists once; an item the server refuses stays with its reason; the
queue leaves the phone at logout.
"""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.browser import PHONE, check_accessibility, login, step, visit
from tests.e2e.test_observations import phone_photo

pytestmark = pytest.mark.django_db(transaction=True)

QUEUED = "Enregistrée sur ce téléphone, sera envoyée au retour du réseau"


def _photo(name: str) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": phone_photo()}


def _fill(page, title: str, place: str, photos: list[dict], description: str = "") -> None:
    page.get_by_label("Catégorie").select_option(index=1)
    page.get_by_label("Ce que vous avez vu").fill(title)
    page.get_by_label("Lieu").fill(place)
    if description:
        page.get_by_label("Description").fill(description)
    if photos:
        page.get_by_label("Photos").set_input_files(files=photos)


def _queue_offline(page, title: str, place: str, photos: list[dict], **extra) -> None:
    step(page, f"queue « {title} » offline")
    _fill(page, title, place, photos, **extra)
    page.get_by_role("button", name="Enregistrer l'observation").click()
    page.get_by_text(QUEUED).wait_for()
    # The form is ready for the next one.
    assert page.get_by_label("Ce que vous avez vu").input_value() == ""


def _badge(page):
    return page.locator("#offline-badge")


def _badge_shows(page, count: int) -> None:
    """The header's badge counts `count` waiting observations. It is refreshed after the queue's
    write (IndexedDB) resolves, a moment after the form's notice shows: waited for, not read."""
    expect(_badge(page)).to_have_text(re.compile(rf"^\s*{count} en attente"))


def _stored_image_has_no_metadata(photo) -> None:
    with photo.image.open("rb") as handle:
        data = handle.read()
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif(), "EXIF kept in a stored photo"
        assert "exif" not in image.info and "gps" not in str(image.info).lower()


def _queued_count(page) -> int:
    return page.evaluate("async () => (await window.aqOfflineQueue.all()).length")


def test_two_observations_logged_offline_reach_the_server_once(new_page, personas, ouest):
    from observations.models import Observation

    page = new_page(PHONE, service_workers="allow")
    context = page.e2e.context
    login(page, personas["agent"])
    # Online first: the worker installs and keeps the form and the queue page.
    visit(page, reverse("observations:pending"))
    page.get_by_text("Rien en attente").wait_for()
    page.locator("body[data-offline-ready='1']").wait_for()
    visit(page, reverse("observations:create"))
    page.locator("body[data-offline-ready='1']").wait_for()

    context.set_offline(True)
    _queue_offline(page, "Dépôt sauvage hall B", "Résidence Verlaine, hall B", [_photo("a.jpg")])
    _badge_shows(page, 1)
    _queue_offline(
        page, "Boîtes aux lettres forcées", "Rue Jean Jaurès", [_photo("b.jpg"), _photo("c.jpg")]
    )
    _badge_shows(page, 2)
    assert not Observation.objects.exists()

    step(page, "reload the form with no network")
    response = page.reload()
    assert response is not None and response.from_service_worker
    assert page.get_by_role("heading", name="Signaler une observation").is_visible()
    _badge_shows(page, 2)

    step(page, "review the queue with no network")
    page.goto(reverse("observations:pending"))
    items = page.locator("#pending-list > li")
    items.nth(1).wait_for()
    assert items.count() == 2
    assert "Dépôt sauvage hall B" in items.nth(0).inner_text()
    assert "2 photos" in items.nth(1).inner_text()
    check_accessibility(page, "pending page, offline, two items")

    step(page, "a page not kept (the installed app's home), with no network")
    response = page.goto(reverse("home"))
    assert response is not None and response.from_service_worker
    expect(page.get_by_role("heading", name="Pas de réseau")).to_be_visible()
    check_accessibility(page, "no network page")
    page.get_by_role("link", name="Voir ce qui attend d'être envoyé").click()
    page.locator("#pending-list > li").nth(1).wait_for()

    step(page, "the network returns")
    context.set_offline(False)
    page.get_by_text("2 observations envoyées").wait_for()
    assert _badge(page).is_hidden()
    observations = list(Observation.objects.order_by("pk"))
    assert [o.title for o in observations] == ["Dépôt sauvage hall B", "Boîtes aux lettres forcées"]
    assert all(o.author == personas["agent"] and o.quartier == ouest for o in observations)
    assert [o.photos.count() for o in observations] == [1, 2]
    for photo in (p for o in observations for p in o.photos.all()):
        _stored_image_has_no_metadata(photo)

    step(page, "a third one, sent twice (the answer to the first sending was lost)")
    visit(page, reverse("observations:create"))
    context.set_offline(True)
    _queue_offline(page, "Tags sur le transformateur", "Square Baudimont", [_photo("d.jpg")])
    page.evaluate(
        """async () => {
            const db = await idb.openDB("aq-offline", 1);
            const [item] = await db.getAll("queue");
            delete item.id;
            await db.add("queue", item);
        }"""
    )
    assert _queued_count(page) == 2
    context.set_offline(False)
    page.evaluate("() => window.aqOfflineQueue.sync()")
    assert _queued_count(page) == 0
    assert Observation.objects.filter(title="Tags sur le transformateur").count() == 1
    assert Observation.objects.count() == 3


def test_a_refused_item_stays_with_its_reason_and_the_queue_leaves_at_logout(
    new_page, personas, ouest
):
    from observations.models import Observation

    page = new_page(PHONE, service_workers="allow")
    context = page.e2e.context
    login(page, personas["agent"])
    visit(page, reverse("observations:create"))
    page.locator("body[data-offline-ready='1']").wait_for()
    context.set_offline(True)
    _queue_offline(
        page, "Voisin bruyant", "Rue Verlaine", [], description="Appeler au 06 12 34 56 78"
    )
    context.set_offline(False)
    page.goto(reverse("observations:pending"))
    error = page.locator(".pending-error")
    error.wait_for()
    assert "données personnelles" in error.inner_text()
    assert not Observation.objects.exists()
    check_accessibility(page, "pending page with a refusal")

    step(page, "edit it from the queue: it is sent once corrected")
    page.get_by_role("link", name="Modifier « Voisin bruyant »").click()
    page.get_by_text("Vous modifiez une observation gardée").wait_for()
    description = page.get_by_label("Description")
    expect(description).to_have_value("Appeler au 06 12 34 56 78")
    description.fill("Bruit répété le soir dans la cage d'escalier")
    page.get_by_role("button", name="Enregistrer l'observation").click()
    page.wait_for_url("**/observations/en-attente/")
    page.get_by_text("1 observation envoyée").wait_for()
    assert Observation.objects.get().description == "Bruit répété le soir dans la cage d'escalier"

    step(page, "one more kept (refused again), then logout on a shared phone")
    visit(page, reverse("observations:create"))
    context.set_offline(True)
    _queue_offline(page, "Éclairage en panne", "Parking", [], description="Écrire à x@y.fr")
    context.set_offline(False)
    page.goto(reverse("observations:pending"))
    page.locator(".pending-error").wait_for()
    assert _queued_count(page) == 1
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():  # the menu's « Se déconnecter » form, as its button sends it
        page.locator(f"form[action='{reverse('account_logout')}']").evaluate(
            "form => form.requestSubmit()"
        )
    page.wait_for_load_state()
    left = page.evaluate(
        """async () => {
            const db = await new Promise((ok) => {
                const r = indexedDB.open("aq-offline", 1); r.onsuccess = () => ok(r.result); });
            const n = await new Promise((ok) => {
                const r = db.transaction("queue").objectStore("queue").count();
                r.onsuccess = () => ok(r.result); });
            return [n, (await caches.keys()).includes("aq-pages")];
        }"""
    )
    assert left == [0, False]
    assert Observation.objects.count() == 1


def test_a_walk_note_taken_offline_joins_the_queue(new_page, personas, ouest):
    from tests.walks.factories import make_walk
    from walks.models import StopObservation

    walk = make_walk(ouest, personas["chef"], days=0, done=False, invited=[personas["agent"]])
    stop = walk.stops.all()[1]
    page = new_page(PHONE, service_workers="allow")
    context = page.e2e.context
    login(page, personas["agent"])
    # Only the first stop is opened online: the next ones are kept on the phone with it.
    visit(page, reverse("walks:live", args=[walk.pk]))
    page.locator("body[data-offline-ready='1']").wait_for()

    context.set_offline(True)
    step(page, "walk on to the next stop with no network")
    page.get_by_role("link", name="Arrêt suivant").click()
    page.get_by_role("heading", name=f"Arrêt 2 sur 3 : {stop.name}").wait_for()
    step(page, "note at the stop with no network")
    page.get_by_label("Catégorie").select_option(index=1)
    page.get_by_label("Ce que vous voyez").fill("Bancs dégradés")
    page.get_by_label("Photos").set_input_files(files=[_photo("banc.jpg")])
    page.get_by_role("button", name="Noter l'observation").click()
    page.get_by_text(QUEUED).wait_for()
    _badge_shows(page, 1)
    page.goto(reverse("observations:pending"))
    assert stop.name in page.locator("#pending-list").inner_text()

    context.set_offline(False)
    page.get_by_text("1 observation envoyée").wait_for()
    note = StopObservation.objects.get()
    assert note.stop == stop and note.observation.title == "Bancs dégradés"
    _stored_image_has_no_metadata(note.observation.photos.get())
