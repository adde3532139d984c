"""Arras demo: about a thousand field observations since January of the year before last,
escalations, orientations; each seen at an hour that fits it, by someone at work then.

Deterministic (a seeded generator) and idempotent: categories and needs are found by slug; the
observations and orientations are created once (a second run finds them and changes nothing).
Every person cited is a fictitious demo agent; no inhabitant is ever named.
"""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from foundation.images import CleanImage, sanitize_image
from observations.models import (
    Category,
    Comment,
    Escalation,
    NeedType,
    Observation,
    Orientation,
    StatusChange,
)
from observations.services import photos_add
from teams import geo
from teams.models import Agent, Membership, Priority, Quartier, Service

DOMAIN = "arras.example"
SEED = 2026
DEMO_MARKER = "demo-arras"  # in the first demo observation's description, to know it ran

PLACES = {
    "ouest": [
        "square Baudimont, près des jeux",
        "rue Verlaine, devant le n° 12",
        "place Verlaine",
        "parking de la MSP",
        "abords du collège Verlaine",
        "city-stade Baudimont",
        "résidence des Hochettes, hall B",
        "résidence Verlaine, bâtiment C",
        "allée des Tilleuls",
        "arrêt de bus Baudimont",
        "chemin piétonnier derrière l'école Anatole-France",
        "jardins partagés des Hochettes",
        "rue Léon-Blum, angle de la rue Dolet",
    ],
    "centre": [
        "Grand'Place, côté rue de la Taillerie",
        "place des Héros",
        "rue Ernestale",
        "rue Gambetta",
        "jardin du Gouverneur",
        "parvis de la gare",
        "rue Saint-Aubert",
        "parking des Bonnettes",
        "sortie de l'école, rue des Augustins",
        "immeuble rue Ronville, cage B",
    ],
    "sud": [
        "rue Jean-Jaurès, près de la pharmacie",
        "résidence Saint-Sauveur, tour 3",
        "abords du centre social du Sud",
        "square des Acacias",
        "avenue de l'Hippodrome",
        "city-stade du Val",
        "parking du supermarché",
        "chemin du Crinchon",
        "école Jean-Moulin, sortie des classes",
    ],
}

