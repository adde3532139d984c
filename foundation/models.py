"""Abstract models shared by the apps' background documents."""

from __future__ import annotations

import hashlib
from typing import ClassVar, Self

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentJob(models.Model):
    """One requested document (a PDF) and the state of the job that renders it.

    A concrete subclass names the Celery task that renders it (`task_name`, called with the
    job's pk) and is registered with the stuck-job sweeper automatically. The row is written
    before anything is sent to the broker: if the broker is down, the request is not lost,
    it waits "en attente" until the sweeper sends it again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        RUNNING = "running", _("en cours")
        READY = "ready", _("prêt")
        FAILED = "failed", _("échec")

    task_name: ClassVar[str] = ""
    # Declared for the type checker: Django gives each concrete subclass its default manager.
    objects: ClassVar[models.Manager[Self]]

    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    enqueued_at = models.DateTimeField(_("transmis le"), null=True, blank=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    error = models.TextField(_("erreur"), blank=True)
    file = models.FileField(_("fichier"), upload_to="documents/%Y/", blank=True)
    checksum = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)

    def store(self, content: bytes, filename: str) -> None:
        """Save the rendered file and its checksum (the task then marks the job ready)."""
        if self.file:
            self.file.delete(save=False)
        self.checksum = hashlib.sha256(content).hexdigest()
        self.file.save(filename, ContentFile(content), save=False)
