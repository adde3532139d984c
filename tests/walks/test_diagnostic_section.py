"""The year's walks feed the annual diagnostic: a section in the page and in the PDF, with
counts by category (a confidential observation counted, never described) and links for readers."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from diagnostics import indicators
from diagnostics.presentation import render_diagnostic_pdf
from observations.models import Category, Observation
from tests.diagnostics.factories import diagnostic_in_state
from tests.poppler import pdf_text
from tests.walks.factories import make_walk
from walks import services


def _walk_with_notes(ouest, personas):
    walk = make_walk(ouest, personas["chef"])
    stops = list(walk.stops.all())
    proprete = Category.objects.get(slug="proprete")
    social = Category.objects.get(slug="social-precarite")
    services.note_observation(
        stop=stops[0],
        author=personas["agent"],
        category=proprete,
        title="Tags",
        for_inhabitant=True,
    )
    services.note_observation(
        stop=stops[0], author=personas["agent"], category=proprete, title="Corbeille"
    )
    services.note_observation(
        stop=stops[1], author=personas["chef"], category=social, title="Famille Confidentissime",
        confidentiality=Observation.Confidentiality.CONFIDENTIAL,
    )  # fmt: skip
    return walk


def test_figures_count_the_years_walks(personas, ouest):
    walk = _walk_with_notes(ouest, personas)
    year = timezone.localdate(walk.start).year
    figures = indicators.walk_figures(ouest, year)
    assert figures["count"] == 1
    row = figures["walks"][0]
    assert row["total"] == 3 and row["for_inhabitant"] == 1
    assert [s["count"] for s in row["stops"]] == [2, 1, 0]
    assert {r["name"]: r["count"] for r in row["by_category"]} == {
        "Propreté": 2,
        "Social et précarité": 1,
    } or row["by_category"][0]["count"] == 2
    assert indicators.walk_figures(ouest, year - 1)["count"] == 0


def test_section_in_the_page_and_the_pdf(client, as_role, personas, ouest):
    walk = _walk_with_notes(ouest, personas)
    year = timezone.localdate(walk.start).year
    diagnostic = diagnostic_in_state(ouest, by=personas["chef"], year=year)
    as_role("chef")
    page = client.get(reverse("diagnostics:detail", args=[diagnostic.pk])).content.decode()
    assert "Diagnostics en marchant" in page and walk.title in page
    assert reverse("walks:detail", args=[walk.pk]) in page
    assert "Confidentissime" not in page
    # Its day as French readers write it, not as the snapshot stores it.
    day = date_format(timezone.localdate(walk.start), "j F Y")
    assert f"({day})" in page
    figures = indicators.compute(ouest, year)
    text = " ".join(pdf_text(render_diagnostic_pdf({
        "indicators": figures, "sections": [], "year": year, "quartier": ouest.name, "version": 1,
    })).split())  # fmt: skip
    assert (
        "Diagnostics en marchant" in text and walk.title in text and "Square des Tilleuls" in text
    )
    assert "Confidentissime" not in text
    assert f"({day})" in text
