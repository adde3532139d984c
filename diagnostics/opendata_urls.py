from django.urls import path

from diagnostics import opendata_views as views

app_name = "opendata"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("catalogue.jsonld", views.catalogue_dcat, name="dcat"),
    path("<slug:slug>/<int:year>/v<int:number>.csv", views.dataset_csv, name="csv"),
    path("<slug:slug>/<int:year>/v<int:number>.json", views.dataset_json, name="json"),
]
