from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

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
def accessibility(request):
    return render(request, "accessibility.html")
