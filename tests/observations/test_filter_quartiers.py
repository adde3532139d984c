"""The list's quartier filter offers the person's quartiers, not every quartier of the city."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        ("agent", {"Ouest"}),
        ("chef", {"Ouest"}),
        ("outsider", {"Sud"}),
        ("responsable", {"Ouest", "Sud"}),
        ("direction", {"Ouest", "Sud"}),
    ],
)
def test_quartier_filter_choices(as_role, role, offered):
    response = as_role(role).get(reverse("observations:index"))
    if response.status_code == 302:  # roles sent elsewhere have no list to filter
        pytest.skip("this role has no observation list")
    field = response.context["form"].fields["quartier"]
    assert {q.name for q in field.queryset} == offered
