from django.urls import path, register_converter

from meetings import views


class DocumentKind:
    regex = "ordre-du-jour|compte-rendu"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DocumentKind, "dockind")

app_name = "meetings"
urlpatterns = [
    path("", views.index, name="index"),
    path("nouvelle/", views.meeting_create, name="create"),
    path("mon-agenda/", views.my_agenda, name="my_agenda"),
    path("mon-agenda/adresse/", views.feed_renew, name="feed_renew"),
    path("mon-agenda/revoquer/", views.feed_revoke, name="feed_revoke"),
    path("agenda/<str:token>.ics", views.feed, name="feed"),
    path("actions/", views.my_actions, name="my_actions"),
    path("groupes/", views.working_groups, name="working_groups"),
    path("groupes/nouveau/", views.working_group_create, name="working_group_create"),
    path("groupes/<int:pk>/", views.working_group_edit, name="working_group_edit"),
    path("actions/<int:action_pk>/etat/", views.action_status, name="action_status"),
    path("quartiers/<slug:slug>/", views.quartier_calendar, name="quartier_calendar"),
    path("quartiers/<slug:slug>/planifier/", views.plan_year, name="plan_year"),
    path("quartiers/<slug:slug>/actions/", views.actions_board, name="actions_board"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/reunion.ics", views.meeting_calendar_file, name="calendar_file"),
    path("<int:pk>/modifier/", views.meeting_edit, name="edit"),
    path("<int:pk>/annuler/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/reponse/", views.rsvp, name="rsvp"),
    path("<int:pk>/invites/", views.invitations, name="invitations"),
    path(
        "<int:pk>/invites/<int:invitation_pk>/retirer/",
        views.invitation_remove,
        name="invitation_remove",
    ),
    path("<int:pk>/presences/", views.attendance, name="attendance"),
    path("<int:pk>/ordre-du-jour/", views.agenda, name="agenda"),
    path("<int:pk>/ordre-du-jour/publier/", views.agenda_publish, name="agenda_publish"),
    path("<int:pk>/ordre-du-jour/points/<int:item_pk>/", views.item_edit, name="item_edit"),
    path(
        "<int:pk>/ordre-du-jour/points/<int:item_pk>/decision/",
        views.item_decide,
        name="item_decide",
    ),
    path(
        "<int:pk>/ordre-du-jour/points/<int:item_pk>/fusion/", views.item_merge, name="item_merge"
    ),
    path("<int:pk>/compte-rendu/", views.minutes, name="minutes"),
    path("<int:pk>/compte-rendu/publier/", views.minutes_publish, name="minutes_publish"),
    path(
        "<int:pk>/compte-rendu/actions/<int:action_pk>/supprimer/",
        views.action_delete,
        name="action_delete",
    ),
    path(
        "<int:pk>/<dockind:kind>/<int:document_pk>/etat/",
        views.document_status,
        name="document_status",
    ),
    path(
        "<int:pk>/<dockind:kind>/<int:document_pk>/reessayer/",
        views.document_retry,
        name="document_retry",
    ),
    path(
        "<int:pk>/courriels/<slug:kind>/renvoyer/",
        views.resend_unserved,
        name="resend_unserved",
    ),
    path(
        "<int:pk>/<dockind:kind>/<int:document_pk>/pdf/",
        views.document_download,
        name="document_download",
    ),
]
