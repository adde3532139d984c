"""The annual diagnostic of a quartier: a working copy written by the team, published versions
frozen for the élus, contributions of team members, and the generated PDF documents."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foundation.models import DocumentJob
from teams.models import Priority, Quartier


class Diagnostic(models.Model):
    """The working copy of a quartier's diagnostic for one year, and its workflow state."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        REVIEW = "review", _("en relecture")
        VALIDATED = "validated", _("validé")
        PUBLISHED = "published", _("publié")

    quartier = models.ForeignKey(
        Quartier, verbose_name=_("quartier"), on_delete=models.PROTECT, related_name="diagnostics"
    )
    year = models.PositiveSmallIntegerField(_("année"))
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("état changé le"), default=timezone.now)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("validé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    validated_at = models.DateTimeField(_("validé le"), null=True, blank=True)
    review_requested_at = models.DateTimeField(_("relecture demandée le"), null=True, blank=True)
    review_notified_at = models.DateTimeField(_("équipe prévenue le"), null=True, blank=True)
    published_version = models.PositiveSmallIntegerField(
        _("dernière version publiée"),
        default=0,
        help_text=_("0 tant qu'aucune version n'est publiée."),
    )

    class Meta:
        verbose_name = _("diagnostic de quartier")
        verbose_name_plural = _("diagnostics de quartier")
        ordering = ["-year", "quartier__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["quartier", "year"], name="diagnostic_unique_per_quartier_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quartier} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("diagnostics:detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        """Sections and contributions change only before validation."""
        return self.status in (self.Status.DRAFT, self.Status.REVIEW)


class Section(models.Model):
    """An editorial section of the working copy, in Markdown (sanitized when displayed)."""

    class Kind(models.TextChoices):
        SYNTHESE = "synthese", _("Synthèse")
        CONSTAT = "constat", _("Constats")
        ATOUTS = "atouts", _("Atouts")
        FRAGILITES = "fragilites", _("Fragilités")
        POTENTIELS = "potentiels", _("Potentiels")
        MENACES = "menaces", _("Menaces")
        PRECONISATIONS = "preconisations", _("Préconisations")

    diagnostic = models.ForeignKey(
        Diagnostic, verbose_name=_("diagnostic"), on_delete=models.CASCADE, related_name="sections"
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    priority = models.ForeignKey(
        Priority,
        verbose_name=_("axe prioritaire"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="diagnostic_sections",
    )
    title = models.CharField(_("titre"), max_length=200)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    body = models.TextField(_("texte (Markdown)"), blank=True)
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("modifié par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["diagnostic", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["diagnostic", "kind"],
                condition=~Q(kind="constat"),
                name="diagnostic_section_unique_kind",
            ),
            models.UniqueConstraint(
                fields=["diagnostic", "priority"],
                condition=Q(priority__isnull=False),
                name="diagnostic_section_unique_priority",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Contribution(models.Model):
    """A team member's proposal for a section; the chef de projet integrates or declines it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("proposée")
        INTEGRATED = "integrated", _("intégrée")
        DECLINED = "declined", _("non retenue")

    diagnostic = models.ForeignKey(
        Diagnostic,
        verbose_name=_("diagnostic"),
        on_delete=models.CASCADE,
        related_name="contributions",
    )
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="contributions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="diagnostic_contributions",
    )
    body = models.TextField(_("proposition (Markdown)"))
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    created_at = models.DateTimeField(_("proposée le"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decision_note = models.CharField(_("réponse du chef de projet"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["diagnostic", "status"])]

    def __str__(self) -> str:
        return f"{self.section} — {self.author}"


class DiagnosticVersion(models.Model):
    """A published version: the sections and the figures frozen at publication. Never changed:
    a correction publishes a new version and the old ones stay readable."""

    diagnostic = models.ForeignKey(
        Diagnostic, verbose_name=_("diagnostic"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    published_at = models.DateTimeField(_("publiée le"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publiée par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    correction_note = models.TextField(_("objet de la correction"), blank=True)
    sections = models.JSONField(_("sections"), default=list)
    indicators = models.JSONField(_("indicateurs"), default=dict)
    data_checksum = models.CharField(_("empreinte des données"), max_length=64)
    notified_at = models.DateTimeField(_("élus et direction prévenus le"), null=True, blank=True)

    class Meta:
        verbose_name = _("version publiée")
        verbose_name_plural = _("versions publiées")
        ordering = ["diagnostic", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["diagnostic", "number"], name="diagnostic_version_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.diagnostic} — v{self.number}"

    def save(self, *args, **kwargs):
        # A published version is a record: it is written once. (`notified_at` is set with a
        # conditional queryset update, which does not come through here.)
        if not self._state.adding:
            raise ValidationError(_("Une version publiée ne peut pas être modifiée."))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("diagnostics:version", args=[self.diagnostic_id, self.number])

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Une version publiée ne peut pas être supprimée."))


class DiagnosticDocument(DocumentJob):
    """A generated PDF of a diagnostic: of a published version, or of the working copy (a proof).

    Stores who asked, when, and from which data (`snapshot`: the sections and figures rendered,
    `data_checksum` its SHA-256), so the same document can be explained and reproduced.
    """

    task_name = "diagnostics.tasks.render_diagnostic_document"

    diagnostic = models.ForeignKey(
        Diagnostic, verbose_name=_("diagnostic"), on_delete=models.CASCADE, related_name="documents"
    )
    version = models.ForeignKey(
        DiagnosticVersion,
        verbose_name=_("version publiée"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        help_text=_("Vide pour une épreuve de travail."),
    )
    snapshot = models.JSONField(_("données du document"), default=dict)
    data_checksum = models.CharField(_("empreinte des données"), max_length=64)

    class Meta:
        verbose_name = _("document PDF du diagnostic")
        verbose_name_plural = _("documents PDF des diagnostics")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One job at a time per diagnostic: a second request while one runs gets that one.
            models.UniqueConstraint(
                fields=["diagnostic"],
                condition=Q(status__in=["pending", "running"]),
                name="diagnostic_document_one_active_job",
            ),
        ]
        indexes = [models.Index(fields=["diagnostic", "version", "data_checksum"])]

    def __str__(self) -> str:
        label = f"v{self.version.number}" if self.version is not None else "épreuve"
        return f"{self.diagnostic} — {label}"
