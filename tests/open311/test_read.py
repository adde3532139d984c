"""GET endpoints: every answer checked field by field against the spec, in JSON and XML."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from observations.models import Category, Observation
from open311.models import ServiceAttribute
from tests.observations.factories import SECRET_TITLE
from tests.open311 import spec

BASE = "/open311/v2"
FORMATS = ["json", "xml"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(client, db, fmt):
    response = client.get(f"{BASE}/discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        data = spec.parse_json(response)
        spec.check_json(spec.DISCOVERY, data)
        assert data["endpoints"][0]["url"] == "http://testserver/open311/v2/"
    else:
        root = spec.parse_xml(response, "discovery")
        spec.check_xml_element(spec.DISCOVERY, root)
        formats = [f.text for f in root.iter("format")]
        assert formats == ["application/json", "text/xml"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_active_categories_with_their_routing_service(client, services, fmt):
    Category.objects.filter(slug="proprete").update(is_active=False)
    voirie = Category.objects.get(slug="voirie-eclairage")
    voirie.default_service = services["technique"]
    voirie.save()
    ServiceAttribute.objects.create(category=voirie, code="type", description="Quoi ?")
    response = client.get(f"{BASE}/services.{fmt}")
    assert response.status_code == 200
    items = spec.check_list(response, "services", spec.SERVICE, fmt)
    codes = {spec.field(item, "service_code"): item for item in items}
    assert "proprete" not in codes
    assert set(codes) == set(Category.objects.filter(is_active=True).values_list("slug", flat=True))
    item = codes["voirie-eclairage"]
    assert spec.field(item, "group") == "Services techniques"
    assert spec.field(item, "metadata") in (True, "true")
    assert spec.field(codes["social-precarite"], "metadata") in (False, "false")


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_lists_the_attributes(client, db, fmt):
    voirie = Category.objects.get(slug="voirie-eclairage")
    ServiceAttribute.objects.create(
        category=voirie, code="objet", description="Qu'est-ce qui est abîmé ?",
        datatype=ServiceAttribute.Datatype.SINGLE, required=True, order=1,
        values=[{"key": "lampadaire", "name": "Lampadaire"}, {"key": "banc", "name": "Banc"}],
    )  # fmt: skip
    response = client.get(f"{BASE}/services/voirie-eclairage.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        data = spec.parse_json(response)
        spec.check_json(spec.SERVICE_DEFINITION, data)
        assert data["attributes"][0]["values"][1] == {"key": "banc", "name": "Banc"}
        assert data["attributes"][0]["required"] is True
    else:
        root = spec.parse_xml(response, "service_definition")
        spec.check_xml_element(spec.SERVICE_DEFINITION, root)
        assert [v.findtext("key") for v in root.iter("value")] == ["lampadaire", "banc"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_service_is_a_spec_404(client, db, fmt):
    response = client.get(f"{BASE}/services/nope.{fmt}")
    assert response.status_code == 404
    items = spec.check_list(response, "errors", spec.ERROR, fmt)
    assert spec.field(items[0], "code") in (404, "404")


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_need_a_valid_key(client, partner, requests_world, fmt):
    for query in ("", "?api_key=wrong"):
        response = client.get(f"{BASE}/requests.{fmt}{query}")
        assert response.status_code == 403
        items = spec.check_list(response, "errors", spec.ERROR, fmt)
        assert "clé" in spec.field(items[0], "description").lower()


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_list_the_public_observations_of_the_keys_quartiers(
    client, key, requests_world, fmt
):
    response = client.get(f"{BASE}/requests.{fmt}", {"api_key": key})
    assert response.status_code == 200
    items = spec.check_list(response, "requests", spec.REQUEST, fmt)
    ids = {spec.field(item, "service_request_id") for item in items}
    world = requests_world
    assert ids == {str(world["open"].pk), str(world["closed"].pk)}
    assert SECRET_TITLE.encode() not in response.content
    opened = next(i for i in items if spec.field(i, "service_request_id") == str(world["open"].pk))
    assert spec.field(opened, "status") == "open"
    assert spec.field(opened, "service_code") == "voirie-eclairage"
    assert spec.field(opened, "agency_responsible") == "Services techniques"
    assert float(spec.field(opened, "lat")) == 50.29
    assert float(spec.field(opened, "long")) == 2.75
    requested = datetime.datetime.fromisoformat(spec.field(opened, "requested_datetime"))
    assert requested.utcoffset() == timezone.localtime(world["open"].observed_at).utcoffset()


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_filters(client, key, requests_world, fmt):
    world = requests_world

    def ids(**params):
        response = client.get(f"{BASE}/requests.{fmt}", {"api_key": key, **params})
        assert response.status_code == 200, response.content
        items = spec.check_list(response, "requests", spec.REQUEST, fmt)
        return {int(spec.field(item, "service_request_id")) for item in items}

    assert ids(status="open") == {world["open"].pk}
    assert ids(status="closed") == {world["closed"].pk}
    assert ids(service_code="voirie-eclairage") == {world["open"].pk}
    # The id list overrides the other filters; what the key does not reach is left out.
    asked = f"{world['closed'].pk},{world['secret'].pk},{world['sud'].pk}"
    assert ids(service_request_id=asked, status="open") == {world["closed"].pk}
    # The default window is the last 90 days.
    Observation.objects.filter(pk=world["closed"].pk).update(
        observed_at=timezone.now() - datetime.timedelta(days=91)
    )
    assert ids() == {world["open"].pk}
    start = (timezone.now() - datetime.timedelta(days=100)).isoformat()
    end = (timezone.now() - datetime.timedelta(days=80)).isoformat()
    assert ids(start_date=start, end_date=end) == {world["closed"].pk}


@pytest.mark.parametrize(
    "params",
    [
        {"status": "pending"},
        {"start_date": "hier"},
        {"start_date": "2026-01-01T00:00:00+01:00", "end_date": "2026-06-01T00:00:00+01:00"},
        {"start_date": "2026-06-01T00:00:00+01:00", "end_date": "2026-01-01T00:00:00+01:00"},
        {"service_request_id": "12,abc"},
        {"service_request_id": "12,²"},  # a digit to str.isdigit, not to int()
        {"page": "0"},
        {"page": "deux"},
        {"page": "100001"},
        {"page_size": "1001"},
        {"page_size": "²"},
        {"page": "①"},
        {"page": "9" * 40},
    ],
)
def test_bad_filters_are_spec_400s(client, key, params):
    response = client.get(f"{BASE}/requests.xml", {"api_key": key, **params})
    assert response.status_code == 400
    items = spec.check_list(response, "errors", spec.ERROR, "xml")
    assert spec.field(items[0], "code") == "400"


def test_at_most_1000_requests(client, key, personas, ouest):
    Observation.objects.bulk_create(
        Observation(
            quartier=ouest, category=Category.objects.get(slug="proprete"), title=f"n{n}",
            place="rue", author=personas["agent"],
        )
        for n in range(1005)
    )  # fmt: skip
    response = client.get(f"{BASE}/requests.json", {"api_key": key})
    assert len(response.json()) == 1000


def test_pages_of_requests_newest_first_through_the_window(client, key, personas, ouest):
    now = timezone.now()
    Observation.objects.bulk_create(
        Observation(
            quartier=ouest, category=Category.objects.get(slug="proprete"), title=f"n{n}",
            place="rue", author=personas["agent"], observed_at=now - datetime.timedelta(hours=n),
        )
        for n in range(7)
    )  # fmt: skip
    expected = list(
        Observation.objects.filter(quartier=ouest, title__startswith="n")
        .order_by("-observed_at")
        .values_list("pk", flat=True)
    )

    def page(number, fmt="json"):
        response = client.get(
            f"{BASE}/requests.{fmt}", {"api_key": key, "page_size": 3, "page": number}
        )
        assert response.status_code == 200, response.content
        items = spec.check_list(response, "requests", spec.REQUEST, fmt)
        return [int(spec.field(item, "service_request_id")) for item in items]

    assert page(1) + page(2) + page(3, "xml") == expected
    assert page(4) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_detail(client, key, requests_world, fmt):
    world = requests_world
    response = client.get(f"{BASE}/requests/{world['closed'].pk}.{fmt}", {"api_key": key})
    assert response.status_code == 200
    (item,) = spec.check_list(response, "requests", spec.REQUEST, fmt)
    assert spec.field(item, "status") == "closed"
    assert spec.field(item, "status_notes") == "sans suite"
    for hidden in ("secret", "sud"):
        response = client.get(f"{BASE}/requests/{world[hidden].pk}.{fmt}", {"api_key": key})
        assert response.status_code == 404
        spec.check_list(response, "errors", spec.ERROR, fmt)


def test_revoked_key_is_refused(client, partner, requests_world):
    api_key, clear = partner
    api_key.revoked_at = timezone.now()
    api_key.save()
    response = client.get(f"{BASE}/requests.json", {"api_key": clear})
    assert response.status_code == 403


def test_unknown_format_is_not_found(client, key):
    assert client.get(f"{BASE}/requests.html", {"api_key": key}).status_code == 404


def test_query_counts_do_not_grow_with_the_data(
    client, key, requests_world, django_assert_num_queries
):
    # key, rate-limit touch, the requests (category and service joined)
    with django_assert_num_queries(3):
        response = client.get(f"{BASE}/requests.json", {"api_key": key})
    assert len(response.json()) == 2
    with django_assert_num_queries(3):
        client.get(f"{BASE}/requests/{requests_world['open'].pk}.json", {"api_key": key})
    # the categories with their service, the categories that have attributes
    with django_assert_num_queries(2):
        client.get(f"{BASE}/services.json")
