"""Pinned query counts: they do not grow with the number of diagnostics, contributions or data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diagnostics import services
from tests.diagnostics.factories import YEAR

pytestmark = pytest.mark.django_db

INDEX_QUERIES = 12
DETAIL_QUERIES = 33  # + the year's walks (diagnostics en marchant section), the annexes
VERSION_QUERIES = 10
OPEN_DATA_CATALOGUE_QUERIES = 1  # the latest version of each published diagnostic


def count_queries(client, url) -> int:
    client.get(url)  # warm caches that are not per-request (content types, templates)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("years", [1, 4])
def test_index(as_role, make_diagnostic, ouest, sud, years, django_assert_num_queries):
    for offset in range(years):
        make_diagnostic(ouest, year=YEAR - offset, status="published")
        make_diagnostic(sud, year=YEAR - offset, status="review")
    client = as_role("chef")
    client.get(reverse("diagnostics:index"))
    with django_assert_num_queries(INDEX_QUERIES):
        response = client.get(reverse("diagnostics:index"))
    assert (
        response.content.decode().count("Quartier Ouest — ") == years * 2
    )  # published + working copy


@pytest.mark.parametrize("contributions", [1, 6])
def test_builder(
    as_role, make_diagnostic, ouest, personas, contributions, year_data, django_assert_num_queries
):
    diagnostic = make_diagnostic(ouest, status="review")
    for index, section in enumerate(list(diagnostic.sections.all())[:contributions]):
        services.contribution_submit(
            section=section, author=personas["agent"], body=f"Idée {index}"
        )
    client = as_role("chef")
    url = reverse("diagnostics:detail", args=[diagnostic.pk])
    client.get(url)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(url)
    assert response.content.decode().count("Idée ") == contributions


@pytest.mark.parametrize("corrections", [0, 3])
def test_version_page(
    as_role, make_diagnostic, ouest, personas, corrections, year_data, django_assert_num_queries
):
    chef = personas["chef"]
    diagnostic = make_diagnostic(ouest, status="published")
    for number in range(corrections):
        for action in ("correct", "review", "validate"):
            services.diagnostic_transition(diagnostic=diagnostic, action=action, by=chef)
        services.diagnostic_transition(
            diagnostic=diagnostic, action="publish", by=chef, note=f"Correction {number}"
        )
    client = as_role("elu")
    url = reverse("diagnostics:version", args=[diagnostic.pk, 1])
    client.get(url)
    with django_assert_num_queries(VERSION_QUERIES):
        client.get(url)


def test_the_published_list_is_paginated_and_searchable(
    as_role, make_diagnostic, ouest, sud, settings
):
    from diagnostics import views

    for year in range(2000, 2000 + views.PAGE_SIZE + 2):
        make_diagnostic(ouest, year=year, status="published")
    make_diagnostic(sud, year=2000, status="published")
    client = as_role("maire")
    first = client.get(reverse("diagnostics:index")).content.decode()
    assert first.count("Quartier Ouest — ") + first.count("Quartier Sud — ") == views.PAGE_SIZE
    assert "Page 1 sur 2" in first
    found = client.get(reverse("diagnostics:index"), {"q": "sud"}).content.decode()
    assert "Quartier Sud — 2000" in found and "Quartier Ouest" not in found


@pytest.mark.parametrize("years", [1, 4])
@pytest.mark.parametrize("page", ["opendata:catalogue", "opendata:dcat"])
def test_open_data_catalogue(client, make_diagnostic, ouest, sud, years, page):
    """Signed out, as a data portal reads it: the same count for one year or four."""
    for offset in range(years):
        make_diagnostic(ouest, year=YEAR - offset, status="published")
        make_diagnostic(sud, year=YEAR - offset, status="published")
    assert count_queries(client, reverse(page)) == OPEN_DATA_CATALOGUE_QUERIES
    assert client.get(reverse(page)).content.decode().count("v1.csv") == years * 2
