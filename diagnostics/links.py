"""Links from each figure of the HTML view to the list it counts, in the apps to our left.

The lists are those apps' own pages, with their own filters and their own access rules: a
link is offered only to the people who can read that list (the quartier's team), and only
once the app defines the page. The PDF carries no links (its readers may have no account).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from teams.access import roles_of


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def trace_links(quartier, year: int, user) -> dict:
    roles = roles_of(user)
    if not (roles.admin or roles.is_member(quartier.pk)):
        return {}
    found = {}
    observations = _url("observations:index")
    if observations:
        found["observations"] = (
            f"{observations}?{urlencode({'quartier': quartier.slug, 'annee': year})}"
        )
    meetings = _url("meetings:index")
    if meetings:
        found["meetings"] = f"{meetings}?{urlencode({'quartier': quartier.slug, 'annee': year})}"
    return found