# category slug -> [(title, description, confidential?)]
CONTENT = {
    "proprete": [
        (
            "Dépôt sauvage d'encombrants",
            "Matelas, meubles démontés et sacs au pied du point d'apport volontaire.",
            False,
        ),
        (
            "Sacs d'ordures éventrés",
            "Des sacs déposés hors des bacs ont été ouverts, déchets répandus sur le trottoir.",
            False,
        ),
        (
            "Tags sur le mur du local",
            "Nouveaux tags sur le mur du local associatif, visibles depuis la rue.",
            False,
        ),
        ("Bacs à verre pleins", "Les colonnes à verre débordent depuis le week-end.", False),
    ],
    "voirie-eclairage": [
        (
            "Lampadaire éteint",
            "Un lampadaire ne s'allume plus, le passage piéton est dans le noir le soir.",
            False,
        ),
        (
            "Nid-de-poule sur la chaussée",
            "Trou d'environ 30 cm, dangereux pour les deux-roues.",
            False,
        ),
        (
            "Dalle de trottoir soulevée",
            "Dalle soulevée par une racine, risque de chute pour les personnes âgées.",
            False,
        ),
        (
            "Potelet arraché",
            "Un potelet a été arraché, les voitures montent sur le trottoir.",
            False,
        ),
    ],
    "espaces-verts": [
        ("Jeux pour enfants abîmés", "Le toboggan est fendu et une planche du banc manque.", False),
        ("Haie qui déborde sur le trottoir", "La haie gêne le passage des poussettes.", False),
        (
            "Arbre penché après le coup de vent",
            "Un arbre penche vers l'aire de jeux, à vérifier.",
            False,
        ),
        (
            "Pelouse transformée en parking",
            "Des voitures stationnent sur la pelouse, traces profondes.",
            False,
        ),
    ],
    "tranquillite-publique": [
        (
            "Rodéos de motos en soirée",
            "Plusieurs motos tournent entre 21 h et 23 h, les habitants se plaignent du bruit.",
            False,
        ),
        (
            "Rassemblement tardif dans le hall",
            "Groupe présent tard le soir, les locataires hésitent à rentrer.",
            False,
        ),
        (
            "Bruit de chantier tôt le matin",
            "Travaux commencés avant 7 h plusieurs jours de suite.",
            False,
        ),
        (
            "Sentiment d'insécurité à l'arrêt de bus",
            "Des habitantes disent éviter l'arrêt le soir faute d'éclairage et de passage.",
            False,
        ),
    ],
    "stationnement-circulation": [
        ("Voiture ventouse", "Véhicule sans plaque garé depuis plusieurs semaines.", False),
        (
            "Stationnement sur le passage piéton",
            "Stationnement gênant récurrent à la sortie de l'école.",
            False,
        ),
        ("Vitesse excessive", "Les voitures roulent vite dans la rue, pas de ralentisseur.", False),
    ],
    "habitat-bailleurs": [
        (
            "Ascenseur en panne depuis une semaine",
            "Tour sans ascenseur, des personnes âgées ne descendent plus.",
            False,
        ),
        (
            "Infiltrations dans les parties communes",
            "Traces d'humidité et odeur de moisi dans la cage d'escalier.",
            False,
        ),
        ("Porte du hall qui ne ferme plus", "La porte d'entrée ne se verrouille plus.", False),
    ],
    "social-precarite": [
        (
            "Personne âgée isolée qui ne sort plus",
            "Signalée par une voisine : ne sort plus depuis l'arrêt de l'ascenseur. Situation suivie.",
            True,
        ),
        (
            "Famille sans chauffage",
            "Famille avec enfants, coupure d'énergie pour impayés. Orientée vers le CCAS.",
            True,
        ),
        (
            "Hausse des demandes d'aide alimentaire",
            "Plus de familles au colis alimentaire ce mois-ci, dont des retraités.",
            False,
        ),
        (
            "Personne sans abri sous le porche",
            "Une personne dort sous le porche depuis plusieurs nuits.",
            True,
        ),
    ],
    "jeunesse": [
        (
            "Jeunes sans activité l'après-midi",
            "Un groupe de 15-17 ans traîne au city-stade, demande d'un accueil le mercredi.",
            False,
        ),
        (
            "Demande de projet vacances",
            "Des jeunes veulent monter un projet de séjour, besoin d'un accompagnement.",
            False,
        ),
        (
            "Décrochage scolaire repéré",
            "Plusieurs collégiens vus en journée hors de l'établissement.",
            False,
        ),
    ],
    "education": [
        (
            "Abords de l'école encombrés",
            "Stationnement en double file à l'heure de sortie, enfants en danger.",
            False,
        ),
        (
            "Parents en difficulté avec l'inscription en ligne",
            "Plusieurs familles ne parviennent pas à inscrire leurs enfants à la cantine en ligne.",
            False,
        ),
    ],
    "sante": [
        (
            "Difficulté d'accès à un médecin traitant",
            "Des habitants disent ne plus trouver de médecin traitant depuis un départ en retraite.",
            False,
        ),
        (
            "Situation de souffrance psychique",
            "Habitant en grande détresse rencontré à l'accueil, orienté vers le CMP.",
            True,
        ),
    ],
    "commerce-proximite": [
        ("Nouveau local commercial vacant", "La boulangerie a fermé, vitrine vide.", False),
        ("Terrasse qui gêne le passage", "La terrasse déborde sur le trottoir.", False),
    ],
    "vie-associative": [
        (
            "Association cherche une salle",
            "Le club de couture cherche une salle le jeudi après-midi.",
            False,
        ),
        (
            "Initiative d'habitants : fête de quartier",
            "Des habitants veulent organiser une fête de quartier en juin.",
            False,
        ),
    ],
    "acces-droits-langue": [
        (
            "Familles non francophones sans interprète",
            "Plusieurs familles arrivées récemment ne comprennent pas les courriers de l'école.",
            False,
        ),
        (
            "Demande de cours de français",
            "Des mères de famille demandent des cours de français en journée.",
            False,
        ),
        (
            "Difficultés avec les démarches en ligne",
            "Des retraités ne parviennent pas à déclarer leurs revenus en ligne.",
            False,
        ),
    ],
}

