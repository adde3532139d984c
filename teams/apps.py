from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Équipes et quartiers")

    def ready(self) -> None:
        from foundation.forms import choices_scope
        from foundation.generations import bump_on_change
        from teams.models import Membership, Quartier, Service

        # What a person sees of a quartier follows their membership in its team.
        bump_on_change(Membership, lambda m: [f"quartier:{m.quartier_id}", f"agent:{m.agent_id}"])
        # The filter bars' options (foundation.forms.cached_choices).
        bump_on_change(Service, lambda _service: [choices_scope(Service)])
        bump_on_change(Quartier, lambda _quartier: [choices_scope(Quartier)])
