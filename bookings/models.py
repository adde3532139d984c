"""The shared equipment of a place (the MSP's room, vehicles, bikes) and its bookings.

Two bookings of one resource never overlap: on PostgreSQL an exclusion constraint on the time
range says so whatever the timing (created by `bookings.db.PostgresOnly` in the migrations: the
app also runs on SQLite, where `bookings.services` serializes the writes instead).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Place(models.Model):
    """A place with shared equipment, such as a maison de services et de proximité (MSP)."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=200, unique=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    description = models.TextField(_("présentation"), blank=True)
    quartiers = models.ManyToManyField(
        "teams.Quartier",
        verbose_name=_("quartiers"),
        related_name="places",
        help_text=_("Leurs chefs de projet gèrent le lieu et ses équipements."),
    )

    class Meta:
        verbose_name = _("lieu")
        verbose_name_plural = _("lieux")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("bookings:place", args=[self.slug])


class Resource(models.Model):
    """A bookable thing of a place: a room, a vehicle, a bike, a workstation."""

    class Kind(models.TextChoices):
        ROOM = "room", _("salle")
        VEHICLE = "vehicle", _("véhicule")
        BIKE = "bike", _("vélo")
        DESK = "desk", _("poste de travail")

    class Audience(models.TextChoices):
        TEAM = "team", _("l'équipe du quartier")
        SERVICE = "service", _("un service")
        EVERYONE = "everyone", _("tous les agents")

    place = models.ForeignKey(
        Place, verbose_name=_("lieu"), on_delete=models.CASCADE, related_name="resources"
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("nom"), max_length=160)
    capacity = models.PositiveSmallIntegerField(
        _("capacité"), default=1, help_text=_("Places assises, ou passagers d'un véhicule.")
    )
    notes = models.TextField(
        _("informations pratiques"), blank=True, help_text=_("Clés, badge, recharge, consignes.")
    )
    out_of_service = models.BooleanField(_("hors service"), default=False)
    out_of_service_reason = models.CharField(
        _("raison de la mise hors service"), max_length=255, blank=True
    )
    max_duration_minutes = models.PositiveIntegerField(
        _("durée maximale d'une réservation (minutes)"), default=240
    )
    max_days_ahead = models.PositiveSmallIntegerField(
        _("réservable jusqu'à (jours à l'avance)"), default=30
    )
    audience = models.CharField(
        _("qui peut réserver"), max_length=10, choices=Audience.choices, default=Audience.TEAM
    )
    audience_service = models.ForeignKey(
        "teams.Service",
        verbose_name=_("service autorisé"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Seulement quand la réservation est réservée à un service."),
    )
    is_active = models.BooleanField(_("proposé à la réservation"), default=True)

    # Set on instances by the place's page (not a column).
    bookable: bool

    class Meta:
        verbose_name = _("équipement")
        verbose_name_plural = _("équipements")
        ordering = ["place", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="resource_unique_name"),
            models.CheckConstraint(
                condition=Q(max_duration_minutes__gte=15), name="resource_duration_min"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.place})"

    def get_absolute_url(self) -> str:
        return reverse("bookings:resource", args=[self.pk])

    @property
    def icon(self) -> str:
        icons: dict[str, str] = {
            self.Kind.ROOM: "bi-door-open",
            self.Kind.VEHICLE: "bi-ev-front",
            self.Kind.BIKE: "bi-bicycle",
            self.Kind.DESK: "bi-pc-display",
        }
        return icons.get(self.kind, "bi-box")


class BookingQuerySet(models.QuerySet["Booking"]):
    def active(self) -> BookingQuerySet:
        return self.filter(cancelled_at__isnull=True)

    def overlapping(self, start: datetime.datetime, end: datetime.datetime) -> BookingQuerySet:
        return self.filter(start__lt=end, end__gt=start)


class Booking(models.Model):
    """One agent's use of a resource over a time slot (half-open: [start, end))."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("équipement"), on_delete=models.CASCADE, related_name="bookings"
    )
    booker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("réservé par"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    purpose = models.CharField(_("objet"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("réservé le"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("annulée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reminder_sent_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("réservation")
        verbose_name_plural = _("réservations")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="booking_end_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "start"]),
            models.Index(fields=["booker", "start"]),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.start)
        return f"{self.resource.name} — {local:%d/%m/%Y %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def meeting_held(self) -> Any:
        """The meeting this booking holds the room for (`meetings` sets it), or None. Its booking
        follows the meeting: moved with it, freed when it is cancelled, never on its own."""
        return getattr(self, "meeting", None)
