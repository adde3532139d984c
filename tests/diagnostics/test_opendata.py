"""Open data: each published diagnostic's indicators as CSV and JSON, listed in a DCAT catalogue
at /donnees/, with the PDF's very figures and small counts suppressed."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from diagnostics.models import DiagnosticDocument
from observations.models import Category, NeedType, Orientation
from tests.diagnostics.factories import YEAR, at
from tests.observations.factories import ObservationFactory
from tests.poppler import pdf_text

pytestmark = pytest.mark.django_db

# Per category: how many observations in YEAR (one month each, cycling).
COUNTS = {"Voirie od": 7, "Propreté od": 6, "Jeunesse od": 3, "Santé od": 5}
# Orientations of inhabitants in YEAR: (need, service slug) → how many.
ORIENTATIONS = {("Logement od", "ccas"): 6, ("Emploi od", "jeunesse"): 5, ("Santé od", "ccas"): 2}


@pytest.fixture
def published(make_diagnostic, ouest, personas, services, django_capture_on_commit_callbacks):
    for (need_name, service), count in ORIENTATIONS.items():
        need = NeedType.objects.create(name=need_name, slug=need_name.lower().replace(" ", "-"))
        for n in range(count):
            Orientation.objects.create(
                quartier=ouest,
                need=need,
                service=services[service],
                oriented_on=datetime.date(YEAR, n + 1, 10),
            )
    month = 0
    for name, count in COUNTS.items():
        category = Category.objects.create(name=name, slug=name.lower().replace(" ", "-"))
        for n in range(count):
            month = month % 12 + 1
            ObservationFactory(
                quartier=ouest,
                author=personas["agent"],
                category=category,
                observed_at=at(YEAR, month, 3),
                status="traitee" if n else "classee",
                confidentiality="confidentiel" if name.startswith("Jeunesse") else "normal",
                title=f"Constat secret {name} {n}",
            )
    with django_capture_on_commit_callbacks(execute=True):
        diagnostic = make_diagnostic(ouest, status="published")
    return diagnostic


def read_csv(client: Client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    # As a spreadsheet reads it: UTF-8 with its byte order mark, ";" separated.
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def csv_and_pdf(diagnostic) -> tuple[list[dict], str]:
    """Version 1's open-data rows, downloaded signed out, and its PDF's text (poppler)."""
    rows = read_csv(Client(), reverse("opendata:csv", args=["ouest", YEAR, 1]))
    document = DiagnosticDocument.objects.get(diagnostic=diagnostic, version__number=1)
    with document.file.open("rb") as handle:
        return rows, re.sub(r"\s+", " ", pdf_text(handle.read()))


def test_the_csv_has_the_pdf_figures_with_small_counts_suppressed(published, ouest):
    rows, text = csv_and_pdf(published)
    total = sum(COUNTS.values())
    assert f"{total} observations en {YEAR}" in text
    (row,) = [r for r in rows if r["indicateur"] == "observations"]
    assert (row["valeur"], row["secret"]) == (str(total), "non")

    by_category = {
        r["categorie"]: r for r in rows if r["indicateur"] == "observations_par_categorie"
    }
    assert set(by_category) == set(COUNTS)
    for name, count in COUNTS.items():
        assert f"{name} {count} " in text  # the PDF's table row
        if count < 5:
            assert (by_category[name]["valeur"], by_category[name]["secret"]) == ("", "oui")
    # One small count alone could be recovered from the total: the next smallest goes too.
    assert by_category["Santé od"]["secret"] == "oui"
    shown = {name: int(r["valeur"]) for name, r in by_category.items() if r["secret"] == "non"}
    assert shown == {"Voirie od": 7, "Propreté od": 6}

    months = [r for r in rows if r["indicateur"] == "observations_par_mois"]
    assert [r["mois"] for r in months] == [f"{YEAR}-{m:02d}" for m in range(1, 13)]
    document = DiagnosticDocument.objects.get(diagnostic=published, version__number=1)
    pdf_months = document.snapshot["indicators"]["observations"]["by_month"]
    assert " ".join(map(str, pdf_months)) in text
    for row, value in zip(months, pdf_months, strict=True):
        if row["secret"] == "non":
            assert int(row["valeur"]) == value
        else:
            assert row["valeur"] == ""
    assert sum(r["secret"] == "oui" for r in months) != 1  # never one alone

    statuses = {r["indicateur"]: r for r in rows if r["indicateur"].startswith("observations_")}
    # Classées 4 (< 5) and ouvertes 0: traitées would give classées away by subtraction.
    assert statuses["observations_classees"]["secret"] == "oui"
    assert statuses["observations_traitees"]["secret"] == "oui"
    assert statuses["observations_confidentielles"]["valeur"] == ""
    # Nothing but aggregates: no title of any observation.
    assert "Constat secret" not in json.dumps(rows, ensure_ascii=False)


def test_the_orientations_are_the_pdfs_by_need_and_service(published, services):
    """The analyse des besoins sociaux reads the orientations: the PDF's figures, small ones
    suppressed."""
    rows, text = csv_and_pdf(published)
    total = sum(ORIENTATIONS.values())
    assert f"{total} habitant(s) orienté(s)" in text
    (row,) = [r for r in rows if r["indicateur"] == "orientations"]
    assert (row["valeur"], row["secret"]) == (str(total), "non")

    by_need = {r["categorie"]: r for r in rows if r["indicateur"] == "orientations_par_besoin"}
    for (need, _service), count in ORIENTATIONS.items():
        assert f"{need} {count}" in text  # the PDF's table row
    # Santé (2) is suppressed, and so is the next smallest (Emploi, 5): else 13 - 6 - 5.
    assert {n: (r["valeur"], r["secret"]) for n, r in by_need.items()} == {
        "Logement od": ("6", "non"),
        "Emploi od": ("", "oui"),
        "Santé od": ("", "oui"),
    }
    by_service = {r["categorie"]: r for r in rows if r["indicateur"] == "orientations_par_service"}
    for service, count in (("CCAS", 8), ("Jeunesse", 5)):
        assert f"{service} {count}" in text
        assert (by_service[service]["valeur"], by_service[service]["secret"]) == (str(count), "non")


def test_the_json_says_the_same_as_the_csv(published):
    anonymous = Client()
    rows = read_csv(anonymous, reverse("opendata:csv", args=["ouest", YEAR, 1]))
    data = anonymous.get(reverse("opendata:json", args=["ouest", YEAR, 1])).json()
    assert data["seuil_secret_statistique"] == 5
    assert [
        (r["indicateur"], r["categorie"], r["mois"], r["valeur"], r["secret"])
        for r in data["lignes"]
    ] == [
        (
            r["indicateur"],
            r["categorie"],
            r["mois"],
            int(r["valeur"]) if r["valeur"] else None,
            r["secret"] == "oui",
        )
        for r in rows
    ]


def test_the_catalogue_lists_published_diagnostics_only(published, make_diagnostic, sud):
    make_diagnostic(sud, status="draft")
    anonymous = Client()
    page = anonymous.get(reverse("opendata:catalogue"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ouest" in html and f"/donnees/ouest/{YEAR}/v1.csv" in html
    assert "/donnees/sud/" not in html
    catalogue = json.loads(anonymous.get(reverse("opendata:dcat")).content)
    assert catalogue["@type"] == "dcat:Catalog"
    (dataset,) = catalogue["dcat:dataset"]
    urls = {d["dcat:mediaType"]: d["dcat:downloadURL"] for d in dataset["dcat:distribution"]}
    assert urls["text/csv"].endswith(f"/donnees/ouest/{YEAR}/v1.csv")
    for url in urls.values():
        assert anonymous.get(url.removeprefix("http://testserver")).status_code == 200
    # A draft has no dataset.
    assert anonymous.get(reverse("opendata:csv", args=["sud", YEAR, 1])).status_code == 404


def test_the_published_version_links_its_open_data(published, as_role):
    page = as_role("chef").get(reverse("diagnostics:version", args=[published.pk, 1]))
    links = re.findall(
        r'<span class="small" id="donnees-ouvertes">.*?</span>', page.content.decode()
    )
    assert links, "no open-data links on the version page"
    hrefs = re.findall(r'href="([^"]+)"', links[0])
    assert hrefs == [
        reverse("opendata:csv", args=["ouest", YEAR, 1]),
        reverse("opendata:json", args=["ouest", YEAR, 1]),
    ]
    assert read_csv(Client(), hrefs[0])