# Phénomènes émergents: extra cases over the last 90 days, so the page shows real rises.
RISES = [
    ("ouest", "tranquillite-publique", 0, 9),
    ("sud", "social-precarite", 2, 7),
    ("centre", "commerce-proximite", 0, 5),
]

COMMENTS = [
    "Je confirme, c'est toujours le cas ce matin.",
    "Vu aussi lors de ma tournée, j'ai prévenu le gardien.",
    "Les habitants m'en ont parlé à l'accueil de la MSP.",
    "Intervention programmée la semaine prochaine.",
    "C'est la troisième fois ce mois-ci.",
]
ESCALATION_REASONS = [
    "Situation récurrente qui dépasse les moyens de l'équipe : une décision sur les moyens est nécessaire.",
    "Plusieurs services concernés, besoin d'un arbitrage sur qui pilote.",
    "Sujet sensible pour les habitants, l'élue référente souhaite une réponse de la direction.",
]
ANSWERS = [
    "Le comité valide un renfort de la brigade verte en soirée pendant deux mois ; bilan au prochain comité.",
    "La direction des services techniques pilote, avec un point d'étape dans un mois.",
    "Le comité demande une rencontre avec le bailleur ; la directrice de la cohésion territoriale s'en charge.",
    "Pris en compte dans le budget de l'an prochain ; en attendant, solution provisoire par les services techniques.",
]

NEED_WEIGHTS = {
    "demarches-administratives": 9, "aide-sociale": 7, "logement": 5, "inscription-scolaire": 4, "garde-enfant": 3,
    "jeunes": 3, "sport-loisirs": 2, "culture": 2, "cadre-de-vie": 3, "tranquillite": 2, "francais-langue": 4,
    "commerce": 1,
}  # fmt: skip


def _team(quartier: Quartier) -> tuple[list[Agent], Agent | None]:
    memberships = Membership.objects.active().filter(quartier=quartier).select_related("agent")
    members = [m.agent for m in memberships if m.role == Membership.Role.MEMBRE]
    chef = next((m.agent for m in memberships if m.role == Membership.Role.CHEF_DE_PROJET), None)
    return members, chef


def demo_picture(rng: random.Random, label: str) -> CleanImage:
    """A drawn picture (no real photo in the demo), through the same sanitising pipeline."""
    image = Image.new(
        "RGB", (800, 600), (rng.randint(90, 160), rng.randint(120, 170), rng.randint(90, 140))
    )
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 380, 800, 600), fill=(128, 128, 128))
    for _ in range(6):
        x, y = rng.randint(40, 700), rng.randint(300, 520)
        draw.rectangle(
            (x, y, x + rng.randint(40, 120), y + rng.randint(30, 80)),
            fill=(rng.randint(40, 220),) * 3,
        )
    draw.text((20, 20), label, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return sanitize_image(ContentFile(buffer.getvalue()))


def _status_for(rng: random.Random, age_days: int) -> tuple[str, str]:
    Status = Observation.Status
    if age_days < 7:
        return rng.choice([Status.NEW, Status.NEW, Status.SENT]), ""
    if age_days < 45:
        return rng.choice(
            [Status.NEW, Status.SENT, Status.IN_PROGRESS, Status.IN_PROGRESS, Status.DONE]
        ), ""
    roll = rng.random()
    if age_days > 365:  # old ones are settled, a rare one still drags on
        roll = roll * 0.93
    if roll < 0.72:
        return Status.DONE, ""
    if roll < 0.9:
        return Status.CLOSED, rng.choice(
            [Observation.ClosingReason.NO_FOLLOW_UP, Observation.ClosingReason.OUT_OF_SCOPE]
        )
    return Status.IN_PROGRESS, ""


def reference_data_upsert() -> None:
    """Categories and needs, with their default services when those exist (idempotent).

    A migration seeds categories and needs, before any service exists; this links them once the
    services are there (`teams.demo.services_upsert`). The load-test seeder calls it too.
    """
    services = {s.slug: s for s in Service.objects.all()}
    from importlib import import_module

    seed = import_module("observations.migrations.0002_search_index_and_categories")
    for position, (slug, name, description, service) in enumerate(seed.CATEGORIES):
        Category.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "description": description, "position": position,
                      "default_service": services.get(service)},
        )  # fmt: skip
    for position, (slug, name, service) in enumerate(seed.NEEDS):
        NeedType.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "position": position, "default_service": services.get(service)},
        )


