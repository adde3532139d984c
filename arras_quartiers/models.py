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


class PendingSignIn(models.Model):
    """Someone the city's provider signed in whom no active agent matches (arras_quartiers.sso).

    No account is created: the administrators read these entries and create or correct the
    agent (its address) themselves.
    """

    subject = models.CharField(_("identifiant chez le fournisseur"), max_length=255)
    email = models.CharField(_("adresse électronique"), max_length=320, blank=True)
    email_verified = models.BooleanField(_("adresse vérifiée par le fournisseur"), default=False)
    name = models.CharField(_("nom"), max_length=200, blank=True)
    first_seen_at = models.DateTimeField(_("première tentative"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("dernière tentative"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("tentatives"), default=1)

    class Meta:
        verbose_name = _("connexion en attente de rattachement")
        verbose_name_plural = _("connexions en attente de rattachement")
        ordering = ["-last_seen_at"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "email"], name="pending_signin_unique")
        ]

    def __str__(self) -> str:
        return self.email or self.subject


class HRRecord(models.Model):
    """What the HR directory (SIRH) says of an agent: its matricule and departure date.

    Kept in the shell, next to the import that writes it (arras_quartiers.hr).
    """

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="hr_record",
    )
    matricule = models.CharField(_("matricule"), max_length=40, unique=True)
    departure_date = models.DateField(_("date de départ"), null=True, blank=True)
    departed_at = models.DateTimeField(_("départ appliqué le"), null=True, blank=True)
    imported_at = models.DateTimeField(_("dernier import"), default=timezone.now)

    class Meta:
        verbose_name = _("fiche SIRH")
        verbose_name_plural = _("fiches SIRH")
        ordering = ["matricule"]

    def __str__(self) -> str:
        return self.matricule
