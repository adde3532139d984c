"""Address search for the observation form: a typed address becomes a point, with no map.

The server asks the geocoder configured by `GEOCODER_URL` (the French national address API's
format: `q`, `limit`, `lat`/`lon` to favour nearby answers; GeoJSON features whose properties
carry a `label`). The browser never talks to the geocoder: what an agent types stays between the
app and the service the city chose, and the page's content security policy stays `'self'`.
Answers are cached for a day: the same street is searched by many agents.
"""

from __future__ import annotations

import hashlib
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache

from teams import geo

logger = logging.getLogger(__name__)

LIMIT = 5
CACHE_SECONDS = 24 * 3600
MAX_RESPONSE_BYTES = 512 * 1024


class GeocoderUnavailable(Exception):
    """The geocoder did not answer, or answered something that is not a list of addresses."""


@dataclass(frozen=True)
class Address:
    label: str
    latitude: Decimal
    longitude: Decimal
    in_quartier: bool | None  # None: the quartier has no outline to tell


def enabled() -> bool:
    return bool(settings.GEOCODER_URL)


def search(query: str, *, outline: dict | None = None) -> list[Address]:
    """At most five addresses for `query`, nearest the quartier's outline first."""
    query = " ".join(query.split())[:200]
    if len(query) < 3 or not enabled():
        return []
    params: dict[str, str | int | float] = {"q": query, "limit": LIMIT}
    box = geo.extent([outline]) if outline else None
    if box:
        params["lon"] = round((box[0] + box[2]) / 2, 4)
        params["lat"] = round((box[1] + box[3]) / 2, 4)
    features = _features(params)
    addresses = []
    for feature in features:
        try:
            lon, lat = feature["geometry"]["coordinates"][:2]
            label = str(feature["properties"]["label"])[:200]
            latitude, longitude = geo.round_coordinate(lat), geo.round_coordinate(lon)
        except (KeyError, TypeError, ValueError, IndexError):
            continue
        if latitude is None or longitude is None:
            continue
        inside = geo.contains(outline, lon, lat) if outline else None
        addresses.append(Address(label, latitude, longitude, inside))
    # Addresses in the quartier first; the geocoder's order otherwise.
    return sorted(addresses, key=lambda a: a.in_quartier is False)


def _features(params: dict) -> list:
    url = settings.GEOCODER_URL + "?" + urllib.parse.urlencode(params)
    key = "geocoder:" + hashlib.sha256(url.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 - the URL is the administrator's setting
    try:
        with urllib.request.urlopen(request, timeout=settings.GEOCODER_TIMEOUT) as response:  # noqa: S310 - the URL is the administrator's setting
            body = response.read(MAX_RESPONSE_BYTES + 1)
        if len(body) > MAX_RESPONSE_BYTES:
            raise GeocoderUnavailable("response too large")
        features = json.loads(body)["features"]
        if not isinstance(features, list):
            raise GeocoderUnavailable("no list of features")
    except (OSError, ValueError, KeyError, TypeError, urllib.error.URLError) as error:
        logger.warning("Geocoder unavailable (%s): %s", settings.GEOCODER_URL, error)
        raise GeocoderUnavailable(str(error)) from error
    cache.set(key, features, CACHE_SECONDS)
    return features