# When things are seen ------------------------------------------------------------------------
#
# Agents work on weekdays, about 7:30 to 18:30, never on public holidays; the brigade verte and
# the police municipale (service "tranquillite-publique") also patrol in the evening and on
# Saturdays. Each kind of observation is seen at the hours it happens.

DAY, MORNING, SCHOOL, AFTERNOON, RECEPTION, EVENING = (
    "day", "morning", "school", "afternoon", "reception", "evening",
)  # fmt: skip
NIGHT_SERVICE = "tranquillite-publique"

#: Where people come to tell the team (social, health, rights): the quartier's reception desk.
RECEPTION_PLACES = {
    "ouest": "accueil de la MSP",
    "sud": "accueil du centre social du Sud",
    "centre": "permanence du CCAS, hôtel de ville",
}
#: title -> words of the places where it happens (one of the quartier's places containing one).
PLACE_HINTS = {
    "Rassemblement tardif dans le hall": ("hall", "résidence", "tour", "cage"),
    "Ascenseur en panne depuis une semaine": ("résidence", "tour", "immeuble"),
    "Infiltrations dans les parties communes": ("résidence", "tour", "hall", "immeuble"),
    "Personne âgée isolée qui ne sort plus": ("résidence", "tour", "immeuble"),
    "Sentiment d'insécurité à l'arrêt de bus": ("arrêt de bus", "parvis", "gare"),
    "Rodéos de motos en soirée": ("city-stade", "parking", "avenue", "chemin"),
    "Jeunes sans activité l'après-midi": ("city-stade", "square"),
    "Jeux pour enfants abîmés": ("square", "jeux", "jardin"),
    "Abords de l'école encombrés": ("école", "collège"),
    "Stationnement sur le passage piéton": ("école", "collège"),
    "Décrochage scolaire repéré": ("collège", "city-stade", "square", "place"),
    "Terrasse qui gêne le passage": ("rue", "place"),
    "Nouveau local commercial vacant": ("rue",),
}


def _point_in(rng, outline) -> tuple[Decimal | None, Decimal | None]:
    """A point inside the quartier's outline, rounded like every stored point."""
    area = geo.extent([outline])
    assert area is not None
    west, south, east, north = area
    while True:
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if geo.contains(outline, lon, lat):
            return geo.round_coordinate(lon), geo.round_coordinate(lat)


def _place(rng: random.Random, slug: str, title: str) -> str:
    if WHEN.get(title) == RECEPTION:
        return RECEPTION_PLACES[slug]
    hints = PLACE_HINTS.get(title, ())
    fitting = [p for p in PLACES[slug] if any(word in p.lower() for word in hints)]
    return rng.choice(fitting or PLACES[slug])


#: title -> when it is seen (anything not listed: during the working day).
WHEN = {
    "Sacs d'ordures éventrés": MORNING,  # found on the morning round, before collection
    "Bruit de chantier tôt le matin": MORNING,
    "Arbre penché après le coup de vent": MORNING,
    "Personne sans abri sous le porche": MORNING,
    "Rodéos de motos en soirée": EVENING,
    "Rassemblement tardif dans le hall": EVENING,
    "Lampadaire éteint": EVENING,
    "Sentiment d'insécurité à l'arrêt de bus": EVENING,
    "Vitesse excessive": EVENING,
    "Abords de l'école encombrés": SCHOOL,
    "Stationnement sur le passage piéton": SCHOOL,
    "Jeunes sans activité l'après-midi": AFTERNOON,
    "Décrochage scolaire repéré": AFTERNOON,
    "Association cherche une salle": AFTERNOON,
    "Famille sans chauffage": RECEPTION,
    "Hausse des demandes d'aide alimentaire": RECEPTION,
    "Difficulté d'accès à un médecin traitant": RECEPTION,
    "Situation de souffrance psychique": RECEPTION,
    "Parents en difficulté avec l'inscription en ligne": RECEPTION,
    "Familles non francophones sans interprète": RECEPTION,
    "Demande de cours de français": RECEPTION,
    "Difficultés avec les démarches en ligne": RECEPTION,
    "Demande de projet vacances": RECEPTION,
}

