"""What the observation maps (static/observations/map.js) and the form's position scripts are
given: where to fetch the points, the tile layer, the outlines to draw, and their texts,
translated here like every other text of the app (the scripts read them as JSON data)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def map_config(querystring: str, outlines: list[dict]) -> dict:
    """`querystring`: the list's filters the points follow; `outlines`: [{name, outline}]."""
    points = reverse("observations:map_points")
    return {
        "points": points + (f"?{querystring}" if querystring else ""),
        "detail": reverse("observations:detail", args=[0]),
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "outlines": outlines,
        "messages": map_messages(),
    }


def map_messages() -> dict[str, str | list[str]]:
    """A count's text comes in both forms, singular then plural, with « %(n)s » for the number
    (static/js/app.js, aqTexts, picks the plural above one, as French does)."""
    return {
        "count": [
            ngettext(
                "%(n)s observation avec un point dans la zone affichée.",
                "%(n)s observations avec un point dans la zone affichée.",
                n,
            )
            for n in (1, 2)
        ],
        "truncated": [
            ngettext(
                "Seule l'observation la plus récente est affichée : zoomez pour voir toutes "
                "celles de la zone.",
                "Seules les %(n)s observations les plus récentes sont affichées : zoomez pour "
                "voir toutes celles de la zone.",
                n,
            )
            for n in (1, 2)
        ],
        "failed": _("Les points n'ont pas pu être chargés."),
    }


def position_messages() -> dict[str, str | list[str]]:
    """The observation form's position, map and address search (observation-form.js,
    address-search.js)."""
    return {
        "locating": _("Recherche de la position…"),
        "located": _("Position jointe (précision %(metres)s m)."),
        "denied": _("Position non partagée : décrivez le lieu dans le champ « Lieu »."),
        "unavailable": _("Position introuvable : décrivez le lieu dans le champ « Lieu »."),
        "removed": _("Position retirée."),
        "placed": _("Point placé sur la carte : %(lat)s, %(lon)s."),
        "address_short": _(
            "Tapez d'abord l'adresse dans le champ « Lieu » (au moins 3 caractères)."
        ),
        "address_searching": _("Recherche de l'adresse…"),
        "address_too_many": _("Trop de recherches : réessayez dans une minute."),
        "address_down": _(
            "La recherche d'adresse ne répond pas pour le moment : le champ « Lieu » suffit."
        ),
        "address_offline": _("Pas de réseau : le champ « Lieu » suffit."),
        "address_attached": _("Point de l'adresse joint : %(label)s."),
        "photos_max": _("5 photos au plus"),
    }
