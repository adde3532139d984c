"""Walks of the diagnostic en marchant: a planned route of stops through the quartier, observations noted at each stop, and the walk's report."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WalksConfig(AppConfig):
    name = "walks"
    verbose_name = _("Diagnostics en marchant")

    def ready(self) -> None:
        from foundation.panels import register_panel
        from walks import panels

        register_panel("quartier", panels.quartier_panel, order=35)

        from foundation.generations import bump_on_change
        from walks.models import Walk

        bump_on_change(Walk, lambda walk: [f"quartier:{walk.quartier_id}"])
