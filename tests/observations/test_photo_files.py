"""Photo files follow the database: a rollback leaves no file, a removal deletes them after commit."""

import os

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from foundation.images import sanitize_image
from observations import services
from observations.models import Category, Observation, Photo, StatusChange
from tests.observations.factories import Upload, add_photo, jpeg_bytes, make_observation
from tests.teams.factories import ROLES


def stored_files(settings) -> list[str]:
    found = []
    for root, _dirs, files in os.walk(settings.MEDIA_ROOT):
        found += [os.path.join(root, f) for f in files]
    return found


def clean_images(n=2):
    return [sanitize_image(Upload(jpeg_bytes())) for _ in range(n)]


# A failed transaction leaves nothing behind --------------------------------------------------


@pytest.fixture
def proprete(db):
    """Transactional tests start from an empty database: the seeded category is recreated."""
    return Category.objects.get_or_create(slug="proprete", defaults={"name": "Propreté"})[0]


@pytest.fixture
def failing_commit(monkeypatch):
    """The COMMIT itself fails (lost connection, serialisation failure): after the files were written."""
    seen = {"files": None}

    def commit():
        seen["files"] = Photo.objects.count()
        raise DatabaseError("could not commit")

    monkeypatch.setattr(connection, "commit", commit)
    return seen


@pytest.mark.django_db(transaction=True)
def test_create_whose_commit_fails_leaves_no_file_and_no_row(
    personas, ouest, settings, proprete, failing_commit
):
    with pytest.raises(DatabaseError):
        services.observation_create(
            author=personas["agent"], quartier=ouest, category=proprete,
            title="Dépôt sauvage", place="square Baudimont", photos=clean_images(2),
        )  # fmt: skip
    assert failing_commit["files"] == 2, "the failure came after the photos were written"
    assert not Observation.objects.exists()
    assert not Photo.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.django_db(transaction=True)
def test_photos_add_whose_commit_fails_leaves_no_file(
    personas, ouest, settings, monkeypatch, proprete
):
    observation = make_observation(ouest, personas["agent"])
    calls = {"n": 0}

    def commit():
        calls["n"] += 1
        raise DatabaseError("could not commit")

    monkeypatch.setattr(connection, "commit", commit)
    with pytest.raises(DatabaseError):
        services.photos_add(observation=observation, photos=clean_images(3), by=personas["agent"])
    monkeypatch.undo()
    assert calls["n"] == 1
    assert not Photo.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.django_db(transaction=True)
def test_a_failure_later_in_the_same_transaction_removes_the_files(
    personas, ouest, settings, monkeypatch, proprete
):
    """Photos written, then something else in the service fails: rows and files both gone."""
    from observations import services as module

    original = module._store_photos

    def store_then_fail(*args, **kwargs):
        original(*args, **kwargs)
        assert len(stored_files(settings)) == 4
        raise RuntimeError("boom after the files")

    monkeypatch.setattr(module, "_store_photos", store_then_fail)
    observation = make_observation(ouest, personas["agent"])
    with pytest.raises(RuntimeError, match="boom"):
        services.photos_add(observation=observation, photos=clean_images(2), by=personas["agent"])
    assert not Photo.objects.exists()
    assert stored_files(settings) == []


def test_photo_services_refuse_a_callers_transaction(personas, ouest, settings):
    """Nested in a caller's transaction, a later rollback there would orphan the files: refused."""
    observation = make_observation(ouest, personas["agent"])
    with pytest.raises(RuntimeError), transaction.atomic():
        services.photos_add(observation=observation, photos=clean_images(1), by=personas["agent"])
    assert not Photo.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_upload_keeps_its_files(personas, ouest, settings, proprete):
    observation = make_observation(ouest, personas["agent"])
    services.photos_add(observation=observation, photos=clean_images(2), by=personas["agent"])
    assert Photo.objects.count() == 2
    assert len(stored_files(settings)) == 4


# Removing a photo ----------------------------------------------------------------------------


@pytest.fixture
def fresh(personas, ouest):
    """A "nouvelle" observation of the agent, with two photos."""
    observation = make_observation(ouest, personas["agent"])
    first = add_photo(observation, personas["agent"])
    second = add_photo(observation, personas["agent"])
    return observation, first, second


def remove_url(photo) -> str:
    return reverse("observations:photo_remove", args=[photo.observation_id, photo.pk])


