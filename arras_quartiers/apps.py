from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArrasQuartiersConfig(AppConfig):
    name = "arras_quartiers"
    verbose_name = _("Socle")
