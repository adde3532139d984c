"""A published version never changes: corrections make new versions."""

import pytest
from django.core.exceptions import ValidationError

from diagnostics import services
from diagnostics.models import DiagnosticVersion

pytestmark = pytest.mark.django_db


def test_a_published_version_cannot_be_saved_again(make_diagnostic, ouest):
    version = make_diagnostic(ouest, status="published").versions.get()
    version.correction_note = "Réécriture de l'histoire"
    with pytest.raises(ValidationError):
        version.save()
    assert DiagnosticVersion.objects.get().correction_note == ""


def test_a_published_version_cannot_be_deleted(make_diagnostic, ouest):
    version = make_diagnostic(ouest, status="published").versions.get()
    with pytest.raises(ValidationError):
        version.delete()
    assert DiagnosticVersion.objects.count() == 1


@pytest.mark.parametrize("status", ["validated", "published"])
def test_sections_are_frozen_once_validated_or_published(make_diagnostic, ouest, personas, status):
    diagnostic = make_diagnostic(ouest, status=status)
    section = diagnostic.sections.get(kind="synthese")
    with pytest.raises(ValidationError):
        services.section_update(section=section, body="Après coup", by=personas["chef"])
    section.refresh_from_db()
    assert section.body == ""


def test_editing_the_correction_draft_leaves_the_published_version_alone(
    make_diagnostic, ouest, personas
):
    diagnostic = make_diagnostic(ouest, status="published")
    services.diagnostic_transition(diagnostic=diagnostic, action="correct", by=personas["chef"])
    section = diagnostic.sections.get(kind="preconisations")
    services.section_update(section=section, body="Nouvelle préconisation", by=personas["chef"])
    version = diagnostic.versions.get()
    assert all("Nouvelle préconisation" not in s["body"] for s in version.sections)


def test_the_admin_cannot_change_versions(admin_client, make_diagnostic, ouest):
    from django.urls import reverse

    version = make_diagnostic(ouest, status="published").versions.get()
    response = admin_client.post(
        reverse("admin:diagnostics_diagnosticversion_change", args=[version.pk]),
        {"correction_note": "x"},
    )
    assert response.status_code in (302, 403) or b"correction_note" not in response.content
    version.refresh_from_db()
    assert version.correction_note == ""
