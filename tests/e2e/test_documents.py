"""Shared documents at phone width: an agent uploads a new version of a document, then finds
another one by a word that is only inside its file; every page checked by axe."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from documents import samples, services
from documents.models import Document
from tests.documents.factories import make_document
from tests.e2e.browser import check_accessibility, login, step, submit, visit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _eager_celery():
    from arras_quartiers.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def test_an_agent_uploads_a_version_and_finds_a_document_by_a_word_inside_it(
    phone_page, personas, ouest, tmp_path
):
    page = phone_page
    space = services.space_of_quartier(ouest)
    note = make_document(space, personas["chef"], title="Note de cadrage", text="Première version")
    services.document_create(
        space=space, by=personas["chef"], title="Compte rendu du conseil citoyen",
        upload=ContentFile(
            samples.odt("Conseil citoyen", ["Les habitants réclament des jardinières fleuries."]),
            name="cr.odt",
        ),
    )  # fmt: skip
    for n in range(12):  # a year of meetings' folders, say
        services.folder_create(space=space, name=f"Réunion n° {n + 1:02d}")
    new_version = tmp_path / "note-v2.pdf"
    new_version.write_bytes(samples.pdf("Note de cadrage", ["Deuxième version, relue."]))

    login(page, personas["agent"])
    step(page, "reach the document from the navigation")
    visit(page, reverse("home"))
    page.get_by_role("button", name="Ouvrir le menu").click()
    page.get_by_role("link", name="Documents", exact=True).click()
    check_accessibility(page)
    page.get_by_role("link", name="Équipe Ouest").click()
    check_accessibility(page)
    step(page, "on a phone the documents come before the folders, folded under a button")
    note_link = page.get_by_role("link", name="Note de cadrage", exact=True)
    box = note_link.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844, box
    folders = page.get_by_role("button", name="Dossiers (12)")
    assert page.get_by_role("link", name="Réunion n° 12").is_hidden()
    folders.focus()
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Réunion n° 12").wait_for()
    page.locator("#classement.show").wait_for()  # the folding's transition is over
    assert folders.get_attribute("aria-expanded") == "true"
    check_accessibility(page)
    note_link.click()
    check_accessibility(page)

    step(page, "upload a new version")
    page.get_by_label("Nouvelle version du fichier").set_input_files(str(new_version))
    submit(page, page.get_by_role("button", name="Déposer la version").click)
    assert page.get_by_text("La version 2 est déposée.").is_visible()
    check_accessibility(page)
    assert note.versions.count() == 2
    assert page.get_by_role("button", name="Rétablir la version 1").is_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390

    step(page, "find the ODT by a word inside its file")
    visit(page, reverse("documents:index"))
    page.get_by_label("Rechercher dans les documents").fill("jardinières")
    submit(page, page.get_by_role("button", name="Rechercher").click)
    results = page.get_by_role("region", name="Résultats pour « jardinières »")
    assert results.get_by_role(
        "link", name="Compte rendu du conseil citoyen", exact=True
    ).is_visible()
    assert results.get_by_role("link", name="Note de cadrage", exact=True).count() == 0
    check_accessibility(page)
    assert Document.objects.count() == 2
