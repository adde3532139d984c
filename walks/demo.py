"""Arras demo of `walks`: a diagnostic en marchant done last spring in Ouest, along its outline,
with observations (a few with drawn photos) at its stops and its report rendered; one walk planned in the coming weeks.

Idempotent: walks are found by (quartier, title). Every person and observation is invented.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from foundation.models import DocumentJob
from observations.demo import demo_picture
from observations.models import Category, Observation, StatusChange
from observations.services import photos_add
from teams.demo import DOMAIN
from teams.models import Agent, ExternalParticipant, Priority, Quartier
from walks.documents import report_pdf
from walks.models import Stop, StopObservation, Walk, WalkInvitation, WalkReport

PARIS = ZoneInfo(settings.TIME_ZONE)
DONE_TITLE = "Le tour du quartier au printemps"
PLANNED_TITLE = "Les abords des écoles"

# (stop name, theme, [(category slug, title, description, confidential, for an inhabitant)])
STOPS = [
    (
        "Parvis de la maison de services et de proximité",
        "Accueil et orientation",
        [
            (
                "vie-associative",
                "Panneau d'affichage associatif illisible",
                "Affiches superposées, vitrine cassée.",
                False,
                False,
            ),
        ],
    ),
    (
        "Square des Tilleuls",
        "Tranquillité et cadre de vie",
        [
            (
                "espaces-verts",
                "Haie très haute qui masque l'aire de jeux",
                "Les parents ne voient plus les enfants depuis les bancs.",
                False,
                True,
            ),
            (
                "proprete",
                "Corbeilles débordantes le week-end",
                "Deux corbeilles pour tout le square.",
                False,
                False,
            ),
        ],
    ),
    (
        "Rue Verlaine, pied des immeubles",
        "Habitat",
        [
            (
                "habitat-bailleurs",
                "Porte de hall qui ne ferme plus",
                "Signalé au bailleur par les habitants, sans suite visible.",
                False,
                True,
            ),
            (
                "social-precarite",
                "Situation sociale à suivre",
                "Orientation vers le CCAS proposée.",
                True,
                False,
            ),
        ],
    ),
    (
        "Carrefour de l'école Jean-Jaurès",
        "Sécurité des abords des écoles",
        [
            (
                "stationnement-circulation",
                "Stationnement sur le passage piéton à la sortie des classes",
                "Vers 16 h 30, voitures arrêtées sur le passage.",
                False,
                False,
            ),
        ],
    ),
    (
        "Chemin le long de la voie ferrée",
        "Cheminements",
        [
            (
                "voirie-eclairage",
                "Deux lampadaires éteints sur le chemin",
                "Cheminement très sombre en soirée.",
                False,
                True,
            ),
            (
                "proprete",
                "Dépôt sauvage d'encombrants",
                "Matelas et meubles près du grillage.",
                False,
                False,
            ),
        ],
    ),
    (
        "Terrain de proximité",
        "Jeunesse",
        [
            (
                "jeunesse",
                "Filets des buts arrachés",
                "Les jeunes demandent leur remplacement.",
                False,
                False,
            ),
        ],
    ),
]


def _person(local: str) -> Agent:
    return Agent.objects.get(email=f"{local}@{DOMAIN}")


def _points_along(outline: dict | None, count: int) -> list[tuple[Decimal, Decimal] | None]:
    """`count` points along the outline's ring, each pulled a quarter of the way to its centre
    (inside the quartier): (lat, lon), or None without an outline."""
    if not outline or outline.get("type") != "Polygon":
        return [None] * count
    ring = outline["coordinates"][0][:-1]
    cx = sum(p[0] for p in ring) / len(ring)
    cy = sum(p[1] for p in ring) / len(ring)
    points: list[tuple[Decimal, Decimal] | None] = []
    for i in range(count):
        position = i * len(ring) / count
        a, b = ring[int(position) % len(ring)], ring[(int(position) + 1) % len(ring)]
        t = position - int(position)
        x, y = a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
        x, y = x + (cx - x) * 0.25, y + (cy - y) * 0.25
        points.append((Decimal(f"{y:.6f}"), Decimal(f"{x:.6f}")))
    return points


def _walk(quartier, chef, title, start, hours, point) -> tuple[Walk, bool]:
    return Walk.objects.get_or_create(
        quartier=quartier, title=title,
        defaults={"organiser": chef, "start": start, "end": start + datetime.timedelta(hours=hours),
                  "meeting_point": point},
    )  # fmt: skip


def _invite(walk: Walk, agents, externals) -> None:
    for agent in agents:
        WalkInvitation.objects.get_or_create(walk=walk, agent=agent)
    for external in externals:
        WalkInvitation.objects.get_or_create(walk=walk, external=external)


#: The observations of the done walk given a (drawn) photo, by title: its report shows them.
PHOTOGRAPHED = {
    "Haie très haute qui masque l'aire de jeux",
    "Porte de hall qui ne ferme plus",
    "Dépôt sauvage d'encombrants",
}


def load(stdout=None) -> None:
    walk, photographed = _load_rows(stdout)
    # Through the observations' own service, which commits each photo's rows and files together
    # (after the rows above are committed, never inside their transaction), then the report,
    # which shows the photos.
    rng = random.Random(f"walk-{walk.pk}")  # noqa: S311 - demo pictures, not secrets
    for observation in photographed:
        photos_add(
            observation=observation,
            photos=[demo_picture(rng, observation.title)],
            by=observation.author,
        )
    if not walk.reports.filter(status=DocumentJob.Status.READY).exists():
        report = WalkReport.objects.create(
            walk=walk, requested_by=_person("claire.vasseur"), requested_at=walk.end
        )
        content, filename = report_pdf(report)
        report.store(content, filename)
        report.status = DocumentJob.Status.READY
        report.finished_at = walk.end + datetime.timedelta(days=1)
        report.attempts = 1
        report.save()


@transaction.atomic
def _load_rows(stdout=None) -> tuple[Walk, list[Observation]]:
    """The walks, their stops and observations; returns the done walk and the observations to
    photograph (none on a second run)."""
    ouest = Quartier.objects.get(slug="ouest")
    chef = _person("claire.vasseur")
    agents = [chef, _person("samia.haddad"), _person("ines.belkacem")]
    externals = list(ExternalParticipant.objects.filter(quartiers=ouest).order_by("pk")[:4])
    point = ouest.meeting_place or "Maison de services et de proximité (MSP)"
    today = timezone.localdate()
    spring_year = today.year if today.month > 5 else today.year - 1
    start = datetime.datetime(spring_year, 5, 12, 14, 0, tzinfo=PARIS)
    spots = _points_along(ouest.outline, len(STOPS))
    photographed: list[Observation] = []

    walk, created = _walk(ouest, chef, DONE_TITLE, start, 2, point)
    if created:
        _invite(walk, agents, externals)
        priority = (
            Priority.objects.filter(quartier=ouest, is_active=True).order_by("position").first()
        )
        categories = {c.slug: c for c in Category.objects.all()}
        for position, ((name, theme, notes), spot) in enumerate(zip(STOPS, spots, strict=True)):
            stop = Stop.objects.create(
                walk=walk, position=position, name=name, theme=theme,
                priority=priority if position == 1 else None,
                latitude=spot[0] if spot else None, longitude=spot[1] if spot else None,
            )  # fmt: skip
            for index, (slug, title, description, confidential, for_inhabitant) in enumerate(notes):
                observed = start + datetime.timedelta(minutes=15 * position + 5 * index)
                author = agents[(position + index) % len(agents)]
                observation = Observation.objects.create(
                    quartier=ouest, author=author, category=categories[slug], title=title,
                    description=description, place=name, latitude=stop.latitude,
                    longitude=stop.longitude, observed_at=observed, created_at=observed,
                    confidentiality="confidentiel" if confidential else "equipe",
                    priority=stop.priority,
                )  # fmt: skip
                StatusChange.objects.create(
                    observation=observation, changed_by=author, from_status="",
                    to_status=Observation.Status.NEW, changed_at=observed,
                )  # fmt: skip
                StopObservation.objects.create(
                    stop=stop, observation=observation, for_inhabitant=for_inhabitant
                )
                if title in PHOTOGRAPHED:
                    photographed.append(observation)
        walk.status = Walk.Status.DONE
        walk.save(update_fields=["status"])

    soon = timezone.localtime().replace(hour=9, minute=30, second=0, microsecond=0)
    soon += datetime.timedelta(days=18)
    planned, created = _walk(ouest, chef, PLANNED_TITLE, soon, 2, "Devant l'école Jean-Jaurès")
    if created:
        _invite(planned, agents[:2], externals[:2])
        # The same places as in spring, at the same points: the route shows on its map.
        for position, index in enumerate((3, 4, 1)):
            name, theme, _notes = STOPS[index]
            spot = spots[index]
            Stop.objects.create(
                walk=planned, position=position, name=name, theme=theme,
                latitude=spot[0] if spot else None, longitude=spot[1] if spot else None,
            )  # fmt: skip
    if stdout:
        stdout.write(
            "Diagnostics en marchant : une marche réalisée (Ouest, printemps), une prévue."
        )
    return walk, photographed
