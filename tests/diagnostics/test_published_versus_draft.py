"""Published versus draft: a correction written after publication stays with the chef de projet.

A canary is written into a section of the correction draft of a published diagnostic; every
reader walks every page and document where the diagnostic shows, and finds it nowhere.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from diagnostics import services

CANARY = "canari-d1a9"
READERS = ["agent", "responsable", "direction", "elu", "maire", "outsider"]


@pytest.fixture
def corrected(make_diagnostic, ouest, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        diagnostic = make_diagnostic(ouest, status="published")
    services.diagnostic_transition(diagnostic=diagnostic, action="correct", by=personas["chef"])
    section = diagnostic.sections.get(kind="preconisations")
    services.section_update(section=section, body=f"Préconisation {CANARY}", by=personas["chef"])
    return diagnostic


def _walk(client, diagnostic) -> str:
    seen = []
    for url in (
        reverse("home"),
        reverse("teams:quartier_detail", args=[diagnostic.quartier.slug]),
        reverse("diagnostics:index"),
        reverse("diagnostics:detail", args=[diagnostic.pk]),
        reverse("diagnostics:version", args=[diagnostic.pk, 1]),
    ):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        seen.append(response.content.decode())
    pdf = client.get(reverse("diagnostics:version_pdf", args=[diagnostic.pk, 1]))
    if pdf.status_code == 200:
        pages = PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages
        seen.append(" ".join(page.extract_text() for page in pages))
    return "\n".join(seen)


@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_published_version_not_the_correction(role, as_role, corrected):
    assert CANARY not in _walk(as_role(role), corrected)


def test_the_chef_sees_the_correction(as_role, corrected):
    page = as_role("chef").get(reverse("diagnostics:detail", args=[corrected.pk]))
    assert CANARY in page.content.decode()
