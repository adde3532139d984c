from django.urls import path

from observations import views

app_name = "observations"
urlpatterns = [
    path("", views.observation_list, name="index"),
    path("carte/", views.observation_map, name="map"),
    path("carte/points.geojson", views.observation_points, name="map_points"),
    path("nouvelle/", views.observation_create, name="create"),
    path("nouvelle/verifier/", views.observation_check, name="check"),
    path("nouvelle/adresse/", views.address_search, name="address_search"),
    path("en-attente/", views.observation_pending, name="pending"),
    path("hors-ligne/", views.offline_fallback, name="offline"),
    path("export.csv", views.observation_export, name="export"),
    path("a-traiter/", views.service_queue, name="queue"),
    path("remontees/", views.escalation_list, name="escalations"),
    path("remontees/<int:pk>/reponse/", views.escalation_answer, name="escalation_answer"),
    path("remontees/syntheses/", views.digest_request, name="digest_request"),
    path("remontees/syntheses/<int:pk>/etat/", views.digest_status, name="digest_status"),
    path("remontees/syntheses/<int:pk>/pdf/", views.digest_download, name="digest_download"),
    path("remontees/syntheses/<int:pk>/reessayer/", views.digest_retry, name="digest_retry"),
    path("phenomenes-emergents/", views.emerging, name="emerging"),
    path("orientations/", views.orientation_counts, name="orientations"),
    path("orientations/accueil/", views.orientation_log, name="orientation_log"),
    path("<int:pk>/", views.observation_detail, name="detail"),
    path("<int:pk>/modifier/", views.observation_edit, name="edit"),
    path("<int:pk>/commentaires/", views.observation_comment, name="comment"),
    path("<int:pk>/tri/", views.observation_triage, name="triage"),
    path("<int:pk>/etat/", views.observation_status, name="status"),
    path("<int:pk>/doublon/", views.observation_merge, name="merge"),
    path("<int:pk>/remontee/", views.observation_escalate, name="escalate"),
    path("<int:pk>/photos/", views.observation_photos, name="photos"),
    path("<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
    path("<int:pk>/photos/<int:photo_pk>/retirer/", views.photo_remove, name="photo_remove"),
    path("<int:pk>/photos/<int:photo_pk>/vignette/", views.photo_thumbnail, name="photo_thumbnail"),
]
