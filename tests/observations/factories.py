"""Factories of `observations` objects: observations and their photos."""

from __future__ import annotations

import io

import factory
from PIL import Image

from foundation.images import sanitize_image
from observations.models import Category, Observation
from observations.services import _store_photos
from tests.teams.factories import AgentFactory, QuartierFactory

# Unique words of the confidential observation of the observations' `world` fixture, to grep
# pages and files for.
SECRET_TITLE = "Zorglub famille en détresse"
SECRET_PLACE = "escalier Quetzalcoatl"


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    quartier = factory.SubFactory(QuartierFactory)
    author = factory.SubFactory(AgentFactory)
    category = factory.LazyFunction(lambda: Category.objects.get(slug="proprete"))
    title = "Dépôt sauvage rue Verlaine"
    place = "rue Verlaine"


def make_observation(quartier, author, *, category="proprete", **fields) -> Observation:
    """An observation of `quartier` by `author`, in the seeded category of slug `category`."""
    return ObservationFactory(
        quartier=quartier, author=author, category=Category.objects.get(slug=category), **fields
    )


def jpeg_bytes(size=(64, 48), color=(200, 30, 30), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG", **save)
    return buffer.getvalue()


class Upload(io.BytesIO):
    """A minimal uploaded file for `sanitize_image`."""

    def __init__(self, data: bytes, name: str = "photo.jpg"):
        super().__init__(data)
        self.name = name
        self.size = len(data)


def add_photo(observation, by):
    return _store_photos(observation, [sanitize_image(Upload(jpeg_bytes()))], by=by)[0]
