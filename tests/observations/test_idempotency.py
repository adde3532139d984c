"""Each submission of the observation form carries a key: sending it again never creates two.

The phone's queue replays what was logged offline, a double tap sends twice, a connection cut
mid-upload leaves the browser unsure: the server answers the observation it already has.
Also: the JSON answers the queue reads, and the refusal of an item queued under another account.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, connections
from django.urls import reverse

from observations import selectors, services
from observations.models import Category, Notification, Observation, Photo, StatusChange
from tests.observations.factories import jpeg_bytes
from tests.observations.test_photos import form_data

JSON = {"HTTP_ACCEPT": "application/json"}


def _create(author, quartier, key, **extra):
    return services.observation_create(
        author=author, quartier=quartier, category=Category.objects.get(slug="proprete"),
        title="Encombrants", place="rue Verlaine", idempotency_key=key, **extra,
    )  # fmt: skip


def _photo(name="p.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def test_the_same_key_twice_answers_the_first_observation(personas, ouest):
    key = uuid.uuid4()
    first = _create(personas["agent"], ouest, key)
    second = _create(personas["agent"], ouest, key)
    assert second.pk == first.pk
    assert Observation.objects.count() == 1
    assert StatusChange.objects.filter(observation=first).count() == 1
    assert Notification.objects.filter(observation=first).count() == 1  # the chef told once


def test_the_key_belongs_to_its_author(personas, ouest):
    key = uuid.uuid4()
    mine = _create(personas["agent"], ouest, key)
    theirs = _create(personas["chef"], ouest, key)
    assert mine.pk != theirs.pk


def test_no_key_creates_each_time(personas, ouest):
    _create(personas["agent"], ouest, None)
    _create(personas["agent"], ouest, None)
    assert Observation.objects.count() == 2
    assert selectors.observation_sent_with(personas["agent"], None) is None


def test_a_double_tap_on_the_form_makes_one_observation_with_its_photos(as_role, ouest):
    client = as_role("agent")
    key = str(uuid.uuid4())
    first = client.post(
        reverse("observations:create"), form_data(ouest, idempotency_key=key, photos=[_photo()])
    )
    # The same form again (same place, same category): not offered as a duplicate of itself.
    second = client.post(
        reverse("observations:create"), form_data(ouest, idempotency_key=key, photos=[_photo()])
    )
    observation = Observation.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == observation.get_absolute_url() + "?enregistree=1"
    assert Photo.objects.filter(observation=observation).count() == 1


def test_the_queue_reads_json_created_then_the_same(as_role, ouest):
    client = as_role("agent")
    data = form_data(ouest, idempotency_key=str(uuid.uuid4()))
    first = client.post(reverse("observations:create"), data, **JSON)
    second = client.post(reverse("observations:create"), data, **JSON)
    observation = Observation.objects.get()
    assert first.status_code == 201
    assert first.json() == {
        "id": observation.pk,
        "url": observation.get_absolute_url(),
        "created": True,
    }
    assert second.status_code == 200
    assert second.json()["id"] == observation.pk
    assert second.json()["created"] is False


def test_possible_duplicates_do_not_hold_back_a_queued_item(as_role, ouest):
    """Offline, the agent could not see the similar observations: the item is saved."""
    client = as_role("agent")
    client.post(reverse("observations:create"), form_data(ouest), **JSON)
    response = client.post(
        reverse("observations:create"), form_data(ouest, idempotency_key=str(uuid.uuid4())), **JSON
    )
    assert response.status_code == 201
    assert Observation.objects.count() == 2


def test_a_refused_item_gets_the_reason_in_french(as_role, ouest):
    client = as_role("agent")
    data = form_data(ouest, idempotency_key=str(uuid.uuid4()), title="")
    response = client.post(reverse("observations:create"), data, **JSON)
    assert response.status_code == 400
    body = response.json()
    assert "Ce que vous avez vu, en quelques mots : Ce champ est obligatoire." in body["message"]
    assert "title" in body["errors"]
    assert not Observation.objects.exists()


def test_personal_data_refusal_is_said_to_the_queue(as_role, ouest):
    client = as_role("agent")
    data = form_data(ouest, description="Appeler M. Dupont au 06 12 34 56 78")
    response = client.post(reverse("observations:create"), data, **JSON)
    assert response.status_code == 400
    assert "données personnelles" in response.json()["message"]


def test_an_item_queued_under_another_account_is_refused(as_role, ouest, personas):
    client = as_role("agent")
    data = form_data(ouest, idempotency_key=str(uuid.uuid4()), queued_for=personas["chef"].pk)
    response = client.post(reverse("observations:create"), data, **JSON)
    assert response.status_code == 403
    assert "autre compte" in response.json()["message"]
    html = client.post(reverse("observations:create"), data)
    assert html.status_code == 403
    assert not Observation.objects.exists()


def test_an_item_queued_under_ones_own_account_is_accepted(as_role, ouest, personas):
    client = as_role("agent")
    data = form_data(ouest, idempotency_key=str(uuid.uuid4()), queued_for=personas["agent"].pk)
    response = client.post(reverse("observations:create"), data, **JSON)
    assert response.status_code == 201
    assert Observation.objects.get().author == personas["agent"]


def test_someone_else_replaying_a_key_gets_their_own_observation(as_role, ouest):
    """The key never reveals another person's observation: it is looked up among one's own."""
    key = str(uuid.uuid4())
    as_role("agent").post(reverse("observations:create"), form_data(ouest, idempotency_key=key))
    response = as_role("chef").post(
        reverse("observations:create"), form_data(ouest, idempotency_key=key), **JSON
    )
    assert response.status_code == 201
    assert Observation.objects.count() == 2


@pytest.mark.parametrize("role", ["direction", "elu", "responsable", "outsider"])
def test_who_cannot_log_in_ouest_never_reaches_it(as_role, ouest, role):
    response = as_role(role).post(
        reverse("observations:create"), form_data(ouest, idempotency_key=str(uuid.uuid4())), **JSON
    )
    # No quartier to log in → 404; a quartier elsewhere → the choice is refused (400).
    assert response.status_code in (400, 404)
    assert not Observation.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections writing at once")
@pytest.mark.django_db(transaction=True)
def test_two_requests_racing_with_one_key_make_one_observation(personas, ouest, monkeypatch):
    """Both pass the lookup before either has inserted: the unique constraint decides, and the
    loser answers the winner's observation."""
    key = uuid.uuid4()
    lookup = selectors.observation_sent_with
    both_looked = threading.Barrier(2)
    first_lookups: set[int] = set()

    def lookup_then_wait(author, sent_key):
        found = lookup(author, sent_key)
        if threading.get_ident() not in first_lookups:
            first_lookups.add(threading.get_ident())
            both_looked.wait(timeout=10)
        return found

    monkeypatch.setattr(services.selectors, "observation_sent_with", lookup_then_wait)
    results: list = []

    def send():
        try:
            results.append(_create(personas["agent"], ouest, key).pk)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 2 and results[0] == results[1], results
    assert Observation.objects.filter(idempotency_key=key).count() == 1
    assert StatusChange.objects.count() == 1


