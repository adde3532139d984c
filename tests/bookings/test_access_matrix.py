"""Every role × every page of `bookings`: allowed pages answer 200, others 404 (never 403).

The MSP belongs to Ouest; its room and vehicle are for the Ouest team. Those who read every
quartier (maire, comité de direction, administrators) and the élue of Ouest read its week; the
team books; the chef de projet of Ouest and administrators manage it. The responsable de service
(in no team) and the agent of Sud see nothing of it, unless a resource is open to every agent.
"""

import pytest
from django.urls import reverse

from bookings.models import Resource
from tests.bookings.factories import book, make_resource
from tests.teams.factories import ROLES

OK, HIDDEN = 200, 404
ALL = dict.fromkeys(ROLES, OK)
READERS = {**ALL, "responsable": HIDDEN, "outsider": HIDDEN}
BOOKERS = {**dict.fromkeys(ROLES, HIDDEN), "agent": OK, "chef": OK, "admin": OK}
MANAGERS = {**dict.fromkeys(ROLES, HIDDEN), "chef": OK, "admin": OK}

MATRIX = {
    "index": ALL,
    "place": READERS,
    "place_day": READERS,
    "resource": READERS,
    "book": BOOKERS,
    "place_create": MANAGERS,
    "place_edit": MANAGERS,
    "resource_create": MANAGERS,
    "resource_edit": MANAGERS,
}


@pytest.fixture
def world(personas, msp, room, vehicle):
    booking = book(vehicle, personas["agent"], purpose="Tournée des résidences")
    return {"place": msp, "room": room, "vehicle": vehicle, "booking": booking}


def url_for(page, world):
    place, vehicle = world["place"], world["vehicle"]
    return {
        "index": reverse("bookings:index"),
        "place": reverse("bookings:place", args=[place.slug]),
        "place_day": reverse("bookings:place", args=[place.slug]) + "?vue=jour",
        "resource": reverse("bookings:resource", args=[vehicle.pk]),
        "book": reverse("bookings:book", args=[vehicle.pk]),
        "place_create": reverse("bookings:place_create"),
        "place_edit": reverse("bookings:place_edit", args=[place.slug]),
        "resource_create": reverse("bookings:resource_create", args=[place.slug]),
        "resource_edit": reverse("bookings:resource_edit", args=[vehicle.pk]),
    }[page]


@pytest.mark.parametrize("role", ROLES)
def test_matrix(role, as_role, world):
    client = as_role(role)
    for page in sorted(MATRIX):
        response = client.get(url_for(page, world))
        assert response.status_code == MATRIX[page][role], f"{role} on {page}"


def test_anonymous_is_sent_to_login(client, world):
    for page in sorted(MATRIX):
        assert client.get(url_for(page, world)).status_code == 302, page


@pytest.mark.parametrize("role", ["outsider", "responsable"])
def test_out_of_reach_sees_nothing_of_the_msp_in_the_list(role, as_role, world):
    body = as_role(role).get(reverse("bookings:index")).content.decode()
    assert "MSP" not in body and "Tournée des résidences" not in body


def test_a_bike_open_to_everyone_opens_the_place_but_not_the_teams_room(as_role, world):
    bike = make_resource(world["place"], "Vélo", audience=Resource.Audience.EVERYONE)
    client = as_role("outsider")
    place = client.get(reverse("bookings:place", args=[world["place"].slug])).content.decode()
    assert reverse("bookings:book", args=[bike.pk]) in place
    assert reverse("bookings:book", args=[world["room"].pk]) not in place  # no dead end
    assert client.get(reverse("bookings:book", args=[bike.pk])).status_code == OK
    assert client.get(reverse("bookings:book", args=[world["room"].pk])).status_code == HIDDEN


def test_a_service_resource_is_booked_by_its_service(as_role, world, services):
    scooter = make_resource(
        world["place"],
        "Vélo cargo",
        audience=Resource.Audience.SERVICE,
        audience_service=services["technique"],
    )
    assert as_role("responsable").get(reverse("bookings:book", args=[scooter.pk])).status_code == OK
    assert as_role("agent").get(reverse("bookings:book", args=[scooter.pk])).status_code == HIDDEN


def test_the_cancel_button_is_for_the_booker_and_the_manager(as_role, world):
    url = reverse("bookings:cancel", args=[world["booking"].pk])
    day = world["booking"].start.date().isoformat()
    page = reverse("bookings:resource", args=[world["vehicle"].pk]) + f"?vue=jour&date={day}"
    assert url in as_role("agent").get(page).content.decode()
    assert url in as_role("chef").get(page).content.decode()
    assert url not in as_role("elu").get(page).content.decode()
    assert as_role("elu").post(url).status_code == HIDDEN
    assert as_role("outsider").post(url).status_code == HIDDEN
