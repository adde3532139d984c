"""Quartier outlines (GeoJSON, WGS 84, longitude first): validation, point-in-outline, extent.

Pure Python on purpose: a few polygons of a few hundred points each, tested point by point on
save; no spatial database is needed for that.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Stored points are rounded to this many decimals (about 11 m of latitude, 7 m of longitude
#: at Arras): enough to find a place, not a doorstep.
POINT_DECIMALS = 4


def round_coordinate(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-POINT_DECIMALS), ROUND_HALF_EVEN)


def _polygons(geometry: dict) -> list[list[list[list[float]]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry["coordinates"])


def validate_outline(geometry: Any) -> None:
    """A GeoJSON Polygon or MultiPolygon with closed rings of valid lon/lat positions."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError(
            _("Le contour doit être une géométrie GeoJSON de type Polygon ou MultiPolygon.")
        )
    try:
        polygons = _polygons(geometry)
        for polygon in polygons:
            if not polygon or not isinstance(polygon, list):
                raise ValueError
            for ring in polygon:
                if not isinstance(ring, list) or not all(isinstance(p, list) for p in ring):
                    raise ValueError
                if len(ring) < 4 or list(ring[0]) != list(ring[-1]):
                    raise ValidationError(
                        _(
                            "Chaque anneau du contour doit compter au moins quatre points et se "
                            "refermer (le dernier point égal au premier)."
                        )
                    )
                for position in ring:
                    lon, lat = float(position[0]), float(position[1])
                    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                        raise ValidationError(
                            _(
                                "Point hors limites (%(lon)s, %(lat)s) : le contour s'écrit en "
                                "longitude puis latitude, en degrés (WGS 84)."
                            )
                            % {"lon": lon, "lat": lat}
                        )
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise ValidationError(_("Les coordonnées du contour sont mal formées.")) from error


def _in_ring(ring: list, lon: float, lat: float) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def contains(geometry: dict | None, lon, lat) -> bool:
    """Whether the point lies in the outline (holes excluded)."""
    if not geometry or lon is None or lat is None:
        return False
    lon, lat = float(lon), float(lat)
    for polygon in _polygons(geometry):
        outer, *holes = polygon
        if _in_ring(outer, lon, lat) and not any(_in_ring(hole, lon, lat) for hole in holes):
            return True
    return False


def positions(geometry: dict) -> Iterator[tuple[float, float]]:
    for polygon in _polygons(geometry):
        for ring in polygon:
            for position in ring:
                yield float(position[0]), float(position[1])


def extent(geometries: Iterable[dict | None]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) around the outlines, or None without any."""
    points = [p for geometry in geometries if geometry for p in positions(geometry)]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)
