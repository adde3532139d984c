"""The accessibility statement follows the RGAA model and the footer says the same status."""

import re

import pytest
from django.urls import reverse

SECTIONS = [
    "État de conformité",
    "Résultats des tests",
    "Contenus non accessibles",
    "Non-conformités",
    "Dérogations pour charge disproportionnée",
    "Contenus non soumis à l'obligation d'accessibilité",
    "Établissement de cette déclaration d'accessibilité",
    "Technologies utilisées",
    "Environnement de test",
    "Outils pour évaluer l'accessibilité",
    "Retour d'information et contact",
    "Voies de recours",
]


@pytest.mark.django_db
def test_statement_has_the_rgaa_sections_and_is_public(client):
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200  # readable without an account
    page = response.content.decode()
    headings = " ".join(re.findall(r"<h[2-3][^>]*>(.*?)</h[2-3]>", page)).replace("&#x27;", "'")
    for section in SECTIONS:
        assert section in headings, section
    assert "article 47 de la loi n° 2005-102" in page
    assert "Libre réponse 71120" in page


@pytest.mark.django_db
def test_footer_status_matches_the_statement(client):
    page = client.get(reverse("accessibility")).content.decode()
    status = re.search(
        r"est <strong>(non conforme|partiellement conforme|totalement conforme)", page
    )
    assert status
    assert f"Accessibilité : {status.group(1)}" in page
