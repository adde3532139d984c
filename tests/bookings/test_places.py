"""The chef de projet sets up a place and its equipment through the forms: refusals in French,
what was typed kept, and the place's page shows what was added."""

from django.urls import reverse

from bookings.models import Place, Resource

RESOURCE = {
    "kind": "vehicle",
    "name": "Véhicule électrique",
    "capacity": 4,
    "notes": "Badge de recharge à l'accueil.",
    "max_duration_minutes": 480,
    "max_days_ahead": 30,
    "audience": "team",
    "is_active": "on",
}


def test_the_chef_sets_up_a_place_and_its_equipment(as_role, ouest, sud, services):
    client = as_role("chef")
    create = reverse("bookings:place_create")
    form = client.get(create).content.decode()
    assert "Ouest" in form and "Sud" not in form  # only the chef's own quartiers are offered

    response = client.post(create, {"name": "MSP Ouest", "address": "rue des Tilleuls"})
    body = response.content.decode()
    assert "Cochez au moins un quartier." in body and 'value="rue des Tilleuls"' in body
    assert not Place.objects.exists()
    # A quartier that is not the chef's, posted by hand: refused like a missing one.
    client.post(create, {"name": "MSP Ouest", "quartiers": [sud.pk]})
    assert not Place.objects.exists()

    response = client.post(create, {"name": "MSP Ouest", "quartiers": [ouest.pk]})
    place = Place.objects.get()
    assert response["Location"] == place.get_absolute_url()
    assert list(place.quartiers.all()) == [ouest]
    response = client.post(create, {"name": "MSP Ouest", "quartiers": [ouest.pk]})
    assert "Un lieu porte déjà ce nom." in response.content.decode()

    add = reverse("bookings:resource_create", args=[place.slug])
    response = client.post(add, {**RESOURCE, "audience": "service"})
    body = response.content.decode()
    assert "Choisissez le service autorisé à réserver." in body
    assert 'value="Véhicule électrique"' in body and not Resource.objects.exists()
    response = client.post(add, RESOURCE)
    vehicle = Resource.objects.get()
    assert response["Location"] == vehicle.get_absolute_url()
    assert (vehicle.place, vehicle.kind, vehicle.capacity) == (place, "vehicle", 4)
    response = client.post(add, RESOURCE)
    assert "Ce lieu a déjà un équipement de ce nom." in response.content.decode()
    client.post(
        add, {**RESOURCE, "kind": "bike", "name": "Vélo n° 1", "capacity": 1, "audience": "service",
              "audience_service": services["technique"].pk}
    )  # fmt: skip
    bike = Resource.objects.get(kind="bike")
    assert (bike.audience, bike.audience_service) == ("service", services["technique"])

    page = client.get(place.get_absolute_url()).content.decode()
    assert "Véhicule électrique" in page and "Vélo n° 1" in page
    # The agent (youth service) books the team's vehicle, not the technical service's bike.
    agent = as_role("agent")
    assert agent.get(reverse("bookings:book", args=[vehicle.pk])).status_code == 200
    assert agent.get(reverse("bookings:book", args=[bike.pk])).status_code == 404
