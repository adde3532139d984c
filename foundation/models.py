"""Abstract models shared by the apps' background documents."""

from __future__ import annotations

import hashlib
from typing import ClassVar, Self

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentJob(models.Model):
    """One requested document (a PDF) and the state of the job that renders it.

    A concrete subclass names the Celery task that renders it (`task_name`, called with the
    job's pk), and the one that emails it once stored, if any (`mail_task_name`). The job and its task's outbox row (`foundation.outbox`) are written in the same
    transaction as the change that asks for it: with the broker down, the request is not lost,
    it waits "en attente" until the relay hands it over.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        RUNNING = "running", _("en cours")
        READY = "ready", _("prêt")
        FAILED = "failed", _("échec")

    task_name: ClassVar[str] = ""
    #: The task that emails the stored document, if it is emailed (`jobs.render_then_mail`).
    mail_task_name: ClassVar[str] = ""
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


def document_job_models() -> list[type[DocumentJob]]:
    """Every concrete document job of the installed apps."""
    return [model for model in apps.get_models() if issubclass(model, DocumentJob)]


class OutboxJob(models.Model):
    """One background task asked for by a change, recorded in the change's own transaction.

    Written by `foundation.outbox.enqueue`, handed to the broker by the relay
    (`foundation.outbox.relay`), and marked started, done or failed around the task's run. `due_at`
    is when the relay next looks at the row: the time to hand it over (en attente), to hand it over
    again if it never started (transmise: the message was lost) or if its run went silent (en cours:
    the worker died; a live worker keeps pushing it back).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("en attente")
        SENT = "sent", _("transmise")
        STARTED = "started", _("en cours")
        DONE = "done", _("terminée")
        FAILED = "failed", _("échec")

    OPEN_STATES: ClassVar[tuple[str, ...]] = (State.PENDING, State.SENT, State.STARTED)

    task_name = models.CharField(_("tâche"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(_("demandée le"), default=timezone.now)
    due_at = models.DateTimeField(_("échéance du relais"), default=timezone.now)
    sent_at = models.DateTimeField(_("transmise le"), null=True, blank=True)
    started_at = models.DateTimeField(_("commencée le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("transmissions"), default=0)
    error = models.TextField(_("erreur"), blank=True)

    class Meta:
        verbose_name = _("tâche en file")
        verbose_name_plural = _("tâches en file")
        indexes = [
            # The relay's one query: the open rows that are due, oldest first.
            models.Index(
                fields=["due_at"],
                condition=models.Q(state__in=["pending", "sent", "started"]),
                name="outbox_open_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)!r} — {self.get_state_display()}"


class MailDelivery(models.Model):
    """One email of a letter to one address, planned in the transaction that asks for the letter,
    then claimed, sent and confirmed (`foundation.mail`). `task_name` and `args` name the task
    that sends the letter: the sweep asks for it again when rows are left unserved."""

    class State(models.TextChoices):
        PENDING = "pending", _("à envoyer")
        SENDING = "sending", _("en cours")
        SENT = "sent", _("envoyé")
        # Claimed and never confirmed: the worker died during the exchange with the mail server,
        # which may have accepted it. Never re-sent without someone's say.
        UNCONFIRMED = "unconfirmed", _("à vérifier")

    letter = models.CharField(_("courrier"), max_length=200)
    task_name = models.CharField(_("tâche"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    email = models.EmailField(_("adresse"))
    name = models.CharField(_("destinataire"), max_length=200, blank=True)
    state = models.CharField(_("état"), max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    created_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    claimed_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("courriel à remettre")
        verbose_name_plural = _("courriels à remettre")
        constraints = [
            models.UniqueConstraint(fields=["letter", "email"], name="mail_delivery_unique")
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="mail_delivery_state")]

    def __str__(self) -> str:
        return f"{self.letter} → {self.email}"
