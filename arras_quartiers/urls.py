from django.contrib import admin
from django.urls import include, path

from arras_quartiers import views

admin.site.site_header = "Équipes de quartier — administration"
admin.site.site_title = "Équipes de quartier"

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("comptes/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("teams.urls")),
    path("observations/", include("observations.urls")),
    path("reunions/", include("meetings.urls")),
    path("diagnostics/", include("diagnostics.urls")),
]
