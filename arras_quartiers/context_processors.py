from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from teams.access import roles_of

# (label, url name, path prefix that marks the entry as current). An entry shows once its app
# defines the URL.
NAV = [
    (_("Accueil"), "home", None),
    (_("Observations"), "observations:index", "/observations/"),
    (_("Réunions"), "meetings:index", "/reunions/"),
    (_("Documents"), "documents:index", "/documents/"),
    (_("Réservations"), "bookings:index", "/reservations/"),
    (_("Diagnostics"), "diagnostics:index", "/diagnostics/"),
    (_("Annuaire"), "teams:annuaire", "/annuaire/"),
    (_("Services"), "teams:service_list", "/services/"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"CITY_NAME": settings.CITY_NAME, "CITY_LABEL": settings.CITY_LABEL}
    items = []
    for label, name, prefix in NAV:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        current = request.path == url if prefix is None else request.path.startswith(prefix)
        items.append({"label": label, "url": url, "current": current})
    return {
        "nav_items": items,
        "user_roles": roles_of(user),
        "CITY_NAME": settings.CITY_NAME,
        "CITY_LABEL": settings.CITY_LABEL,
    }
