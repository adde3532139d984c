from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Réunions")

    def ready(self) -> None:
        from foundation.panels import register_panel
        from meetings import panels

        register_panel("home", panels.home_panel, order=30)
        register_panel("quartier", panels.quartier_panel, order=30)

        from foundation.generations import bump_on_change
        from meetings.models import Invitation, Meeting

        bump_on_change(Meeting, panels.scopes_of_meeting)
        bump_on_change(Invitation, panels.scopes_of_invitation)
