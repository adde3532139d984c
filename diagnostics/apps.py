from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosticsConfig(AppConfig):
    name = "diagnostics"
    verbose_name = _("Diagnostics de quartier")

    def ready(self):
        from diagnostics.panels import latest_published, quartier_comparison
        from foundation.panels import register_panel

        register_panel("quartier", quartier_comparison, order=80)
        register_panel("home", latest_published, order=30)

        from diagnostics.models import Diagnostic, DiagnosticVersion
        from foundation.generations import bump_on_change

        bump_on_change(Diagnostic, lambda d: [f"quartier:{d.quartier_id}"])
        bump_on_change(DiagnosticVersion, lambda v: [f"quartier:{v.diagnostic.quartier_id}"])
