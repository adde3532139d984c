from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from arras_quartiers import sso, views
from foundation.env import env_bool

admin.site.site_header = "Équipes de quartier — administration"
admin.site.site_title = "Équipes de quartier"
# The administration signs in through allauth: rate limits, two-factor authentication, journal.
# (Rebinding a method on this one instance is the point: mypy flags any method assignment.)
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    # allauth's OpenID Connect callback, keeping the ID token for the provider's logout (sso.py).
    path(
        "comptes/oidc/<str:provider_id>/login/callback/",
        sso.oidc_callback,
        name="sso_oidc_callback",
    ),
    path("comptes/sso/non-rattache/", sso.not_attached, name="sso_not_attached"),
    path("comptes/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("teams.urls")),
    path("observations/", include("observations.urls")),
    path("reunions/", include("meetings.urls")),
    path("diagnostics/", include("diagnostics.urls")),
    path("marches/", include("walks.urls")),
    path("documents/", include("documents.urls")),
    path("reservations/", include("bookings.urls")),
    path("open311/v2/", include("open311.urls")),
    path("donnees/", include("diagnostics.opendata_urls")),
]

if env_bool("BENCH_MINIMAL_VIEW", False):
    # The benchmark's yardstick page (bench/run.py): never enabled in production.
    from bench.views import minimal

    urlpatterns.append(path("bench/minimal/", minimal, name="bench_minimal"))
