"""Factories of `walks` objects, through the app's services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from teams.models import Quartier
from walks import services
from walks.models import Walk

#: A small square around Arras-Ouest, longitude then latitude (GeoJSON).
OUTLINE = {
    "type": "Polygon",
    "coordinates": [
        [[2.760, 50.285], [2.775, 50.285], [2.775, 50.295], [2.760, 50.295], [2.760, 50.285]]
    ],
}
POINTS = [
    ("Place de la MSP", Decimal("50.287000"), Decimal("2.762000")),
    ("Square des Tilleuls", Decimal("50.290000"), Decimal("2.768000")),
    ("Rue Verlaine, aire de jeux", Decimal("50.293000"), Decimal("2.772000")),
]


def make_walk(
    quartier: Quartier,
    chef,
    *,
    days: int = -1,
    done: bool = True,
    invited=(),
    externals=(),
    stops=POINTS,
) -> Walk:
    if quartier.outline is None:
        quartier.outline = OUTLINE
        quartier.save(update_fields=["outline"])
    start = timezone.now() + datetime.timedelta(days=days)
    walk = services.walk_create(
        quartier=quartier, organiser=chef, title=f"Marche {quartier.name}", start=start,
        end=start + datetime.timedelta(hours=2), meeting_point="Devant la MSP",
        agents=invited, externals=externals, allow_past=True,
    )  # fmt: skip
    for name, lat, lon in stops:
        services.stop_add(
            walk=walk,
            data={"name": name, "theme": "Cadre de vie", "latitude": lat, "longitude": lon},
        )
    if done and days < 0:
        services.walk_mark_done(walk=walk, by=chef)
    return walk
