"""Personal data typed into free text is flagged; possible duplicates are shown before saving."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from observations import selectors
from observations.models import Category, Observation
from observations.privacy import find_personal_data
from tests.observations.factories import make_observation
from tests.observations.test_photos import form_data


@pytest.mark.parametrize(
    "text, kind",
    [
        ("appeler le 06 12 34 56 78 demain", "phone"),
        ("tel 0612345678", "phone"),
        ("joignable au +33 6 12 34 56 78", "phone"),
        ("au 03.21.50.10.20", "phone"),
        ("écrire à jean.dupont@mail.example", "email"),
        ("NIR 1 85 05 78 006 084 36", "nir"),
        ("numéro 185057800608436", "nir"),
        ("né en Corse 2 69 05 2A 123 456 78", "nir"),
    ],
)
def test_personal_data_found(text, kind):
    assert [f.kind for f in find_personal_data(text)] == [kind]


@pytest.mark.parametrize(
    "text",
    [
        "Dépôt sauvage au 12 rue Verlaine, 62000 Arras",
        "Rendez-vous le 12/05/2026 à 14 h 30",
        "Bâtiment B, 3e étage, 24 logements",
        "Signalé 3 fois depuis 2024",
    ],
)
def test_ordinary_text_is_not_flagged(text):
    assert find_personal_data(text) == []


def test_form_asks_to_remove_or_confirm_personal_data(as_role, ouest):
    client = as_role("agent")
    data = form_data(ouest, description="La voisine (06 12 34 56 78) a vu la scène.")
    response = client.post(reverse("observations:create"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "données personnelles" in body
    assert "06 12 34 56 78" in body  # shown so the agent can remove it; the form keeps the text
    assert (
        'class="form-check mb-3" id="personal-data-confirm"' in body
    )  # the confirmation box is shown
    blank = client.get(reverse("observations:create")).content.decode()
    assert 'class="form-check mb-3 d-none" id="personal-data-confirm"' in blank
    assert Observation.objects.count() == 0
    response = client.post(
        reverse("observations:create"), {**data, "personal_data_confirmed": "on"}
    )
    assert response.status_code == 302
    assert Observation.objects.count() == 1


def test_live_check_flags_personal_data(as_role, ouest):
    response = as_role("agent").post(
        reverse("observations:check"), {"quartier": ouest.pk, "description": "mail: a.b@c.example"}
    )
    assert response.status_code == 200
    assert "adresse électronique" in response.content.decode()


@pytest.fixture
def recent(personas, ouest):
    return make_observation(
        ouest, personas["chef"], title="Dépôt d'encombrants", place="square Baudimont, près des jeux",
        latitude=Decimal("50.290000"), longitude=Decimal("2.760000"),
    )  # fmt: skip


def _dupes(user, ouest, **kwargs):
    kwargs.setdefault("category", Category.objects.get(slug="proprete"))
    return selectors.possible_duplicates(user, quartier=ouest, **kwargs)


def test_duplicates_by_place_words_or_coordinates(personas, ouest, recent):
    agent = personas["agent"]
    assert _dupes(agent, ouest, place="Square Baudimont (jeux)") == [recent]
    assert _dupes(agent, ouest, place="rue Verlaine") == []
    near = {"latitude": Decimal("50.290500"), "longitude": Decimal("2.760500")}  # ~65 m away
    assert _dupes(agent, ouest, place="devant l'école", **near) == [recent]
    far = {"latitude": Decimal("50.300000"), "longitude": Decimal("2.760000")}  # ~1.1 km away
    assert _dupes(agent, ouest, place="devant l'école", **far) == []


def test_duplicates_only_same_quartier_category_last_30_days(personas, ouest, sud, recent):
    agent = personas["agent"]
    assert (
        _dupes(
            agent, ouest, place="square Baudimont", category=Category.objects.get(slug="jeunesse")
        )
        == []
    )
    assert (
        selectors.possible_duplicates(
            agent, quartier=sud, category=recent.category, place="square Baudimont"
        )
        == []
    )
    Observation.objects.filter(pk=recent.pk).update(
        observed_at=timezone.now() - datetime.timedelta(days=31)
    )
    assert _dupes(agent, ouest, place="square Baudimont") == []


def test_duplicates_never_reveal_what_the_person_cannot_read(personas, ouest, recent):
    Observation.objects.filter(pk=recent.pk).update(
        confidentiality=Observation.Confidentiality.CONFIDENTIAL
    )
    assert _dupes(personas["agent"], ouest, place="square Baudimont") == []
    assert _dupes(personas["chef"], ouest, place="square Baudimont") == [recent]


def test_duplicates_shown_before_saving_then_saved_once_seen(as_role, ouest, recent):
    client = as_role("agent")
    data = form_data(ouest, place="square Baudimont")
    response = client.post(reverse("observations:create"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Déjà signalé" in body and recent.get_absolute_url() in body
    assert Observation.objects.count() == 1
    response = client.post(
        reverse("observations:create"), {**data, "duplicates_seen": str(recent.pk)}
    )
    assert response.status_code == 302
    assert Observation.objects.count() == 2


def test_live_check_lists_duplicates(as_role, ouest, recent):
    response = as_role("agent").post(
        reverse("observations:check"),
        {"quartier": ouest.pk, "category": recent.category_id, "place": "square Baudimont"},
    )
    assert f'data-duplicate-ids="{recent.pk}"' in response.content.decode()
