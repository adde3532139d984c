"""The year-to-year comparison on the quartier page, from the published versions."""

import pytest
from django.urls import reverse

from diagnostics.models import DiagnosticVersion
from tests.diagnostics.factories import YEAR

pytestmark = pytest.mark.django_db


def test_no_panel_before_a_publication(as_role, make_diagnostic, ouest):
    make_diagnostic(ouest, status="review")
    page = as_role("elu").get(reverse("teams:quartier_detail", args=[ouest.slug])).content.decode()
    assert "d'une année à l'autre" not in page


def test_published_years_side_by_side_with_the_change(as_role, make_diagnostic, ouest, year_data):
    make_diagnostic(ouest, year=YEAR - 1, status="published")
    make_diagnostic(ouest, year=YEAR, status="published")
    page = as_role("elu").get(reverse("teams:quartier_detail", args=[ouest.slug])).content.decode()
    assert "Le quartier d'une année à l'autre" in page
    this_year = DiagnosticVersion.objects.get(diagnostic__year=YEAR).indicators["observations"][
        "total"
    ]
    last_year = DiagnosticVersion.objects.get(diagnostic__year=YEAR - 1).indicators["observations"][
        "total"
    ]
    assert (this_year, last_year) == (6, 1)
    row = page.split('<th scope="row" class="fw-normal">Observations</th>')[1].split("</tr>")[0]
    assert [cell.split(">")[1] for cell in row.split("<td")[1:]] == ["1</td", "6</td", "+5</td"]


def test_the_panel_shows_frozen_figures(as_role, make_diagnostic, ouest, personas, year_data):
    """Data entered after the publication does not change what the élus were given."""
    from observations.models import Observation

    make_diagnostic(ouest, year=YEAR, status="published")
    Observation.objects.filter(quartier=ouest).delete()
    page = (
        as_role("maire").get(reverse("teams:quartier_detail", args=[ouest.slug])).content.decode()
    )
    row = page.split('<th scope="row" class="fw-normal">Observations</th>')[1].split("</tr>")[0]
    assert ">6<" in row
