from django.urls import path

from teams import views

app_name = "teams"
urlpatterns = [
    path("quartiers/", views.quartier_list, name="quartier_list"),
    path("quartiers/suggestions/", views.quartier_suggestions, name="quartier_suggestions"),
    path("quartiers/<slug:slug>/", views.quartier_detail, name="quartier_detail"),
    path("quartiers/<slug:slug>/equipe/", views.team_manage, name="team_manage"),
    path("quartiers/<slug:slug>/equipe/<int:pk>/fin/", views.membership_end, name="membership_end"),
    path("annuaire/", views.annuaire, name="annuaire"),
    path("agents/suggestions/", views.agent_suggestions, name="agent_suggestions"),
    path("externes/suggestions/", views.external_suggestions, name="external_suggestions"),
    path("choix/<slug:kind>/", views.choice_box, name="choice_box"),
    path("agents/<int:pk>/", views.agent_detail, name="agent_detail"),
    path("agents/<int:pk>/photo/", views.agent_photo, name="agent_photo"),
    path("services/", views.service_list, name="service_list"),
    path("services/<slug:slug>/", views.service_detail, name="service_detail"),
    path("bienvenue/", views.welcome, name="welcome"),
    path("mon-profil/", views.profile_edit, name="profile_edit"),
]
