"""`any_of`, the reading rule's id comparisons, on every engine."""


def test_no_id_matches_no_row(personas, ouest):
    from observations.models import Observation
    from observations.permissions import any_of
    from tests.observations.factories import make_observation

    make_observation(ouest, personas["agent"], title="Banc cassé")
    assert Observation.objects.filter(any_of("quartier_id", [])).count() == 0
    assert Observation.objects.filter(any_of("quartier_id", [ouest.pk])).count() == 1
