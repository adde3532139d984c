"""Factories of `diagnostics` objects: diagnostics brought to a state through the app's services."""

from __future__ import annotations

import datetime
import zoneinfo

from diagnostics import services
from diagnostics.models import Diagnostic

YEAR = 2025

# The transitions that bring a new draft to each state.
PATH_TO = {
    Diagnostic.Status.DRAFT: [],
    Diagnostic.Status.REVIEW: ["review"],
    Diagnostic.Status.VALIDATED: ["review", "validate"],
    Diagnostic.Status.PUBLISHED: ["review", "validate", "publish"],
}


def diagnostic_in_state(
    quartier, *, by, year: int = YEAR, status: str = Diagnostic.Status.DRAFT
) -> Diagnostic:
    """The diagnostic of `quartier` for `year`, created and moved to `status` by `by`."""
    diagnostic = services.diagnostic_create(quartier=quartier, year=year, by=by)
    for action in PATH_TO[status]:
        diagnostic = services.diagnostic_transition(diagnostic=diagnostic, action=action, by=by)
    return diagnostic


def at(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
