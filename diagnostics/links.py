"""Links from each figure of the HTML view to the list it counts, in the apps to our left.

The lists are those apps' own pages, with their own filters (their query parameters) and their
own access rules: observation lists and the actions board are the team's, so only the team
(and administrators) get those links; the meeting calendar and the orientation counts are also
read by the quartier's élus and the maire. The PDF carries no links (its readers may have no
account), and a link is offered only once the app defines the page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from teams.access import roles_of


def _url(name: str, *args, **params) -> str | None:
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(params)}" if params else url


def trace_links(quartier, year: int, user) -> dict[str, str]:
    roles = roles_of(user)
    team = roles.admin or roles.is_member(quartier.pk)
    readers = team or roles.maire or quartier.pk in roles.elu_of
    period = {"date_from": f"{year}-01-01", "date_to": f"{year}-12-31"}
    candidates = {}
    if team:
        candidates["observations"] = _url("observations:index", quartier=quartier.pk, **period)
        candidates["actions"] = _url("meetings:actions_board", quartier.slug, status="all")
        candidates["actions_overdue"] = _url(
            "meetings:actions_board", quartier.slug, status="overdue"
        )
    if readers:
        candidates["meetings"] = _url("meetings:quartier_calendar", quartier.slug, annee=year)
        candidates["orientations"] = _url(
            "observations:orientations",
            quartier=quartier.pk,
            start=f"{year}-01-01",
            end=f"{year}-12-31",
        )
    if readers or roles.comite_direction:
        candidates["walks"] = _url("walks:index")
    return {key: url for key, url in candidates.items() if url}
