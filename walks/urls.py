from django.urls import path

from walks import views

app_name = "walks"
urlpatterns = [
    path("", views.index, name="index"),
    path("nouvelle/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
    path("<int:pk>/annuler/", views.cancel, name="cancel"),
    path("<int:pk>/realisee/", views.mark_done, name="mark_done"),
    path("<int:pk>/arrets/nouveau/", views.stop_form, name="stop_add"),
    path("<int:pk>/arrets/<int:stop_pk>/", views.stop_form, name="stop_edit"),
    path("<int:pk>/arrets/<int:stop_pk>/deplacer/", views.stop_move, name="stop_move"),
    path("<int:pk>/arrets/<int:stop_pk>/retirer/", views.stop_delete, name="stop_delete"),
    path("<int:pk>/en-cours/", views.live, name="live"),
    path("<int:pk>/en-cours/<int:stop_pk>/", views.live, name="live_stop"),
    path("<int:pk>/compte-rendu/", views.report_request, name="report_request"),
    path("<int:pk>/compte-rendu/<int:report_pk>/etat/", views.report_status, name="report_status"),
    path(
        "<int:pk>/compte-rendu/<int:report_pk>/pdf/", views.report_download, name="report_download"
    ),
    path(
        "<int:pk>/compte-rendu/<int:report_pk>/reessayer/", views.report_retry, name="report_retry"
    ),
]