# The walk note form joins the same queue ------------------------------------------------------


@pytest.fixture
def walk(personas, ouest):
    from tests.walks.factories import make_walk

    return make_walk(ouest, personas["chef"], invited=[personas["agent"]])


def _note(walk, **extra):
    stop = walk.stops.all()[1]
    data = {
        "category": Category.objects.get(slug="proprete").pk,
        "title": "Bancs dégradés",
        "confidentiality": "equipe",
        **extra,
    }
    return reverse("walks:live_stop", args=[walk.pk, stop.pk]), data, stop


def test_a_walk_note_sent_twice_is_noted_once(as_role, walk):
    from walks.models import StopObservation

    client = as_role("agent")
    url, data, stop = _note(walk, idempotency_key=str(uuid.uuid4()), photos=[_photo()])
    first = client.post(url, data, **JSON)
    url, data, stop = _note(walk, idempotency_key=data["idempotency_key"], photos=[_photo()])
    second = client.post(url, data, **JSON)
    note = StopObservation.objects.get()
    assert note.stop == stop
    assert first.status_code == 201 and second.status_code in (200, 201)
    assert first.json()["id"] == second.json()["id"] == note.observation_id
    assert Photo.objects.count() == 1


def test_a_walk_note_refused_answers_json(as_role, walk, personas):
    client = as_role("agent")
    url, data, _ = _note(walk, title="Mme Dupont, 06 12 34 56 78")
    response = client.post(url, data, **JSON)
    assert response.status_code == 400
    assert "données personnelles" in response.json()["message"]
    url, data, _ = _note(walk, queued_for=personas["chef"].pk)
    response = client.post(url, data, **JSON)
    assert response.status_code == 403
    assert not Observation.objects.exists()
