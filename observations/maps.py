"""What the observation maps (static/observations/map.js) are given: where to fetch the points,
the tile layer, and the outlines to draw."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def map_config(querystring: str, outlines: list[dict]) -> dict:
    """`querystring`: the list's filters the points follow; `outlines`: [{name, outline}]."""
    points = reverse("observations:map_points")
    return {
        "points": points + (f"?{querystring}" if querystring else ""),
        "detail": reverse("observations:detail", args=[0]),
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "outlines": outlines,
    }