def test_removal_asks_for_confirmation_first_without_any_script(as_role, fresh, settings):
    observation, first, _second = fresh
    client = as_role("agent")
    detail = client.get(observation.get_absolute_url()).content.decode()
    assert f'action="{remove_url(first)}"' in detail
    response = client.post(remove_url(first))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Retirer la photo 1 ?" in page
    assert 'name="confirmer" value="oui"' in page
    assert Photo.objects.filter(pk=first.pk).exists(), "nothing removed before confirming"
    assert len(stored_files(settings)) == 4
    assert client.get(remove_url(first)).status_code == 405


def test_removal_deletes_the_row_then_the_files_after_commit(
    as_role, fresh, settings, django_capture_on_commit_callbacks
):
    observation, first, second = fresh
    image_path, thumb_path = first.image.path, first.thumbnail.path
    client = as_role("agent")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(remove_url(first), {"confirmer": "oui"})
    assert response.status_code == 302
    assert not Photo.objects.filter(pk=first.pk).exists()
    assert os.path.exists(image_path) and os.path.exists(thumb_path), "files wait for the commit"
    for callback in callbacks:
        callback()
    assert not os.path.exists(image_path) and not os.path.exists(thumb_path)
    assert os.path.exists(second.image.path), "the other photo stays"
    change = StatusChange.objects.filter(observation=observation).latest("id")
    assert change.changed_by == first.uploaded_by
    assert change.from_status == change.to_status == Observation.Status.NEW
    assert change.comment == "Photo 1 retirée."
    timeline = client.get(observation.get_absolute_url()).content.decode()
    assert "Photo 1 retirée." in timeline
    assert "Nouvelle → nouvelle" not in timeline


def test_a_rolled_back_removal_keeps_row_and_files(personas, fresh, settings, monkeypatch):
    observation, first, _second = fresh

    def fail(*args, **kwargs):
        raise DatabaseError("history unavailable")

    monkeypatch.setattr(StatusChange.objects, "create", fail)
    with pytest.raises(DatabaseError):
        services.photo_remove(photo=first, by=personas["agent"])
    assert Photo.objects.filter(pk=first.pk).exists()
    assert os.path.exists(first.image.path)


def test_removing_twice_says_so(as_role, fresh, django_capture_on_commit_callbacks):
    observation, first, _second = fresh
    client = as_role("chef")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(remove_url(first), {"confirmer": "oui"})
    assert client.post(remove_url(first), {"confirmer": "oui"}).status_code == 404


OK, HIDDEN = 302, 404
#: Who may remove a photo: the author while "nouvelle", the chef de projet (and the administrator).
REMOVE_NEW = {**dict.fromkeys(ROLES, HIDDEN), "agent": OK, "chef": OK, "admin": OK}
REMOVE_SENT = {**dict.fromkeys(ROLES, HIDDEN), "chef": OK, "admin": OK}


@pytest.mark.parametrize("role", ROLES)
def test_remove_access_on_a_new_observation(
    role, as_role, fresh, django_capture_on_commit_callbacks
):
    observation, first, _second = fresh
    client = as_role(role)
    with django_capture_on_commit_callbacks(execute=True):
        confirm = client.post(remove_url(first))
        response = client.post(remove_url(first), {"confirmer": "oui"})
    assert response.status_code == REMOVE_NEW[role], role
    assert confirm.status_code == (200 if REMOVE_NEW[role] == OK else HIDDEN), role
    assert Photo.objects.filter(pk=first.pk).exists() == (REMOVE_NEW[role] != OK)


@pytest.mark.parametrize("role", ROLES)
def test_remove_access_on_a_sent_observation(
    role, as_role, world, django_capture_on_commit_callbacks
):
    """Once sent, the author no longer removes photos; whoever may not gets 404, never 403."""
    for name in ("pub_ouest", "secret_ouest", "pub_sud"):
        photo = world["photos"][name]
        # pub_sud is still "nouvelle": its author (the Sud agent) may still remove its photo.
        pub_sud = OK if role in ("admin", "outsider") else HIDDEN
        expected = REMOVE_SENT[role] if name != "pub_sud" else pub_sud
        with django_capture_on_commit_callbacks(execute=True):
            response = as_role(role).post(remove_url(photo), {"confirmer": "oui"})
        assert response.status_code == expected, (name, role)
        assert Photo.objects.filter(pk=photo.pk).exists() == (expected != OK), (name, role)


@pytest.mark.parametrize("role", ROLES)
def test_remove_button_shown_only_to_who_may_remove(role, as_role, fresh):
    observation, first, _second = fresh
    response = as_role(role).get(observation.get_absolute_url())
    if response.status_code == 404:
        assert REMOVE_NEW[role] == HIDDEN
        return
    assert (f'action="{remove_url(first)}"' in response.content.decode()) == (
        REMOVE_NEW[role] == OK
    )