#: (first minute, last minute) of the day for each kind, in local time.
HOURS = {
    DAY: [(8 * 60 + 30, 17 * 60 + 45)],
    MORNING: [(7 * 60 + 30, 10 * 60)],
    SCHOOL: [(8 * 60 + 10, 8 * 60 + 50), (16 * 60 + 15, 16 * 60 + 55)],
    AFTERNOON: [(13 * 60 + 45, 18 * 60 + 15)],
    RECEPTION: [(9 * 60, 12 * 60), (13 * 60 + 30, 17 * 60)],  # the MSP's opening hours
    EVENING: [(18 * 60 + 45, 23 * 60)],
}
#: What a day agent logs of an evening matter: at the end of the afternoon, when told of it.
EVENING_BY_DAY_AGENT = [(16 * 60 + 30, 18 * 60 + 20)]

# How many observations: per working day and quartier; a month's weight (summer holidays and
# Christmas are quiet); a category's season; the first year of the tool is a little quieter.
PER_DAY = {"ouest": 0.78, "sud": 0.46, "centre": 0.3}
MONTH_WEIGHT = [1.0, 1.0, 1.05, 1.05, 1.1, 1.05, 0.9, 0.55, 1.15, 1.1, 1.0, 0.7]
SEASON = {
    "espaces-verts": {4: 1.6, 5: 1.8, 6: 1.8, 7: 1.5, 8: 1.4, 9: 1.3, 12: 0.4, 1: 0.4, 2: 0.5},
    "tranquillite-publique": {5: 1.4, 6: 1.7, 7: 1.9, 8: 1.7, 9: 1.3, 12: 0.7, 1: 0.6, 2: 0.6},
    "voirie-eclairage": {10: 1.3, 11: 1.6, 12: 1.7, 1: 1.7, 2: 1.4, 6: 0.6, 7: 0.6},
    "social-precarite": {11: 1.5, 12: 1.7, 1: 1.8, 2: 1.5, 3: 1.2, 7: 0.7, 8: 0.6},
    "jeunesse": {4: 1.3, 7: 1.8, 8: 1.2, 10: 1.2},
    "education": {9: 2.4, 10: 1.4, 6: 1.2, 7: 0.2, 8: 0.2},
    "proprete": {6: 1.2, 7: 1.3, 8: 1.2},
    "vie-associative": {9: 1.6, 5: 1.3, 7: 0.5, 8: 0.4},
}
CATEGORY_WEIGHT = {
    "proprete": 9, "voirie-eclairage": 7, "espaces-verts": 5, "tranquillite-publique": 6,
    "stationnement-circulation": 4, "habitat-bailleurs": 5, "social-precarite": 4, "jeunesse": 4,
    "education": 3, "sante": 2, "commerce-proximite": 2, "vie-associative": 2,
    "acces-droits-langue": 3,
}  # fmt: skip
FIRST_YEAR_FACTOR = 0.8


def _holidays(first_year: int, last_year: int) -> set[datetime.date]:
    try:
        import holidays

        return set(holidays.France(years=range(first_year, last_year + 1)))
    except ImportError:  # pragma: no cover - the package is a dependency
        return set()


