from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservationsConfig(AppConfig):
    name = "observations"
    verbose_name = _("Observations de terrain")

    def ready(self) -> None:
        from foundation.panels import register_panel
        from observations.panels import home_panel, quartier_panel

        register_panel("home", home_panel, order=10)
        register_panel("quartier", quartier_panel, order=10)

        from foundation.forms import choices_scope
        from foundation.generations import bump_on_change
        from observations.models import Category, Observation

        bump_on_change(Observation, lambda o: [f"quartier:{o.quartier_id}"])
        # The filter bars' options (foundation.forms.cached_choices).
        bump_on_change(Category, lambda _category: [choices_scope(Category)])

        from django.db.models.signals import post_save, pre_save

        from observations import receivers
        from teams.models import Quartier

        pre_save.connect(receivers.remember_outline, sender=Quartier, dispatch_uid="obs-outline")
        post_save.connect(receivers.outline_saved, sender=Quartier, dispatch_uid="obs-outline")
