from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

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


# Installable app and offline form ------------------------------------------------------------

#: Built by assets/build-service-worker.mjs (`make assets`, the Dockerfile).
SERVICE_WORKER = settings.BASE_DIR / "build" / "sw" / "sw.js"


@login_not_required
def manifest(request):
    """The web app manifest: the phone offers to install the intranet, opening on the form."""
    icons = [
        {
            "src": static(f"icons/icon-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "any maskable",
        }
        for size in (192, 512)
    ]
    data = {
        "name": _("Équipes de quartier"),
        "short_name": _("Quartiers"),
        "description": _("Intranet des équipes pluridisciplinaires de quartier"),
        "lang": "fr",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d3f72",
        "icons": icons,
        "shortcuts": [
            {"name": _("Signaler une observation"), "url": reverse("observations:create")},
            {"name": _("En attente d'envoi"), "url": reverse("observations:pending")},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@login_not_required
def service_worker(request):
    """The service worker, at the root so that its scope is the whole site. Revalidated on every
    visit (no-cache): a new build reaches phones at their next page."""
    try:
        body = SERVICE_WORKER.read_bytes()
    except FileNotFoundError:
        raise Http404("service worker not built") from None
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
