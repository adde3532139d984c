import pytest

from observations.models import Category, Escalation, Observation


@pytest.mark.django_db
def test_visible_to_basic(personas, ouest, sud):
    category = Category.objects.get(slug="proprete")
    secret = Observation.objects.create(
        quartier=ouest, author=personas["chef"], category=category, title="s", place="p",
        confidentiality=Observation.Confidentiality.CONFIDENTIAL,
    )
    public = Observation.objects.create(quartier=ouest, author=personas["chef"], category=category, title="t", place="p")
    assert set(Observation.objects.visible_to(personas["agent"])) == {public}
    assert set(Observation.objects.visible_to(personas["outsider"])) == set()
    assert set(Observation.objects.visible_to(personas["chef"])) == {public, secret}
    Escalation.objects.create(observation=public, reason="r")
    assert set(Observation.objects.visible_to(personas["direction"])) == {public}
    assert "confidentielle" in secret.public_title
    assert list(Observation.objects.citable()) == [public]
