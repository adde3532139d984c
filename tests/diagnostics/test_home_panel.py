"""The dashboard shows the latest published diagnostics to those who may read them."""

import pytest
from django.urls import reverse

from diagnostics.models import Diagnostic, DiagnosticVersion


@pytest.fixture
def published_ouest(personas, ouest):
    diagnostic = Diagnostic.objects.create(
        quartier=ouest, year=2025, status=Diagnostic.Status.PUBLISHED
    )
    return DiagnosticVersion.objects.create(
        diagnostic=diagnostic, number=1, published_by=personas["chef"]
    )


@pytest.mark.parametrize("role", ["elu", "maire", "direction", "agent", "chef"])
def test_readers_see_the_published_diagnostic_on_their_dashboard(as_role, published_ouest, role):
    response = as_role(role).get(reverse("home"))
    assert published_ouest.get_absolute_url() in response.content.decode()


@pytest.mark.parametrize("role", ["outsider", "responsable"])
def test_others_do_not(as_role, published_ouest, role):
    response = as_role(role).get(reverse("home"))
    assert published_ouest.get_absolute_url() not in response.content.decode()
