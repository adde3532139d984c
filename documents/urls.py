from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("", views.index, name="index"),
    path("espaces/<int:pk>/", views.space, name="space"),
    path("espaces/<int:pk>/deposer/", views.document_create, name="create"),
    path("espaces/<int:pk>/dossiers/nouveau/", views.folder_create, name="folder_create"),
    path("espaces/<int:pk>/corbeille/", views.bin, name="bin"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/modifier/", views.document_edit, name="edit"),
    path("<int:pk>/versions/", views.version_upload, name="version_upload"),
    path("<int:pk>/versions/<int:version_pk>/telecharger/", views.download, name="download"),
    path(
        "<int:pk>/versions/<int:version_pk>/retablir/",
        views.version_restore,
        name="version_restore",
    ),
    path("<int:pk>/supprimer/", views.document_delete, name="delete"),
    path("<int:pk>/recuperer/", views.document_restore, name="restore"),
    path("reunions/<int:meeting_pk>/lier/", views.agenda_link, name="agenda_link"),
]
