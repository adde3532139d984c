"""Partner systems (API keys), the extra fields of a category, submissions and webhook deliveries.

A key is shown once, at creation in the admin; only its SHA-256 is kept (a key is 32 random
bytes: a fast hash is enough, there is nothing to brute-force). The webhook secret, in
contrast, must be kept in clear: it signs every delivery.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from observations.models import Category, Observation
from teams.models import Quartier

KEY_PREFIX = "o311_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def active(self) -> ApiKeyQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A partner system (the citizen-report app, the GRC…) allowed in some quartiers."""

    partner = models.CharField(_("système partenaire"), max_length=120)
    quartiers = models.ManyToManyField(
        Quartier, verbose_name=_("quartiers autorisés"), related_name="+"
    )
    key_hash = models.CharField(
        _("empreinte de la clé"), max_length=64, unique=True, editable=False
    )
    key_hint = models.CharField(
        _("début de la clé"), max_length=12, editable=False, help_text=_("Pour la reconnaître.")
    )
    webhook_url = models.URLField(
        _("adresse de rappel (webhook)"),
        blank=True,
        help_text=_("Chaque changement d'état d'une demande de ce partenaire y est envoyé (POST)."),
    )
    webhook_secret = models.CharField(
        _("secret de signature"), max_length=64, default="", editable=False
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, editable=False)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("clé d'API Open311")
        verbose_name_plural = _("clés d'API Open311")
        ordering = ["partner", "-created_at"]

    def __str__(self) -> str:
        return f"{self.partner} ({self.key_hint}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ServiceAttribute(models.Model):
    """An extra question of a category (GeoReport v2 `attributes` of a service definition)."""

    class Datatype(models.TextChoices):
        STRING = "string", _("texte court")
        NUMBER = "number", _("nombre")
        DATETIME = "datetime", _("date et heure")
        TEXT = "text", _("texte long")
        SINGLE = "singlevaluelist", _("un choix dans une liste")
        MULTI = "multivaluelist", _("plusieurs choix dans une liste")

    category = models.ForeignKey(
        Category, verbose_name=_("catégorie"), on_delete=models.CASCADE, related_name="+"
    )
    code = models.SlugField(_("code"), max_length=60)
    description = models.CharField(_("question"), max_length=255)
    datatype = models.CharField(
        _("type"), max_length=20, choices=Datatype.choices, default=Datatype.STRING
    )
    datatype_description = models.CharField(_("précision sur le type"), max_length=255, blank=True)
    required = models.BooleanField(_("obligatoire"), default=False)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    #: For the list types: [{"key": "...", "name": "..."}].
    values = models.JSONField(_("valeurs possibles"), default=list, blank=True)

    class Meta:
        verbose_name = _("champ complémentaire Open311")
        verbose_name_plural = _("champs complémentaires Open311")
        ordering = ["category", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="open311_attribute_code")
        ]

    def __str__(self) -> str:
        return f"{self.category} — {self.code}"


class Submission(models.Model):
    """A request POSTed by a partner: the observation is created at once, or once its media is in."""

    class State(models.TextChoices):
        PENDING = "pending", _("en attente")
        DONE = "done", _("créée")
        REFUSED = "refused", _("refusée")

    token = models.UUIDField(_("jeton"), default=uuid.uuid4, unique=True, editable=False)
    api_key = models.ForeignKey(
        ApiKey, verbose_name=_("clé"), on_delete=models.PROTECT, related_name="submissions"
    )
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.PENDING)
    #: The validated fields for `observation_create` (ids and strings only).
    payload = models.JSONField(_("contenu"), default=dict)
    media_url = models.URLField(_("adresse du média"), max_length=1000, blank=True)
    observation = models.OneToOneField(
        Observation,
        verbose_name=_("observation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="open311_submission",
    )
    error = models.CharField(_("motif du refus"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("reçue le"), default=timezone.now)

    class Meta:
        verbose_name = _("demande Open311 reçue")
        verbose_name_plural = _("demandes Open311 reçues")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.token)


class WebhookDelivery(models.Model):
    """One status change to POST to a partner's webhook; retried, then left failed for the admin."""

    class State(models.TextChoices):
        PENDING = "pending", _("à envoyer")
        DELIVERED = "delivered", _("reçue")
        FAILED = "failed", _("échec")

    api_key = models.ForeignKey(
        ApiKey, verbose_name=_("clé"), on_delete=models.CASCADE, related_name="deliveries"
    )
    observation = models.ForeignKey(
        Observation, verbose_name=_("observation"), on_delete=models.CASCADE, related_name="+"
    )
    url = models.URLField(_("adresse"), max_length=1000)
    payload = models.JSONField(_("contenu"))
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.CharField(_("dernière erreur"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    delivered_at = models.DateTimeField(_("reçue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("envoi de webhook")
        verbose_name_plural = _("envois de webhooks")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "-created_at"], name="open311_delivery_state")]

    def __str__(self) -> str:
        return f"{self.api_key.partner} — {self.observation_id} ({self.get_state_display()})"