def _aware(day: datetime.date, minute: int) -> datetime.datetime:
    naive = datetime.datetime.combine(day, datetime.time(minute // 60, minute % 60))
    return timezone.make_aware(naive, timezone.get_current_timezone())


def _at(rng: random.Random, day: datetime.date, slots) -> datetime.datetime:
    start, end = rng.choice(slots)
    return _aware(day, rng.randint(start, end))


def _working_time(
    rng: random.Random, moment: datetime.datetime, closed: set[datetime.date]
) -> datetime.datetime:
    """The first working moment (weekday, 8:30-17:45, not a public holiday) from `moment` on."""
    local = timezone.localtime(moment)
    day, minute = local.date(), local.hour * 60 + local.minute
    if minute > 17 * 60 + 45:
        day, minute = day + datetime.timedelta(days=1), -1
    while day.weekday() >= 5 or day in closed:
        day, minute = day + datetime.timedelta(days=1), -1
    if minute < 8 * 60 + 30:
        minute = rng.randint(8 * 60 + 30, 11 * 60 + 30)
    return _aware(day, minute)


def _roster(quartier: Quartier) -> list[tuple[Agent, datetime.date, datetime.date | None]]:
    memberships = Membership.objects.filter(
        quartier=quartier, role=Membership.Role.MEMBRE
    ).select_related("agent", "agent__service")
    return [(m.agent, m.start_date, m.end_date) for m in memberships]


def _author(rng, roster, day, category, *, night: bool) -> Agent | None:
    """A member of the team on that day; at night one of the brigade verte or police municipale;
    by day preferably someone of the service the category is routed to."""
    present = [a for a, start, end in roster if start <= day and (end is None or end >= day)]
    if night:
        present = [a for a in present if a.service and a.service.slug == NIGHT_SERVICE]
    if not present:
        return None
    weights = [
        4 if category.default_service_id and a.service_id == category.default_service_id else 1
        for a in present
    ]
    return rng.choices(present, weights=weights)[0]


def _plan(rng, quartiers, categories, rosters, start: datetime.date, today: datetime.date, closed):
    """(quartier slug, category slug, title, author, observed_at) from `start` to yesterday."""
    plan = []
    slugs = [s for s in CONTENT if s in categories]
    # A quartier's categories drift from one year to the next: the yearly comparison has news.
    drift = {
        (q, c, y): rng.uniform(0.65, 1.4)
        for q in quartiers
        for c in slugs
        for y in range(start.year, today.year + 1)
    }
    day = start
    while day < today:
        weekend = day.weekday() >= 5
        for slug in quartiers:
            rate = PER_DAY[slug] * MONTH_WEIGHT[day.month - 1]
            if day.year == start.year:
                rate *= FIRST_YEAR_FACTOR
            if weekend or day in closed:
                rate *= 0.12  # only the evening patrols (Saturday) log anything
                if day.weekday() == 6:
                    rate = 0
            count = int(rate) + (rng.random() < rate - int(rate))
            for _ in range(count):
                weights = [
                    CATEGORY_WEIGHT.get(c, 2)
                    * SEASON.get(c, {}).get(day.month, 1)
                    * drift[(slug, c, day.year)]
                    for c in slugs
                ]
                category_slug = rng.choices(slugs, weights=weights)[0]
                item = rng.choice(CONTENT[category_slug])
                entry = _schedule(
                    rng, slug, category_slug, item, day, categories, rosters, closed,
                    weekend or day in closed,
                )  # fmt: skip
                if entry:
                    plan.append(entry)
        day += datetime.timedelta(days=1)
    return plan


def _schedule(rng, slug, category_slug, item, day, categories, rosters, closed, off_day):
    """Who saw it and when: an evening item by a night patrol if the team has one, or at the end
    of a day agent's afternoon; a day item only on a working day."""
    title = item[0]
    kind = WHEN.get(title, DAY)
    category = categories[category_slug]
    if kind == EVENING:
        author = _author(rng, rosters[slug], day, category, night=True)
        if author is not None:
            return (slug, category_slug, item, author, _at(rng, day, HOURS[EVENING]))
        slots = EVENING_BY_DAY_AGENT
    else:
        slots = HOURS[kind]
    if off_day:
        return None
    author = _author(rng, rosters[slug], day, category, night=False)
    if author is None:
        return None
    if kind == SCHOOL and day.weekday() == 2:  # no school on Wednesday afternoon
        slots = slots[:1]
    return (slug, category_slug, item, author, _at(rng, day, slots))


def load(stdout=None) -> None:
    photographed = _load_rows(stdout)
    # Through the app's own service, which commits each photo's rows and files together (so it
    # runs after the rows above are committed, never inside their transaction).
    for observation, author, picture in photographed:
        photos_add(observation=observation, photos=[picture], by=author)


@transaction.atomic
def _load_rows(stdout=None) -> list[tuple[Observation, Agent, CleanImage]]:
    """Everything but the photos; returns the observations to photograph (none on a second run)."""
    reference_data_upsert()
    if Observation.objects.filter(description__contains=DEMO_MARKER).exists():
        if stdout:
            stdout.write("Observations de démonstration déjà présentes.")
        return []
    rng = random.Random(SEED)
    now = timezone.now()
    today = timezone.localdate()
    categories = {c.slug: c for c in Category.objects.select_related("default_service")}
    quartiers = {q.slug: q for q in Quartier.objects.filter(slug__in=PLACES)}
    if len(quartiers) < len(PLACES):
        return []
    comite = list(Agent.objects.filter(is_comite_direction=True, email__endswith=DOMAIN))
    # The year before last, last year and this year: a diagnostic of last year compares with
    # a full year before it.
    start = datetime.date(today.year - 2, 1, 1)
    closed = _holidays(start.year, today.year + 1)
    rosters = {slug: _roster(q) for slug, q in quartiers.items()}
    plan = _plan(rng, quartiers, categories, rosters, start, today, closed)
    # Phénomènes émergents: more cases over the last 90 days than in the 90 days before.
    for slug, category_slug, before, current in RISES:
        for low, high, count in ((1, 85, current), (95, 175, before)):
            placed = 0
            while placed < count:
                day = today - datetime.timedelta(days=rng.randint(low, high))
                if day.weekday() == 6:
                    continue
                item = rng.choice(CONTENT[category_slug])
                entry = _schedule(
                    rng, slug, category_slug, item, day, categories, rosters, closed,
                    day.weekday() >= 5 or day in closed,
                )  # fmt: skip
                if entry:
                    plan.append(entry)
                    placed += 1
    plan = [entry for entry in plan if entry[4] < now]
    plan.sort(key=lambda entry: entry[4])

    chefs = {slug: _team(q)[1] for slug, q in quartiers.items()}
    priorities = {slug: list(Priority.objects.filter(quartier=q)) for slug, q in quartiers.items()}
    created = []
    outlines = dict(Quartier.objects.values_list("slug", "outline"))
    for index, (slug, category_slug, item, author, observed_at) in enumerate(plan):
        title, description, confidential = item
        age = (now - observed_at).days
        status, reason = _status_for(rng, age)
        category = categories[category_slug]
        is_rise = any(slug == s and category_slug == c for s, c, _p, _c in RISES) and age < 90
        observation = Observation(
            quartier=quartiers[slug],
            author=author,
            category=category,
            title=title,
            description=description + (f" [{DEMO_MARKER}]" if index == 0 else ""),
            place=_place(rng, slug, title),
            observed_at=observed_at,
            created_at=min(now, observed_at + datetime.timedelta(minutes=rng.randint(2, 75))),
            urgency=rng.choices(["faible", "normale", "urgente"], weights=[2, 7, 1])[0],
            is_emerging=is_rise and rng.random() < 0.6,
            priority=rng.choice(priorities[slug])
            if priorities[slug] and rng.random() < 0.3
            else None,
            confidentiality="confidentiel" if confidential else "equipe",
            status=status,
            closing_reason=reason,
            service=category.default_service if status != Observation.Status.NEW else None,
        )
        if rng.random() < 0.7 and outlines.get(slug):
            observation.longitude, observation.latitude = _point_in(rng, outlines[slug])
        created.append((observation, author, chefs[slug]))
    Observation.objects.bulk_create([entry[0] for entry in created])

    changes, comments, escalations = [], [], []
    flow: list[str] = [
        Observation.Status.NEW,
        Observation.Status.SENT,
        Observation.Status.IN_PROGRESS,
        Observation.Status.DONE,
    ]
    for observation, author, chef in created:
        when = observation.created_at
        changes.append(
            StatusChange(
                observation=observation, changed_by=author, changed_at=when, to_status="nouvelle"
            )
        )
        target = observation.status
        steps = flow[1 : flow.index(target) + 1] if target in flow else [Observation.Status.CLOSED]
        previous: str = Observation.Status.NEW
        for step in steps:
            when = min(
                now, _working_time(rng, when + datetime.timedelta(days=rng.uniform(0.1, 6)), closed)
            )
            changes.append(
                StatusChange(
                    observation=observation,
                    changed_by=chef,
                    changed_at=when,
                    from_status=previous,
                    to_status=step,
                    closing_reason=observation.closing_reason
                    if step == Observation.Status.CLOSED
                    else "",
                    service=observation.service,
                    comment=rng.choice(
                        ["", "", "Transmis pour intervention.", "Fait lors de la tournée."]
                    ),
                )
            )
            previous = step
        if rng.random() < 0.3:
            members = [a for a, _s, _e in rosters[observation.quartier.slug]]
            comments.append(
                Comment(
                    observation=observation,
                    author=rng.choice(members),
                    body=rng.choice(COMMENTS),
                    created_at=min(
                        now,
                        _working_time(
                            rng,
                            observation.created_at + datetime.timedelta(hours=rng.uniform(2, 72)),
                            closed,
                        ),
                    ),
                )
            )
        worth = observation.urgency == "urgente" or observation.category.slug in (
            "tranquillite-publique",
            "habitat-bailleurs",
        )
        if chef and worth and rng.random() < 0.3:
            escalated_at = min(
                now,
                _working_time(
                    rng,
                    observation.created_at + datetime.timedelta(days=rng.uniform(1, 10)),
                    closed,
                ),
            )
            answered = (now - escalated_at).days > 12 or rng.random() < 0.5
            answered_at = min(
                now,
                _working_time(
                    rng, escalated_at + datetime.timedelta(days=rng.uniform(3, 20)), closed
                ),
            )
            escalations.append(
                Escalation(
                    observation=observation,
                    escalated_by=chef,
                    reason=rng.choice(ESCALATION_REASONS),
                    created_at=escalated_at,
                    answer=rng.choice(ANSWERS) if answered and comite else "",
                    answered_by=rng.choice(comite) if answered and comite else None,
                    answered_at=answered_at if answered and comite else None,
                )
            )
    StatusChange.objects.bulk_create(changes)
    Comment.objects.bulk_create(comments)
    Escalation.objects.bulk_create(escalations)

    # A few recent observations with (drawn) photos, through the real pipeline.
    recent = [
        (o, a) for o, a, _c in created if (now - o.observed_at).days < 30 and not o.is_confidential
    ][-6:]
    photographed = [
        (observation, author, demo_picture(rng, observation.title))
        for observation, author in recent
    ]

    _load_orientations(rng, quartiers, start, closed)
    if stdout:
        stdout.write(
            f"Observations : {len(created)}, remontées : {len(escalations)}, commentaires : {len(comments)}."
        )
    return photographed


def _load_orientations(
    rng: random.Random, quartiers: dict[str, Quartier], start: datetime.date, closed
) -> None:
    """The MSP reception's orientations: working days only, from `start` to today."""
    needs = {n.slug: n for n in NeedType.objects.select_related("default_service")}
    services = list(Service.objects.all())
    today = timezone.localdate()
    rows = []
    for slug, per_day in (("ouest", 1.6), ("sud", 0.8), ("centre", 0.4)):
        members, _chef = _team(quartiers[slug])
        if not members:
            continue
        day = start
        while day <= today:
            if day.weekday() < 5 and day not in closed:
                rate = (
                    per_day * MONTH_WEIGHT[day.month - 1] * (0.8 if day.year == start.year else 1)
                )
                for _ in range(int(rate) + (rng.random() < rate - int(rate))):
                    need = needs.get(
                        rng.choices(list(NEED_WEIGHTS), weights=list(NEED_WEIGHTS.values()))[0]
                    )
                    if need is None:
                        continue
                    service = (
                        need.default_service
                        if need.default_service and rng.random() < 0.85
                        else rng.choice(services)
                    )
                    rows.append(
                        Orientation(
                            quartier=quartiers[slug],
                            need=need,
                            service=service,
                            oriented_on=day,
                            logged_by=rng.choice(members),
                        )
                    )
            day += datetime.timedelta(days=1)
    Orientation.objects.bulk_create(rows, batch_size=1000)
