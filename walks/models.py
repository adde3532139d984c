"""A diagnostic en marchant: a planned walk through a quartier, its ordered stops, its invitees,
the observations noted at its stops, and its report (a background PDF)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from foundation.models import DocumentJob


class Walk(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("prévue")
        DONE = "done", _("réalisée")
        CANCELLED = "cancelled", _("annulée")

    quartier = models.ForeignKey(
        "teams.Quartier", verbose_name=_("quartier"), on_delete=models.PROTECT, related_name="walks"
    )
    title = models.CharField(_("titre"), max_length=200)
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    meeting_point = models.CharField(_("point de rendez-vous"), max_length=255)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organisée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    #: iCalendar SEQUENCE: raised at each move, so calendar programs replace the event.
    sequence = models.PositiveIntegerField(_("version de l'invitation"), default=0)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("diagnostic en marchant")
        verbose_name_plural = _("diagnostics en marchant")
        ordering = ["-start"]
        indexes = [models.Index(fields=["quartier", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="walk_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("walks:detail", args=[self.pk])

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE


class Stop(models.Model):
    walk = models.ForeignKey(
        Walk, verbose_name=_("marche"), on_delete=models.CASCADE, related_name="stops"
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    name = models.CharField(_("arrêt"), max_length=200)
    theme = models.CharField(_("thème"), max_length=200, blank=True)
    priority = models.ForeignKey(
        "teams.Priority",
        verbose_name=_("axe du projet de quartier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        verbose_name = _("arrêt")
        verbose_name_plural = _("arrêts")
        ordering = ["walk", "position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def theme_label(self) -> str:
        return self.priority.title if self.priority_id and self.priority else self.theme

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class WalkInvitation(models.Model):
    """One invitee: an agent, or an external participant (partner, conseil citoyen, inhabitant)."""

    walk = models.ForeignKey(
        Walk, verbose_name=_("marche"), on_delete=models.CASCADE, related_name="invitations"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="walk_invitations",
    )
    external = models.ForeignKey(
        "teams.ExternalParticipant",
        verbose_name=_("participant extérieur"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="walk_invitations",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["walk", "agent"], name="walk_invitation_unique_agent"),
            models.UniqueConstraint(
                fields=["walk", "external"], name="walk_invitation_unique_external"
            ),
            models.CheckConstraint(
                condition=(Q(agent__isnull=False) & Q(external__isnull=True))
                | (Q(agent__isnull=True) & Q(external__isnull=False)),
                name="walk_invitation_agent_xor_external",
            ),
        ]

    def __str__(self) -> str:
        return str(self.invitee)

    @property
    def invitee(self):
        return self.agent if self.agent_id else self.external

    @property
    def email(self) -> str:
        return self.invitee.email


class StopObservation(models.Model):
    """An observation noted at a stop (observations may not import walks: the link lives here)."""

    stop = models.ForeignKey(
        Stop, verbose_name=_("arrêt"), on_delete=models.CASCADE, related_name="notes"
    )
    observation = models.OneToOneField(
        "observations.Observation",
        verbose_name=_("observation"),
        on_delete=models.CASCADE,
        related_name="walk_stop",
    )
    #: Noted by an agent for an inhabitant without an account: a flag, never the person.
    for_inhabitant = models.BooleanField(_("noté pour un habitant"), default=False)

    class Meta:
        verbose_name = _("observation d'un arrêt")
        verbose_name_plural = _("observations des arrêts")

    def __str__(self) -> str:
        return f"{self.stop} — {self.observation_id}"


class WalkReport(DocumentJob):
    task_name = "walks.tasks.render_report"

    walk = models.ForeignKey(
        Walk, verbose_name=_("marche"), on_delete=models.CASCADE, related_name="reports"
    )

    class Meta:
        verbose_name = _("compte rendu de marche")
        verbose_name_plural = _("comptes rendus de marche")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.walk} — {self.get_status_display()}"
