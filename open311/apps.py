"""Open311 GeoReport v2: the city's other systems read and submit observations, and hear back of status changes."""

from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _status_changed(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from open311 import services

        services.status_changed(instance)


class Open311Config(AppConfig):
    name = "open311"
    verbose_name = _("Open311")

    def ready(self) -> None:
        # `observations` may not know the apps above it: the webhook of a partner hears of a
        # status change from the history row, written in the transaction of the change (so
        # the delivery and its outbox row commit with it, or not at all).
        from observations.models import StatusChange

        post_save.connect(_status_changed, sender=StatusChange, dispatch_uid="open311_status")
