"""The year-to-year comparison of a quartier's key indicators, on the quartier's home page.

Read from the published versions (the figures the élus were given), in one query.
"""

from __future__ import annotations

from diagnostics import indicators, selectors
from diagnostics.permissions import versions_visible_to
from teams.access import roles_of


def quartier_comparison(request, quartier):
    if not roles_of(request.user).reads_published(quartier.pk):
        return None
    versions = selectors.comparison_for(quartier)
    if not versions:
        return None
    versions.reverse()  # oldest year first, reading left to right
    years = [v.diagnostic.year for v in versions]
    rows = []
    for index, (key, label, _value) in enumerate(indicators.key_figures(versions[-1].indicators)):
        values = [indicators.key_figures(v.indicators)[index][2] for v in versions]
        change = None
        if len(values) > 1 and values[-1] is not None and values[-2] is not None:
            change = values[-1] - values[-2]
        rows.append({"key": key, "label": label, "values": values, "change": change})
    return "diagnostics/panel_quartier.html", {
        "quartier": quartier,
        "versions": versions,
        "years": years,
        "rows": rows,
    }


HOME_PANEL_SIZE = 3


def latest_published(request):
    """On the dashboard: the latest published diagnostics the person may read (élus first of all)."""

    versions = list(
        versions_visible_to(request.user)
        .select_related("diagnostic__quartier")
        .defer("diagnostic__quartier__outline")
        .order_by("-published_at")[:HOME_PANEL_SIZE]
    )
    if not versions:
        return None
    return "diagnostics/panel_home.html", {"versions": versions}
