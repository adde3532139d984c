from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from foundation.panels import render_panels
from foundation.replica import reads_from_replica
from teams import selectors as team_selectors
from teams.access import quartiers_visible_to, roles_of
from teams.models import Quartier

OTHER_QUARTIERS_SHOWN = 12


@reads_from_replica
def home(request):
    """The tableau de bord: the person's quartiers and what to do next."""
    roles = roles_of(request.user)
    mine = list(Quartier.objects.filter(pk__in=roles.quartier_ids).order_by("name"))
    chefs = team_selectors.chefs_of([q.pk for q in mine])
    # Those who read every quartier get a few here and the paginated list behind a link.
    others = quartiers_visible_to(request.user).exclude(pk__in=roles.quartier_ids).order_by("name")
    other_quartiers = list(others[: OTHER_QUARTIERS_SHOWN + 1])
    context = {
        "roles": roles,
        "my_quartiers": [(q, chefs.get(q.pk, [])) for q in mine],
        "other_quartiers": other_quartiers[:OTHER_QUARTIERS_SHOWN],
        "more_quartiers": len(other_quartiers) > OTHER_QUARTIERS_SHOWN,
        "is_newcomer": request.user.is_newcomer(),
        "panels": render_panels("home", request),
    }
    return render(request, "home.html", context)


@login_not_required
def accessibility(request):
    return render(request, "accessibility.html")
