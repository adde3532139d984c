"""Arras demo for `bookings`: the MSP Marie-Thérèse Lenoir (Ouest) with its meeting room, an
electric vehicle and four bikes (one out of service), and bookings over the next five working
days, counted from the day the demo is loaded (so that they are still to come), and on the
working days of the current week before it (so that this week's view has some even when the
demo is loaded on a Friday evening or a weekend).

Idempotent: the place by its slug, a resource by (place, name), a booking by (resource, start).
Every person is the fictitious staff of `teams.demo`.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from bookings.models import Booking, Place, Resource
from teams.models import Agent, Quartier

DOMAIN = "arras.example"
PLACE_SLUG = "msp-marie-therese-lenoir"

RESOURCES = [
    # kind, name, capacity, notes, max minutes, days ahead, audience, out of service reason
    (
        Resource.Kind.ROOM,
        "Salle de réunion",
        18,
        "Vidéoprojecteur et paperboard. Clé à l'accueil de la MSP.",
        480,
        120,
        Resource.Audience.TEAM,
        "",
    ),
    (
        Resource.Kind.VEHICLE,
        "Véhicule électrique (Zoé)",
        4,
        "Clés et badge de recharge à l'accueil. Rebrancher la voiture au retour.",
        480,
        30,
        Resource.Audience.TEAM,
        "",
    ),
    *[
        (
            Resource.Kind.BIKE,
            f"Vélo à assistance électrique n° {n}",
            1,
            "Casque et antivol dans le local vélos ; batterie à recharger au retour.",
            240,
            14,
            Resource.Audience.EVERYONE,
            "Pneu arrière crevé : réparation prévue la semaine prochaine." if n == 4 else "",
        )
        for n in range(1, 5)
    ],
]

# (resource name, agent, working day from today (0 = today or the next one), hour, minutes, purpose)
BOOKINGS = [
    ("Salle de réunion", "claire.vasseur", 1, 14, 120, "Atelier avec le conseil citoyen"),
    ("Véhicule électrique (Zoé)", "samia.haddad", 0, 9, 180, "Tournée des résidences"),
    ("Véhicule électrique (Zoé)", "ines.belkacem", 2, 13, 120, "Visite du chantier rue Baudimont"),
    ("Véhicule électrique (Zoé)", "samia.haddad", 3, 9, 150, "Permanence au centre social"),
    ("Vélo à assistance électrique n° 1", "samia.haddad", 1, 10, 90, "Repérage cadre de vie"),
    ("Vélo à assistance électrique n° 1", "ines.belkacem", 3, 14, 120, ""),
    ("Vélo à assistance électrique n° 2", "claire.vasseur", 4, 11, 60, "Marché de quartier"),
]

# (resource name, agent, working day of the current week (0 = Monday), hour, minutes, purpose):
# booked only when that day is before today.
EARLIER_THIS_WEEK = [
    ("Véhicule électrique (Zoé)", "samia.haddad", 0, 9, 120, "Visites à domicile avec le CCAS"),
    ("Vélo à assistance électrique n° 2", "ines.belkacem", 1, 14, 90, "Tour des jardins partagés"),
    ("Salle de réunion", "claire.vasseur", 2, 10, 120, "Point avec le bailleur"),
    (
        "Vélo à assistance électrique n° 1",
        "samia.haddad",
        3,
        10,
        60,
        "Repérage des dépôts sauvages",
    ),
    ("Véhicule électrique (Zoé)", "ines.belkacem", 4, 13, 150, "Permanence à la mairie annexe"),
]


def _aware(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@transaction.atomic
def load(stdout=None, *, today: datetime.date | None = None) -> Place:
    ouest = Quartier.objects.get(slug="ouest")
    place, _ = Place.objects.update_or_create(
        slug=PLACE_SLUG,
        defaults={
            "name": "MSP Marie-Thérèse Lenoir",
            "address": "Maison de services et de proximité, quartier Ouest, Arras",
            "description": "Accueil des habitants, permanences des services et équipements partagés par les agents.",
        },
    )
    place.quartiers.add(ouest)
    resources = {}
    for kind, name, capacity, notes, minutes, ahead, audience, broken in RESOURCES:
        resources[name], _ = Resource.objects.update_or_create(
            place=place,
            name=name,
            defaults={
                "kind": kind,
                "capacity": capacity,
                "notes": notes,
                "max_duration_minutes": minutes,
                "max_days_ahead": ahead,
                "audience": audience,
                "out_of_service": bool(broken),
                "out_of_service_reason": broken,
            },
        )
    # The next five working days from today: the demo always shows bookings to come.
    today = today or timezone.localdate()
    days: list[datetime.date] = []
    day = today
    while len(days) < 5:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    agents = {a.email.split("@")[0]: a for a in Agent.objects.filter(email__endswith=f"@{DOMAIN}")}
    monday = today - datetime.timedelta(days=today.weekday())
    slots = [
        (days[n], name, local, hour, length, why) for name, local, n, hour, length, why in BOOKINGS
    ]
    for name, local, n, hour, length, why in EARLIER_THIS_WEEK:
        if monday + datetime.timedelta(days=n) < today:
            slots.append((monday + datetime.timedelta(days=n), name, local, hour, length, why))
    created = 0
    for day, name, local, hour, minutes, purpose in slots:
        if local not in agents:
            continue
        start = _aware(day, hour)
        end = start + datetime.timedelta(minutes=minutes)
        taken = Booking.objects.active().filter(resource=resources[name]).overlapping(start, end)
        if taken.exclude(start=start).exists():
            continue  # loaded again on another day: a booking of then holds the slot
        _booking, made = Booking.objects.get_or_create(
            resource=resources[name],
            start=start,
            defaults={
                "end": end,
                "booker": agents[local],
                "purpose": purpose,
            },
        )
        created += made
    if stdout is not None:
        stdout.write(
            f"Réservations : {place.name}, {len(resources)} équipements, {created} réservations ajoutées."
        )
    return place
