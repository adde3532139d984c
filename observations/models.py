"""What the field sees: observations, their photos, history, comments, escalations; orientations.

Field names here are read by `meetings` and `diagnostics`: add fields, never rename them.
Reads go through `observations.permissions.observations_visible_to(user)` and its siblings;
anything that leaves the team (a PDF, an export) goes through `citable()` / `public_title`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foundation.models import DocumentJob
from foundation.urls import reverse_ids
from teams.models import Priority, Quartier, Service

#: French stemming, accents ignored ("depot" finds "dépôt"): created by migration 0004.
SEARCH_CONFIG = "french_unaccent"


class Category(models.Model):
    """A kind of observation, configurable in the admin, routed by default to a service."""

    name = models.CharField(_("nom"), max_length=120, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    default_service = models.ForeignKey(
        Service,
        verbose_name=_("service destinataire par défaut"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("catégorie")
        verbose_name_plural = _("catégories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class ObservationQuerySet(models.QuerySet["Observation"]):
    def citable(self) -> ObservationQuerySet:
        """Observations whose title and description may appear in a document sent outside the team."""
        return self.filter(confidentiality=Observation.Confidentiality.TEAM)

    def open(self) -> ObservationQuerySet:
        return self.filter(status__in=Observation.OPEN_STATUSES)


class ObservationManager(models.Manager.from_queryset(ObservationQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> ObservationQuerySet:
        # The stored search document is for the database's index, never for reading.
        return super().get_queryset().defer("search_document")


class Observation(models.Model):
    class Urgency(models.TextChoices):
        LOW = "faible", _("faible")
        NORMAL = "normale", _("normale")
        HIGH = "urgente", _("urgente")

    class Confidentiality(models.TextChoices):
        TEAM = "equipe", _("équipe")
        CONFIDENTIAL = "confidentiel", _("confidentiel")

    class Status(models.TextChoices):
        NEW = "nouvelle", _("nouvelle")
        SENT = "transmise", _("transmise")
        IN_PROGRESS = "en_cours", _("en cours")
        DONE = "traitee", _("traitée")
        CLOSED = "classee", _("classée")

    class ClosingReason(models.TextChoices):
        DUPLICATE = "doublon", _("doublon")
        OUT_OF_SCOPE = "hors_competence", _("hors compétence")
        NO_FOLLOW_UP = "sans_suite", _("sans suite")

    OPEN_STATUSES = (Status.NEW, Status.SENT, Status.IN_PROGRESS)

    quartier = models.ForeignKey(
        Quartier, verbose_name=_("quartier"), on_delete=models.PROTECT, related_name="observations"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
    )
    category = models.ForeignKey(
        Category, verbose_name=_("catégorie"), on_delete=models.PROTECT, related_name="observations"
    )
    title = models.CharField(_("titre"), max_length=140)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(
        _("lieu"), max_length=255, help_text=_("Par exemple : square Baudimont, près des jeux.")
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    #: Set on save when the point lies in no quartier's outline (a typo, a point placed by
    #: mistake, or an outline to redraw): the chef de projet sees it flagged.
    outside_outlines = models.BooleanField(_("point hors des périmètres connus"), default=False)
    observed_at = models.DateTimeField(_("observé le"), default=timezone.now)
    urgency = models.CharField(
        _("urgence"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    is_emerging = models.BooleanField(
        _("phénomène émergent"),
        default=False,
        help_text=_("Quelque chose de nouveau qui semble se répéter."),
    )
    priority = models.ForeignKey(
        Priority,
        verbose_name=_("axe du projet de quartier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
    )
    confidentiality = models.CharField(
        _("confidentialité"),
        max_length=12,
        choices=Confidentiality.choices,
        default=Confidentiality.TEAM,
    )
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.NEW)
    closing_reason = models.CharField(
        _("motif de classement"), max_length=20, choices=ClosingReason.choices, blank=True
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service destinataire"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("doublon de"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    # The French full-text document of title, description and place, on PostgreSQL: kept by a
    # trigger on every insert and update (migration 0007), GIN-indexed. Stored rather than an
    # index on an expression so that checking a row against a query reads it instead of
    # re-stemming the text: a search matching 100,000 observations stays fast when PostgreSQL
    # has to recheck whole pages. Always empty on other databases (they search with icontains).
    search_document = SearchVectorField(null=True, editable=False)
    #: Generated by the browser for each submission of the form (kept with an item queued
    #: offline): sending it again (a retry, a double tap, a connection cut mid-upload) finds
    #: this observation instead of creating a second one.
    idempotency_key = models.UUIDField(_("clé d'envoi"), null=True, blank=True, editable=False)

    objects = ObservationManager()

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["quartier", "-id"], name="obs_quartier_recent"),
            models.Index(fields=["service", "status", "-id"], name="obs_service_queue"),
            models.Index(
                fields=["quartier", "category", "observed_at"], name="obs_quartier_category_date"
            ),
            models.Index(fields=["author", "-id"], name="obs_author_recent"),
            models.Index(fields=["status", "-id"], name="obs_status_recent"),
            models.Index(fields=["observed_at"], name="obs_observed_at"),
            # The map: the points of a quartier within the visible area.
            models.Index(
                fields=["quartier", "latitude", "longitude"],
                name="obs_quartier_point",
                condition=models.Q(latitude__isnull=False),
            ),
            # The quartier panel's counts by status and the triage count: index-only scans.
            models.Index(
                fields=["quartier", "status", "observed_at", "id"], name="obs_quartier_status_date"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="classee") | Q(closing_reason=""),
                name="obs_closing_reason_only_when_closed",
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=models.F("pk")) | Q(duplicate_of__isnull=True),
                name="obs_not_duplicate_of_itself",
            ),
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="obs_author_idempotency_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse_ids("observations:detail", self.pk)

    @property
    def is_confidential(self) -> bool:
        return self.confidentiality == self.Confidentiality.CONFIDENTIAL

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def public_title(self) -> str:
        """A title safe for any document: confidential ones show only their category and quartier.

        Reads `category` and `quartier`: select_related them when citing many observations.
        """
        if self.is_confidential:
            return str(
                _("Observation confidentielle n° %(number)s (%(category)s, %(quartier)s)")
                % {"number": self.pk, "category": self.category, "quartier": self.quartier}
            )
        return self.title

    @property
    def public_summary(self) -> str:
        """A short, shareable summary: nothing but the category for confidential observations."""
        if self.is_confidential:
            return ""
        text = " ".join(self.description.split())
        return text if len(text) <= 280 else text[:279].rstrip() + "…"

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def photo_path(photo: Photo, filename: str) -> str:
    today = timezone.now()
    return f"observations/{today:%Y/%m}/{filename}"


class Photo(models.Model):
    """A re-encoded picture (no metadata), stored privately and served by an access-checked view."""

    observation = models.ForeignKey(
        Observation, verbose_name=_("observation"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("image"), upload_to=photo_path)
    thumbnail = models.FileField(_("vignette"), upload_to=photo_path)
    width = models.PositiveIntegerField(_("largeur"), default=0)
    height = models.PositiveIntegerField(_("hauteur"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ajoutée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ajoutée le"), default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["observation", "id"]

    def __str__(self) -> str:
        return f"{_('Photo')} {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse_ids("observations:photo", self.observation_id, self.pk)

    @property
    def thumbnail_url(self) -> str:
        return reverse("observations:photo_thumbnail", args=[self.observation_id, self.pk])


class StatusChange(models.Model):
    """One step of an observation's history: who, when, from, to, and why."""

    observation = models.ForeignKey(
        Observation,
        verbose_name=_("observation"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("le"), default=timezone.now)
    from_status = models.CharField(
        _("état précédent"), max_length=10, choices=Observation.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("nouvel état"), max_length=10, choices=Observation.Status.choices
    )
    closing_reason = models.CharField(
        _("motif de classement"),
        max_length=20,
        choices=Observation.ClosingReason.choices,
        blank=True,
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("changement d'état")
        verbose_name_plural = _("historique des états")
        ordering = ["observation", "changed_at", "id"]
        indexes = [
            models.Index(fields=["observation", "changed_at"], name="obs_status_change_timeline"),
            # The first treatment of each observation (diagnostic's time to treatment): read
            # from the index alone, without the other changes of the timeline.
            models.Index(
                fields=["observation", "changed_at"],
                condition=models.Q(to_status="traitee"),
                name="obs_status_change_treated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class Comment(models.Model):
    observation = models.ForeignKey(
        Observation,
        verbose_name=_("observation"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observation_comments",
    )
    body = models.TextField(_("commentaire"))
    created_at = models.DateTimeField(_("écrit le"), default=timezone.now)

    class Meta:
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")
        ordering = ["observation", "created_at", "id"]
        indexes = [models.Index(fields=["observation", "created_at"], name="obs_comment_thread")]

    def __str__(self) -> str:
        return f"{self.author} — {self.created_at:%d/%m/%Y}"


class Escalation(models.Model):
    """A remontée to the comité de direction, by the chef de projet, and the comité's answer."""

    observation = models.ForeignKey(
        Observation,
        verbose_name=_("observation"),
        on_delete=models.CASCADE,
        related_name="escalations",
    )
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("remontée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(
        _("motif de la remontée"),
        help_text=_(
            "Ce que le comité de direction doit savoir ou décider. Lu par la direction de tous les services."
        ),
    )
    created_at = models.DateTimeField(_("remontée le"), default=timezone.now)
    answer = models.TextField(_("réponse du comité de direction"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("réponse de"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("remontée au comité de direction")
        verbose_name_plural = _("remontées au comité de direction")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["observation"], name="obs_escalation_observation"),
            models.Index(fields=["created_at"], name="obs_escalation_created"),
        ]

    def __str__(self) -> str:
        return f"{_('Remontée')} {self.pk}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class EscalationDigest(DocumentJob):
    """The monthly PDF of the escalations and answers, emailed to the comité de direction."""

    task_name = "observations.tasks.render_escalation_digest"
    mail_task_name = "observations.tasks.send_escalation_digest"

    month = models.DateField(_("mois"), help_text=_("Le premier jour du mois couvert."))
    emailed_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("synthèse mensuelle des remontées")
        verbose_name_plural = _("synthèses mensuelles des remontées")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["month"], name="obs_escalation_digest_one_per_month")
        ]

    def __str__(self) -> str:
        return f"{_('Synthèse des remontées')} {self.month:%m/%Y}"


class Notification(models.Model):
    """An email to send to one person: at once, or gathered in their daily digest."""

    class Kind(models.TextChoices):
        NEW = "new", _("nouvelle observation à trier")
        ASSIGNED = "assigned", _("observation transmise au service")
        STATUS = "status", _("changement d'état")
        COMMENT = "comment", _("nouveau commentaire")
        ESCALATION = "escalation", _("remontée au comité de direction")
        ANSWER = "answer", _("réponse du comité de direction")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destinataire"),
        on_delete=models.CASCADE,
        related_name="observation_notifications",
    )
    observation = models.ForeignKey(
        Observation, verbose_name=_("observation"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    #: Taken by a worker to mail it; `sent_at` confirms. A claim older than the lease
    #: (`services.NOTIFICATION_LEASE`) lost its worker and is mailed again.
    claimed_at = models.DateTimeField(_("prise en charge le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sent_at", "recipient"], name="obs_notification_unsent")]

    def __str__(self) -> str:
        return self.message


class NeedType(models.Model):
    """A need an inhabitant comes with at the MSP reception, and the service usually oriented to."""

    name = models.CharField(_("besoin"), max_length=120, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)
    default_service = models.ForeignKey(
        Service,
        verbose_name=_("service habituel"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("actif"), default=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("type de besoin")
        verbose_name_plural = _("types de besoin")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Orientation(models.Model):
    """An inhabitant oriented to a service: anonymous by construction (no field about the person)."""

    quartier = models.ForeignKey(
        Quartier, verbose_name=_("quartier"), on_delete=models.PROTECT, related_name="orientations"
    )
    need = models.ForeignKey(
        NeedType, verbose_name=_("besoin"), on_delete=models.PROTECT, related_name="orientations"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="orientations"
    )
    oriented_on = models.DateField(_("date"), default=timezone.localdate)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistrée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)

    class Meta:
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")
        ordering = ["-oriented_on", "-id"]
        indexes = [models.Index(fields=["quartier", "oriented_on"], name="obs_orientation_period")]

    def __str__(self) -> str:
        return f"{self.need} → {self.service} ({self.oriented_on:%d/%m/%Y})"
