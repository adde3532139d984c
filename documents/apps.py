"""The team's shared documents: a space per quartier team and per working group, folders, versions, full-text search."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents partagés")

    def ready(self) -> None:
        from documents import hooks
        from foundation.jobs import on_ready
        from foundation.panels import register_panel

        on_ready(hooks.meeting_pdf_ready)
        register_panel("meeting", hooks.meeting_panel)
