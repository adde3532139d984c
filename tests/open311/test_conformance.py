"""The API driven over real HTTP by a client written from the spec only (`georeport_client`)."""

from __future__ import annotations

import datetime
from importlib import import_module

import pytest
from django.apps import apps

from open311 import services
from tests.open311.conftest import IN_OUEST, IN_SUD
from tests.open311.georeport_client import GeoReportClient, GeoReportError


@pytest.fixture
def seeded(transactional_db):
    """The categories of the data migration: a transactional test's flush removed them."""
    if not apps.get_model("observations", "Category").objects.exists():
        import_module("observations.migrations.0002_search_index_and_categories").seed(apps, None)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_partner_walks_the_spec(live_server, seeded, personas, ouest, outlines, fmt):
    _, clear = services.api_key_create(partner="Client de conformité", quartiers=[ouest])
    client = GeoReportClient(f"{live_server.url}/open311/v2/", api_key=clear, fmt=fmt)

    discovery = client.discovery()
    endpoint = discovery["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == f"{live_server.url}/open311/v2/"

    codes = [service["service_code"] for service in client.services()]
    assert "voirie-eclairage" in codes
    assert client.service_definition("voirie-eclairage")["service_code"] == "voirie-eclairage"

    (created,) = client.post_request(
        "voirie-eclairage", lat=IN_OUEST[0], long=IN_OUEST[1], description="Lampadaire éteint"
    )
    request_id = created["service_request_id"]
    assert client.token(created["token"])[0]["service_request_id"] == request_id

    (detail,) = client.request(request_id)
    assert detail["status"] == "open"
    assert detail["service_code"] == "voirie-eclairage"
    moment = datetime.datetime.fromisoformat(detail["requested_datetime"])
    assert moment.tzinfo is not None

    listed = client.requests(status="open", service_code="voirie-eclairage")
    assert request_id in [item["service_request_id"] for item in listed]
    assert client.requests(status="closed") == []

    with pytest.raises(GeoReportError) as refused:
        client.post_request("voirie-eclairage", lat=IN_SUD[0], long=IN_SUD[1])
    assert refused.value.status == 400
    assert str(refused.value.errors[0]["code"]) == "400"

    with pytest.raises(GeoReportError) as forbidden:
        GeoReportClient(client.endpoint, api_key="faux", fmt=fmt).requests()
    assert forbidden.value.status == 403
