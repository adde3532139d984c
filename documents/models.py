"""Shared documents: a space per quartier team and per working group, folders, documents and
their versions. Files go through Django's storage API (the disk, or the S3 setting)."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foundation.urls import reverse_ids

#: The French full-text configuration the observations' migrations created.
SEARCH_CONFIG = "french_unaccent"
#: Days a deleted document stays in the bin before its files are erased.
BIN_DAYS = 30


class Space(models.Model):
    """The documents of one quartier team or of one working group (exactly one of the two)."""

    quartier = models.OneToOneField(
        "teams.Quartier",
        verbose_name=_("quartier"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="document_space",
    )
    working_group = models.OneToOneField(
        "meetings.WorkingGroup",
        verbose_name=_("groupe de travail"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="document_space",
    )

    class Meta:
        verbose_name = _("espace documentaire")
        verbose_name_plural = _("espaces documentaires")
        constraints = [
            models.CheckConstraint(
                condition=Q(quartier__isnull=False, working_group__isnull=True)
                | Q(quartier__isnull=True, working_group__isnull=False),
                name="document_space_one_owner",
            )
        ]

    def __str__(self) -> str:
        if self.quartier_id:
            return str(_("Équipe %(name)s") % {"name": self.quartier})
        return str(_("Groupe de travail %(name)s") % {"name": self.working_group})

    def get_absolute_url(self) -> str:
        return reverse("documents:space", args=[self.pk])


class Folder(models.Model):
    """A folder of a space: for an axis of the projet de quartier, for a meeting, or a free one."""

    class Kind(models.TextChoices):
        AXIS = "axis", _("axe du projet de quartier")
        MEETING = "meeting", _("réunion")
        ANNEX = "annex", _("annexes du diagnostic")
        FREE = "free", _("dossier libre")

    space = models.ForeignKey(
        Space, verbose_name=_("espace"), on_delete=models.CASCADE, related_name="folders"
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.FREE)
    name = models.CharField(_("nom"), max_length=200)
    priority = models.ForeignKey(
        "teams.Priority",
        verbose_name=_("axe prioritaire"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="document_folders",
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("réunion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="document_folders",
    )

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["space", "name"], name="document_folder_unique_name"),
            models.UniqueConstraint(
                fields=["space", "meeting"],
                condition=Q(meeting__isnull=False),
                name="document_folder_unique_meeting",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DocumentQuerySet(models.QuerySet["Document"]):
    def alive(self) -> DocumentQuerySet:
        return self.filter(deleted_at__isnull=True)

    def in_bin(self) -> DocumentQuerySet:
        return self.filter(deleted_at__isnull=False)


class Document(models.Model):
    space = models.ForeignKey(
        Space, verbose_name=_("espace"), on_delete=models.CASCADE, related_name="documents"
    )
    folder = models.ForeignKey(
        Folder,
        verbose_name=_("dossier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
    )
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description courte"), max_length=1000, blank=True)
    tags = models.ManyToManyField(
        "teams.Priority",
        verbose_name=_("axes du projet de quartier"),
        blank=True,
        related_name="documents",
    )
    agenda_items = models.ManyToManyField(
        "meetings.AgendaItem",
        verbose_name=_("points d'ordre du jour"),
        blank=True,
        related_name="documents",
    )
    current_version = models.ForeignKey(
        "DocumentVersion",
        verbose_name=_("version en cours"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    #: The text of the current version, extracted in the background (PDF, ODF, OOXML).
    extracted_text = models.TextField(_("texte extrait"), blank=True, editable=False)
    search_document = SearchVectorField(null=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("déposé le"), default=timezone.now)
    updated_at = models.DateTimeField(_("mis à jour le"), default=timezone.now)
    deleted_at = models.DateTimeField(_("mis à la corbeille le"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mis à la corbeille par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["space", "-id"],
                condition=Q(deleted_at__isnull=True),
                name="document_space_alive",
            ),
            models.Index(
                fields=["deleted_at"], condition=Q(deleted_at__isnull=False), name="document_bin"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse_ids("documents:detail", self.pk)

    @property
    def erased_on(self) -> datetime.datetime | None:
        if self.deleted_at is None:
            return None
        return self.deleted_at + datetime.timedelta(days=BIN_DAYS)


def version_path(instance: DocumentVersion, filename: str) -> str:
    # A random name: the original one is kept in a column, never trusted as a path.
    extension = instance.extension or "bin"
    return f"shared-documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class DocumentVersion(models.Model):
    class TextStatus(models.TextChoices):
        NONE = "none", _("sans texte")
        PENDING = "pending", _("en attente")
        RUNNING = "running", _("en cours")
        READY = "ready", _("prêt")
        FAILED = "failed", _("échec")

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("fichier"), upload_to=version_path, max_length=255)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("type"), max_length=120)
    extension = models.CharField(_("extension"), max_length=10)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    checksum = models.CharField(_("empreinte SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("déposée le"), default=timezone.now)
    restored_from = models.ForeignKey(
        "self",
        verbose_name=_("restaurée depuis"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text_status = models.CharField(
        _("extraction du texte"),
        max_length=10,
        choices=TextStatus.choices,
        default=TextStatus.NONE,
    )
    text_error = models.TextField(_("erreur d'extraction"), blank=True)

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="document_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} — v{self.number}"

    def get_download_url(self) -> str:
        return reverse_ids("documents:download", self.document_id, self.pk)
