from django.urls import path

from bookings import views

app_name = "bookings"
urlpatterns = [
    path("", views.index, name="index"),
    path("lieux/nouveau/", views.place_create, name="place_create"),
    path("lieux/<slug:slug>/", views.place, name="place"),
    path("lieux/<slug:slug>/modifier/", views.place_edit, name="place_edit"),
    path("lieux/<slug:slug>/equipements/nouveau/", views.resource_create, name="resource_create"),
    path("equipements/<int:pk>/", views.resource, name="resource"),
    path("equipements/<int:pk>/modifier/", views.resource_edit, name="resource_edit"),
    path("equipements/<int:pk>/reserver/", views.book, name="book"),
    path("<int:pk>/annuler/", views.cancel, name="cancel"),
]
