"""Reference data: the services, categories and needs, upserted by the demo's own functions.

The synthetic city and the Arras demo share them, so the seeder restates none of it. They are a
few dozen rows: the bulk of the city goes through `TableWriter`.
"""

from __future__ import annotations

from observations.demo import reference_data_upsert
from teams.demo import services_upsert
from teams.models import Service


def seed_reference() -> dict[str, Service]:
    """The services (by slug, in the fiche's order), then categories and needs linked to them."""
    services = services_upsert()
    reference_data_upsert()
    return services
