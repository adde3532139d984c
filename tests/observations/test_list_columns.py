"""Lists do not read the quartiers' outlines (polygons of kilobytes, decoded per row): the
lists of observations and documents, their filter bars and the panels join the quartier
without it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents import services as documents
from tests.documents.factories import CSV_BYTES, upload
from tests.observations.factories import make_observation

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[2.74, 50.28], [2.76, 50.28], [2.76, 50.30], [2.74, 50.30], [2.74, 50.28]]],
}


@pytest.fixture
def outlined(ouest, personas):
    ouest.outline = SQUARE
    ouest.save()
    make_observation(ouest, personas["agent"], title="Banc cassé")
    space = documents.space_of_quartier(ouest)
    documents.document_create(
        space=space, by=personas["chef"], title="Plan", upload=upload(CSV_BYTES, "plan.csv")
    )
    return space


PAGES = {
    # page: (role, what it shows)
    "observations:index": ("agent", "Banc cassé"),
    "observations:queue": ("responsable", ""),
    "observations:escalations": ("direction", ""),
    "observations:emerging": ("chef", ""),
    "home": ("agent", "Banc cassé"),
    "space": ("agent", "Plan"),
    "documents:index": ("agent", "1 document"),
    "meetings:index": ("chef", ""),
    "diagnostics:index": ("chef", ""),
    "opendata:catalogue": ("elu", ""),
    "teams:quartier_list": ("direction", "Ouest"),
    "teams:annuaire": ("agent", ""),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_no_outline_is_read(page, outlined, as_role):
    role, shown = PAGES[page]
    url = outlined.get_absolute_url() if page == "space" else reverse(page)
    client = as_role(role)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert shown in response.content.decode()
    read = [q["sql"] for q in queries.captured_queries if '"outline"' in q["sql"]]
    assert read == []
