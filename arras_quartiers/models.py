"""The security journal (`AuditEvent`), written by `arras_quartiers.audit`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One security event (a login, a refusal, a change of rights, an export, a publication).

    Written through `arras_quartiers.audit.record`, never edited: the administration shows
    them read-only. Times are stored in UTC (USE_TZ) and shown in UTC.
    """

    occurred_at = models.DateTimeField(_("date (UTC)"), default=timezone.now, db_index=True)
    event = models.CharField(_("événement"), max_length=40, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("identifiant"), max_length=320, blank=True)
    target_type = models.CharField(_("type d'objet"), max_length=100, blank=True)
    target_id = models.CharField(_("identifiant de l'objet"), max_length=64, blank=True)
    target_label = models.CharField(_("objet"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    path = models.CharField(_("adresse demandée"), max_length=500, blank=True)
    details = models.JSONField(_("détails"), default=dict, blank=True)

    class Meta:
        verbose_name = _("événement de sécurité")
        verbose_name_plural = _("journal de sécurité")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} UTC {self.event} {self.actor_label}"
