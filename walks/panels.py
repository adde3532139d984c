"""The quartier home page's panel: its diagnostics en marchant (registered in apps.py)."""

from __future__ import annotations

from walks import permissions

PANEL_SIZE = 4


def quartier_panel(request, quartier):
    walks = list(
        permissions.walks_visible_to(request.user)
        .filter(quartier=quartier)
        .exclude(status="cancelled")
        .order_by("-start")[:PANEL_SIZE]
    )
    can_plan = permissions.can_manage_quartier(request.user, quartier)
    if not walks and not can_plan:
        return None
    return "walks/panels/quartier.html", {
        "walks": walks,
        "quartier": quartier,
        "can_plan": can_plan,
    }
