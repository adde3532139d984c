"""Observations in a real browser: logged from a phone with a photo, triaged, escalated, answered;
and the form completed with the keyboard alone."""

from __future__ import annotations

import io

import pytest
from django.urls import NoReverseMatch, reverse
from PIL import Image

from tests.e2e.browser import PHONE, check_accessibility, login, step, submit, tab_to, visit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _observations_app():
    try:
        reverse("observations:create")
    except NoReverseMatch:
        pytest.skip("observations app not there yet")


def phone_photo() -> bytes:
    """A JPEG as a phone takes it: with EXIF (a GPS position among them)."""
    image = Image.new("RGB", (1200, 900), (90, 140, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (50.0, 17.0, 30.0), 1: "N"}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_agent_logs_an_observation_with_a_photo_from_a_phone(new_page, personas, ouest, services):
    from observations.models import Observation

    page = new_page(PHONE)
    login(page, personas["agent"])
    visit(page, reverse("observations:create"))
    page.get_by_label("Catégorie").select_option(index=1)
    page.get_by_label("Ce que vous avez vu").fill("Dépôt sauvage rue des Rosati")
    page.get_by_label("Lieu").fill("Square Baudimont, près des jeux")
    page.get_by_label("Photos").set_input_files(
        files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": phone_photo()}]
    )
    step(page, "submit the observation")
    submit(page, page.get_by_role("button", name="Enregistrer l'observation").click)
    observation = Observation.objects.get(title="Dépôt sauvage rue des Rosati")
    assert observation.quartier == ouest
    assert observation.author == personas["agent"]
    check_accessibility(page)
    photos = list(observation.photos.all())
    assert len(photos) == 1
    stored = photos[0]
    file_field = next(
        getattr(stored, f.name)
        for f in stored._meta.fields
        if f.get_internal_type() == "FileField" and getattr(stored, f.name)
    )
    with file_field.open("rb") as handle, Image.open(handle) as image:
        assert image.format == "JPEG"
        assert not image.getexif(), "EXIF (GPS) kept in a stored photo"
    # The photo is served through a view that checks access, and shows on the page.
    assert page.locator("main img").count() >= 1
    visit(page, reverse("observations:index"))


def test_chef_triages_and_escalates_then_the_direction_answers(new_page, personas, ouest, services):
    from observations.models import Category, Escalation, Observation

    category = Category.objects.filter(is_active=True).first()
    observation = Observation.objects.create(
        quartier=ouest,
        author=personas["agent"],
        category=category,
        title="Éclairage public en panne",
        place="Allée des Tilleuls",
    )
    chef = new_page()
    login(chef, personas["chef"])
    visit(chef, reverse("observations:index"))
    visit(chef, observation.get_absolute_url())
    step(chef, "triage: assign the technical service")
    chef.get_by_label("Service destinataire").select_option(label="Services techniques")
    submit(chef, chef.get_by_role("button", name="Enregistrer le tri").click)
    check_accessibility(chef)
    observation.refresh_from_db()
    assert observation.service == services["technique"]

    step(chef, "escalate")
    chef.get_by_label("Pourquoi remonter").fill(
        "Trois signalements en un mois : besoin d'arbitrage."
    )
    submit(chef, chef.get_by_role("button", name="Remonter", exact=True).click)
    check_accessibility(chef)
    escalation = Escalation.objects.get(observation=observation)

    direction = new_page()
    login(direction, personas["direction"])
    visit(direction, reverse("observations:escalations"))
    step(direction, "answer the escalation")
    direction.get_by_label("Réponse du comité de direction").first.fill(
        "Le remplacement est programmé la semaine prochaine."
    )
    submit(direction, direction.get_by_role("button", name="Enregistrer la réponse").first.click)
    check_accessibility(direction)
    escalation.refresh_from_db()
    assert escalation.answer.startswith("Le remplacement")

    responsable = new_page()
    login(responsable, personas["responsable"])
    visit(responsable, observation.get_absolute_url())
    visit(responsable, reverse("observations:index"))
    visit(responsable, reverse("observations:queue"))


def test_observation_form_with_the_keyboard_alone(page, personas, ouest):
    from observations.models import Observation

    login(page, personas["agent"])
    page.goto(reverse("observations:create"))
    step(page, "keyboard only")
    tab_to(page, "select[name=category]")
    page.keyboard.press("ArrowDown")
    tab_to(page, "input[name=title]")
    page.keyboard.type("Tag sur le mur de l'école")
    tab_to(page, "input[name=place]")
    page.keyboard.type("École Jean Jaurès")
    tab_to(page, "input[name=urgency]:checked")
    page.keyboard.press("ArrowDown")  # next urgency level
    tab_to(page, "button[type=submit].obs-submit")
    # The focus is visible on the submit button (WCAG 2.4.7).
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle !== 'none' || s.boxShadow !== 'none'; }"
    )
    assert outline, "no visible focus on the submit button"
    submit(page, lambda: page.keyboard.press("Enter"))
    observation = Observation.objects.get(title="Tag sur le mur de l'école")
    assert observation.place == "École Jean Jaurès"
    assert observation.urgency != Observation._meta.get_field("urgency").default
    check_accessibility(page)


def test_an_oversized_upload_gets_the_french_413_page(new_page, personas, ouest, tmp_path):
    """Served by the same WSGI server as `make run`: the refusal must be a valid WSGI answer."""
    from django.conf import settings

    from observations.models import Observation

    page = new_page(PHONE)
    login(page, personas["agent"])
    visit(page, reverse("observations:create"))
    heavy = tmp_path / "trop-lourde.jpg"
    with heavy.open("wb") as out:
        out.truncate(settings.MAX_REQUEST_BYTES + 1024 * 1024)
    page.get_by_label("Photos").set_input_files(str(heavy))
    page.get_by_label("Ce que vous avez vu").fill("Dépôt sauvage")
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    assert page.get_by_role("heading", name="Envoi trop volumineux").is_visible()
    check_accessibility(page)
    assert not Observation.objects.exists()
