from django.urls import path

from observations import views

app_name = "observations"
urlpatterns = [
    path("", views.observation_list, name="index"),
    path("<int:pk>/", views.observation_detail, name="detail"),
    path("<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
    path("<int:pk>/photos/<int:photo_pk>/vignette/", views.photo_thumbnail, name="photo_thumbnail"),
]
