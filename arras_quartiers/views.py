from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from arras_quartiers.panels import render_panels
from teams import selectors as team_selectors
from teams.access import quartiers_visible_to, roles_of


def home(request):
    """The tableau de bord: the person's quartiers and what to do next."""
    roles = roles_of(request.user)
    quartiers = list(quartiers_visible_to(request.user).order_by("name"))
    mine = [q for q in quartiers if q.pk in roles.quartier_ids]
    chefs = team_selectors.chefs_of([q.pk for q in mine])
    context = {
        "roles": roles,
        "my_quartiers": [(q, chefs.get(q.pk, [])) for q in mine],
        "other_quartiers": [q for q in quartiers if q.pk not in roles.quartier_ids],
        "is_newcomer": request.user.is_newcomer(),
        "panels": render_panels("home", request),
    }
    return render(request, "home.html", context)


@login_not_required
@never_cache
def health(request):
    """For the load balancer: 200 when the database and the cache answer, 503 otherwise."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is reported, none is raised
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        cache.set("health", "ok", 5)
        checks["cache"] = "ok" if cache.get("health") == "ok" else "error"
    except Exception as exc:  # noqa: BLE001
        checks["cache"] = f"error: {type(exc).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


@login_not_required
def accessibility(request):
    return render(request, "accessibility.html")
