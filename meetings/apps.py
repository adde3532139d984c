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
