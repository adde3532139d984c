"""Fixtures of the diagnostics tests: a diagnostic of Ouest at each state, Sud's draft."""

from __future__ import annotations

import pytest

from diagnostics import services
from diagnostics.models import Diagnostic

YEAR = 2025


@pytest.fixture
def make_diagnostic(personas):
    def _make(quartier, year: int = YEAR, status: str = Diagnostic.Status.DRAFT) -> Diagnostic:
        chef = personas["chef"] if quartier.slug == "ouest" else personas["admin"]
        diagnostic = services.diagnostic_create(quartier=quartier, year=year, by=chef)
        path = {
            Diagnostic.Status.DRAFT: [],
            Diagnostic.Status.REVIEW: ["review"],
            Diagnostic.Status.VALIDATED: ["review", "validate"],
            Diagnostic.Status.PUBLISHED: ["review", "validate", "publish"],
        }[status]
        for action in path:
            diagnostic = services.diagnostic_transition(
                diagnostic=diagnostic, action=action, by=chef
            )
        return diagnostic

    return _make


@pytest.fixture
def ouest_draft(make_diagnostic, ouest):
    return make_diagnostic(ouest)
