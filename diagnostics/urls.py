from django.urls import path

from diagnostics import views

app_name = "diagnostics"
urlpatterns = [
    path("", views.index, name="index"),
    path("nouveau/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/etat/", views.transition, name="transition"),
    path("<int:pk>/sections/<int:section_pk>/", views.section_edit, name="section_edit"),
    path("<int:pk>/sections/<int:section_pk>/contribuer/", views.contribute, name="contribute"),
    path(
        "<int:pk>/contributions/<int:contribution_pk>/",
        views.contribution_decide,
        name="contribution_decide",
    ),
    path("<int:pk>/pdf/", views.document_request, name="document_request"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version"),
    path("<int:pk>/versions/<int:number>/pdf/", views.version_pdf, name="version_pdf"),
    path("documents/<int:job_pk>/etat/", views.document_status, name="document_status"),
    path("documents/<int:job_pk>/reessayer/", views.document_retry, name="document_retry"),
    path("documents/<int:job_pk>/telecharger/", views.document_download, name="document_download"),
]
