"""The observation list as a map: the same people see the same observations, the points in the
visible area; outlines validated; points rounded and flagged when outside every outline."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from observations import services as obs_services
from observations.models import Category, Observation
from teams import geo
from tests.teams.factories import ROLES

pytestmark = pytest.mark.django_db

# A square around Ouest (west, south, east, north) and one around Sud, far apart.
OUEST = {"type": "Polygon", "coordinates": [[[2.74, 50.28], [2.77, 50.28], [2.77, 50.30], [2.74, 50.30], [2.74, 50.28]]]}  # fmt: skip
SUD = {"type": "Polygon", "coordinates": [[[2.76, 50.26], [2.80, 50.26], [2.80, 50.275], [2.76, 50.275], [2.76, 50.26]]]}  # fmt: skip


@pytest.fixture
def located(personas, ouest, sud, services):
    ouest.outline, sud.outline = OUEST, SUD
    ouest.save(), sud.save()
    proprete = Category.objects.get(slug="proprete")

    def create(quartier, title, lat, lon, **fields):
        return obs_services.observation_create(
            author=personas["chef"] if quartier == ouest else personas["admin"],
            quartier=quartier, category=proprete, title=title, place="ici",
            latitude=lat, longitude=lon, **fields,
        )  # fmt: skip

    made = {
        "ouest": create(ouest, "Banc cassé", "50.29001", "2.75003"),
        "ouest_east": create(ouest, "Tags", "50.29", "2.769"),
        "secret": create(
            ouest,
            "Famille Canari",
            "50.291",
            "2.751",
            confidentiality=Observation.Confidentiality.CONFIDENTIAL,
        ),  # fmt: skip
        "sud": create(sud, "Lampadaire", "50.27", "2.78"),
        "nowhere": create(ouest, "Sans point", None, None),
    }
    obs_services.observation_triage(
        observation=made["secret"], by=personas["chef"], service=services["ccas"], urgency="normale"
    )
    return made


def list_ids(client, query="") -> set[int]:
    response = client.get(reverse("observations:index") + query)
    if response.status_code != 200:
        return set()
    return {int(n) for n in re.findall(r"n° (\d+)</span>", response.content.decode())}


def map_ids(client, query="") -> set[int] | None:
    response = client.get(reverse("observations:map_points") + query)
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    return {feature["id"] for feature in response.json()["features"]}


@pytest.mark.parametrize("role", ROLES)
def test_the_map_shows_exactly_the_list_s_observations_that_have_a_point(role, as_role, located):
    client = as_role(role)
    listed = list_ids(client)
    on_map = map_ids(client)
    with_point = {pk for pk in listed if Observation.objects.get(pk=pk).has_coordinates}
    if on_map is None:  # no list either (élus read counts): no map
        assert not listed
        assert client.get(reverse("observations:map")).status_code == 302
        return
    assert on_map == with_point
    # The confidential one only to those who read it in the list, its point included.
    assert (located["secret"].pk in on_map) == (located["secret"].pk in listed)
    assert located["nowhere"].pk not in on_map


def test_the_same_filters_apply(as_role, located, ouest):
    client = as_role("admin")
    query = f"?quartier={ouest.pk}"
    assert (
        map_ids(client, query)
        == {located[k].pk for k in ("ouest", "ouest_east", "secret")}
        == {pk for pk in list_ids(client, query) if pk != located["nowhere"].pk}
    )


def test_only_the_visible_area_is_served(as_role, located):
    client = as_role("admin")
    west_part = "?bbox=2.74,50.28,2.76,50.30"
    assert map_ids(client, west_part) == {located["ouest"].pk, located["secret"].pk}
    response = client.get(reverse("observations:map_points") + "?bbox=est,nord")
    assert response.status_code == 400
    assert "ouest,sud,est,nord" in response.json()["error"]


def test_features_are_compact_and_say_no_more_than_the_list(as_role, located):
    client = as_role("agent")
    features = client.get(reverse("observations:map_points")).json()["features"]
    (feature,) = [f for f in features if f["id"] == located["ouest"].pk]
    assert feature["geometry"] == {"type": "Point", "coordinates": [2.75, 50.29]}
    assert set(feature["properties"]) == {"t", "c", "s", "k"}
    assert "Canari" not in str(features)  # the agent does not read the confidential one


def test_points_are_rounded_and_flagged_outside_every_outline(located, personas, ouest):
    observation = Observation.objects.get(pk=located["ouest"].pk)
    assert (observation.latitude, observation.longitude) == (Decimal("50.2900"), Decimal("2.7500"))
    assert observation.outside_outlines is False
    far = obs_services.observation_create(
        author=personas["chef"], quartier=ouest, category=Category.objects.get(slug="proprete"),
        title="Loin", place="?", latitude="48.85", longitude="2.35",
    )  # fmt: skip
    assert far.outside_outlines is True
    obs_services.observation_update(
        observation=far, by=personas["chef"], data={"latitude": Decimal("50.29"), "longitude": Decimal("2.75")}
    )  # fmt: skip
    far.refresh_from_db()
    assert far.outside_outlines is False


def test_the_chef_sees_the_flag(as_role, located, personas, ouest):
    far = obs_services.observation_create(
        author=personas["chef"], quartier=ouest, category=Category.objects.get(slug="proprete"),
        title="Loin", place="?", latitude="48.85", longitude="2.35",
    )  # fmt: skip
    page = as_role("chef").get(far.get_absolute_url()).content.decode()
    assert "hors des périmètres connus" in page


@pytest.mark.parametrize(
    "outline, message",
    [
        ({"type": "Point", "coordinates": [2.7, 50.2]}, "Polygon ou MultiPolygon"),
        ({"type": "Polygon", "coordinates": [[[2.7, 50.2], [2.8, 50.2], [2.8, 50.3]]]}, "se refermer"),
        ({"type": "Polygon", "coordinates": [[[50.2, 2.7], [50.3, 2.7], [50.3, 2.8], [50.2, 2.7]]]}, None),
        ({"type": "Polygon", "coordinates": [[[2.7, 95], [2.8, 95], [2.8, 96], [2.7, 95]]]}, "longitude puis latitude"),
        ({"type": "Polygon", "coordinates": "abc"}, "mal formées"),
    ],
)  # fmt: skip
def test_outlines_are_validated(outline, message, ouest):
    ouest.outline = outline
    if message is None:  # lat/lon swapped but within range: valid GeoJSON, a wrong place
        ouest.full_clean()
        return
    with pytest.raises(ValidationError, match=message):
        ouest.full_clean()


def test_point_in_outline_respects_holes():
    ring = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    hole = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
    outline = {"type": "Polygon", "coordinates": [ring, hole]}
    assert geo.contains(outline, 1, 1)
    assert not geo.contains(outline, 5, 5)
    assert not geo.contains(outline, 11, 5)
    multi = {
        "type": "MultiPolygon",
        "coordinates": [[ring], [[[20, 20], [30, 20], [30, 30], [20, 20]]]],
    }
    assert geo.contains(multi, 28, 22) and not geo.contains(multi, 15, 15)


def test_the_map_page_carries_the_list_s_filters_and_the_tiles_setting(
    as_role, located, ouest, settings
):
    page = as_role("chef").get(reverse("observations:map") + f"?quartier={ouest.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"points.geojson?quartier={ouest.pk}" in html
    assert settings.MAP_TILE_URL.split("?")[0] in html
    # The tile server is allowed by the content security policy, nothing else is.
    assert "https://data.geopf.fr" in page["Content-Security-Policy"]


# Ouest's outline redrawn further north: the old square's southern half is left out.
OUEST_NORTH = {"type": "Polygon", "coordinates": [[[2.74, 50.295], [2.77, 50.295], [2.77, 50.32], [2.74, 50.32], [2.74, 50.295]]]}  # fmt: skip


def _admin_on_ouest(client, personas, ouest):
    from tests.security.test_accounts import _admin_change_data, activate_totp

    activate_totp(personas["admin"])
    client.force_login(personas["admin"])
    url = reverse("admin:teams_quartier_change", args=[ouest.pk])
    return url, _admin_change_data(client.get(url))


def test_an_outline_redrawn_in_the_admin_flags_the_points_again(
    client, personas, ouest, sud, django_capture_on_commit_callbacks
):
    import json

    ouest.outline, sud.outline = OUEST, SUD
    ouest.save(), sud.save()
    proprete = Category.objects.get(slug="proprete")

    def create(quartier, lat, lon):
        return obs_services.observation_create(
            author=personas["admin"], quartier=quartier, category=proprete, title="Point",
            place="ici", latitude=lat, longitude=lon,
        )  # fmt: skip

    made = {
        "south_half": create(ouest, "50.285", "2.75"),  # in the old outline, not the new one
        "north": create(ouest, "50.31", "2.75"),  # in the new one only
        "sud": create(sud, "50.27", "2.78"),  # in Sud's, untouched
        # Logged under Sud, lying in Ouest's old outline: inside another's, then in none.
        "sud_in_ouest": create(sud, "50.29", "2.745"),
    }
    assert {k: o.outside_outlines for k, o in made.items()} == {
        "south_half": False, "north": True, "sud": False, "sud_in_ouest": False,
    }  # fmt: skip

    url, data = _admin_on_ouest(client, personas, ouest)
    data["outline"] = json.dumps(OUEST_NORTH)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    ouest.refresh_from_db()
    assert ouest.outline == OUEST_NORTH
    flags = dict(
        Observation.objects.filter(pk__in=[o.pk for o in made.values()]).values_list(
            "pk", "outside_outlines"
        )
    )
    assert {k: flags[o.pk] for k, o in made.items()} == {
        "south_half": True, "north": False, "sud": False, "sud_in_ouest": True,
    }  # fmt: skip


def test_a_wrong_outline_in_the_admin_is_said_in_french_and_kept(client, personas, ouest):
    url, data = _admin_on_ouest(client, personas, ouest)
    typed = '{"type": "Point", "coordinates": [2.75, 50.29]}'
    data["outline"] = typed
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Polygon ou MultiPolygon" in page
    assert "&quot;Point&quot;" in page  # what was typed, to be corrected
    ouest.refresh_from_db()
    assert ouest.outline is None
