"""Arras demo: quartiers, the eleven services of the fiche, fictitious agents and partners.

Idempotent: every row is found by a natural key and updated, so running it twice changes nothing.
Every person here is invented; emails use the reserved `.example` domain.
"""

from __future__ import annotations

import datetime
import functools
import json
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from teams.models import (
    Agent,
    ExternalParticipant,
    Membership,
    Partner,
    Priority,
    Quartier,
    Service,
)

DEMO_PASSWORD = "quartiers-demo"  # noqa: S105 - documented demo accounts only
DOMAIN = "arras.example"

SERVICES = [
    (
        "services-techniques",
        "Services techniques / cadre de vie",
        "Direction des services techniques",
        "Propreté des espaces publics, voirie, éclairage public, espaces verts, mobilier urbain, enlèvement des dépôts sauvages.",
        "propreté, dépôt sauvage, voirie, trottoir, éclairage, lampadaire, espaces verts, arbre, nid-de-poule, tags",
    ),
    (
        "ccas",
        "Centre communal d'action sociale (CCAS)",
        "Direction des solidarités",
        "Accueil et accompagnement social, aides facultatives, domiciliation, aide aux démarches, lutte contre l'isolement des personnes âgées.",
        "aide sociale, précarité, RSA, isolement, personnes âgées, impayés, énergie, domiciliation, accès aux droits",
    ),
    (
        "education",
        "Éducation",
        "Direction de l'éducation",
        "Inscriptions scolaires, restauration scolaire, accueil périscolaire, Programme de réussite éducative (PRE).",
        "inscription école, cantine, périscolaire, réussite éducative, décrochage, soutien scolaire",
    ),
    (
        "culture",
        "Culture",
        "Direction de la culture",
        "Médiathèques, équipements culturels de quartier, ateliers, médiation culturelle, sorties familiales.",
        "médiathèque, bibliothèque, atelier, spectacle, lecture, musique, sortie culturelle",
    ),
    (
        "sport",
        "Sport",
        "Direction des sports",
        "Animation sportive de proximité, city-stades, inscriptions aux activités, prêt de salles aux associations sportives.",
        "sport, city-stade, activité physique, club, gymnase, animation sportive",
    ),
    (
        "administration-generale",
        "Administration générale",
        "Direction de l'administration générale",
        "Accueil des maisons de services et de proximité (MSP), état civil, élections, conciergerie des bâtiments.",
        "état civil, papiers, carte d'identité, élections, accueil, MSP, salle",
    ),
    (
        "cohesion-territoriale",
        "Cohésion territoriale",
        "Direction de la cohésion territoriale",
        "Politique de la ville, projets de quartier, gestion urbaine de proximité, renouvellement urbain, conseils citoyens.",
        "politique de la ville, projet de quartier, renouvellement urbain, conseil citoyen, gestion urbaine de proximité",
    ),
    (
        "enfance-famille",
        "Enfance / famille",
        "Direction de l'enfance et de la famille",
        "Multi-accueils et crèches, relais petite enfance, soutien à la parentalité.",
        "crèche, garde d'enfant, multi-accueil, assistante maternelle, parentalité, petite enfance",
    ),
    (
        "jeunesse",
        "Jeunesse",
        "Direction de la jeunesse",
        "Structures jeunesse, accueil des 11-25 ans, accompagnement des projets de jeunes, point information jeunesse.",
        "jeunes, adolescents, accueil jeunes, projet, BAFA, information jeunesse, emploi des jeunes",
    ),
    (
        "developpement-commercial",
        "Développement commercial",
        "Direction du développement économique",
        "Pôles commerciaux de quartier, accompagnement des commerçants, marchés, occupation du domaine public.",
        "commerce, commerçant, marché, local vacant, terrasse, enseigne",
    ),
    (
        "tranquillite-publique",
        "Tranquillité publique",
        "Direction de la tranquillité publique",
        "Police municipale, brigade verte, médiation de voisinage, stationnement, prévention des incivilités.",
        "police municipale, brigade verte, incivilité, bruit, stationnement, voisinage, rodéo, sécurité",
    ),
]

QUARTIERS = [
    (
        "ouest",
        "Ouest",
        "Quartier d'habitat social en renouvellement urbain, au tissu associatif et institutionnel dynamique.",
        "Quartier prioritaire de la politique de la ville Arras Ouest\nSecteur de veille active Baudimont",
        "MSP Marie-Thérèse Lenoir, salle de réunion",
    ),
    (
        "centre",
        "Centre",
        "Centre historique et commerçant, habitat ancien, forte présence d'équipements culturels.",
        "Secteur de veille active Centre ancien",
        "Hôtel de ville, salle des commissions",
    ),
    (
        "sud",
        "Sud",
        "Quartier résidentiel et d'habitat social, avec une population jeune et un centre social très fréquenté.",
        "Quartier prioritaire de la politique de la ville Arras Sud",
        "Centre social du quartier Sud",
    ),
]

PRIORITIES = {
    "ouest": [
        (
            "Tranquillité et cadre de vie",
            "Propreté, gestion urbaine de proximité, usages des espaces publics.",
        ),
        (
            "Réussite éducative et parentalité",
            "Accompagner les familles et prévenir le décrochage.",
        ),
        ("Accueil des familles allophones", "Accès aux droits et apprentissage du français."),
        ("Renouvellement urbain et mobilité", "Accompagner les habitants pendant les travaux."),
    ],
    "centre": [
        ("Commerce de proximité", "Animer le centre-ville et limiter la vacance commerciale."),
        ("Habitat ancien et précarité énergétique", "Repérer les logements dégradés."),
        (
            "Vie culturelle pour tous",
            "Ouvrir les équipements culturels aux habitants des quartiers.",
        ),
    ],
    "sud": [
        ("Insertion des jeunes", "Accompagner les 16-25 ans vers la formation et l'emploi."),
        ("Santé et accès aux soins", "Prévention et orientation vers les soins."),
        ("Lien social et vieillissement", "Rompre l'isolement des personnes âgées."),
    ],
}

# (first name, last name, job title, service slug, days since arrival or None)
OUEST_AGENTS = [
    ("Julien", "Lefebvre", "Médiateur renouvellement urbain", "cohesion-territoriale", 900),
    ("Samia", "Haddad", "Animatrice gestion urbaine de proximité", "cohesion-territoriale", 1400),
    ("Inès", "Belkacem", "Médiatrice sociale", "cohesion-territoriale", 20),
    ("Nadine", "Caron", "Hôtesse d'accueil de la MSP", "administration-generale", 3000),
    ("Patrick", "Delattre", "Concierge", "administration-generale", 4200),
    ("Sophie", "Marchand", "Travailleuse sociale", "ccas", 1800),
    ("Thomas", "Dupuis", "Travailleur social", "ccas", 600),
    ("Amandine", "Fournier", "Conseillère en économie sociale et familiale", "ccas", 45),
    ("Élodie", "Lemaire", "Référente Programme de réussite éducative", "education", 1200),
    ("Léa", "Boulanger", "Animatrice périscolaire", "education", 300),
    ("Marion", "Vandamme", "ATSEM, école maternelle du quartier", "education", 2500),
    ("Camille", "Roussel", "Médiatrice d'équipement culturel", "culture", 700),
    ("Hugo", "Fontaine", "Bibliothécaire, médiathèque de quartier", "culture", 1500),
    ("Jérôme", "Lenglet", "Régisseur de la salle de quartier", "culture", 3500),
    ("Yassine", "Bouzid", "Référent animation de proximité", "sport", 1100),
    ("Laura", "Petitjean", "Éducatrice sportive", "sport", 400),
    ("Isabelle", "Carpentier", "Responsable multi-accueil et crèche", "enfance-famille", 2200),
    ("Aurélie", "Dubreucq", "Auxiliaire de puériculture", "enfance-famille", 800),
    ("Kévin", "Moreau", "Animateur jeunesse", "jeunesse", 500),
    ("Fatou", "Diarra", "Référente accueil des structures jeunesse", "jeunesse", 1300),
    ("Nicolas", "Degrave", "Animateur de prévention", "jeunesse", 60),
    (
        "Vincent",
        "Lecomte",
        "Gestionnaire du pôle commercial de quartier",
        "developpement-commercial",
        1000,
    ),
    ("Mélanie", "Hennebert", "Agente de la brigade verte", "tranquillite-publique", 1600),
    ("Rachid", "Mansouri", "Agent de la brigade verte", "tranquillite-publique", 900),
    ("Stéphane", "Bernardin", "Policier municipal", "tranquillite-publique", 2800),
    ("Céline", "Lambin", "Agente des espaces verts", "services-techniques", 1900),
    ("Olivier", "Bouchez", "Agent de propreté urbaine", "services-techniques", 2600),
    ("David", "Wattebled", "Technicien voirie et éclairage public", "services-techniques", 1700),
    ("Manon", "Delcroix", "Chargée de mission cadre de vie", "services-techniques", 350),
]
CENTRE_AGENTS = [
    ("Lucie", "Mortier", "Médiatrice culturelle, musée", "culture", 1000),
    ("Antoine", "Dufossé", "Manager de centre-ville", "developpement-commercial", 700),
    ("Chloé", "Hanquez", "Travailleuse sociale", "ccas", 1500),
    ("Benoît", "Vermersch", "Policier municipal", "tranquillite-publique", 2000),
    ("Gaëlle", "Ricart", "Agente de propreté urbaine", "services-techniques", 400),
]
SUD_AGENTS = [
    ("Sarah", "Bensaïd", "Animatrice jeunesse", "jeunesse", 600),
    ("Maxime", "Delobel", "Référent animation de proximité", "sport", 900),
    ("Nathalie", "Prévost", "Travailleuse sociale", "ccas", 2100),
    ("Romain", "Cuvelier", "Agent des espaces verts", "services-techniques", 1200),
    ("Émilie", "Dhainaut", "Référente Programme de réussite éducative", "education", 30),
]

PARTNERS = [
    (
        "Centre social Arc-en-Ciel",
        Partner.Kind.CENTRE_SOCIAL,
        ["ouest"],
        "contact@arc-en-ciel.example",
    ),
    (
        "Habitat Artois Logement",
        Partner.Kind.BAILLEUR,
        ["ouest", "sud"],
        "proximite@habitat-artois.example",
    ),
    (
        "Association Les Jardins partagés",
        Partner.Kind.ASSOCIATION,
        ["ouest"],
        "jardins@asso.example",
    ),
    (
        "Conseil citoyen Ouest",
        Partner.Kind.CONSEIL_CITOYEN,
        ["ouest"],
        "conseil-ouest@asso.example",
    ),
    (
        "Mission locale",
        Partner.Kind.INSTITUTION,
        ["ouest", "centre", "sud"],
        "accueil@mission-locale.example",
    ),
    ("Centre social du Sud", Partner.Kind.CENTRE_SOCIAL, ["sud"], "accueil@cs-sud.example"),
]
EXTERNALS = [
    (
        "Karima",
        "Zeroual",
        "karima.zeroual@arc-en-ciel.example",
        "Centre social Arc-en-Ciel",
        "Directrice",
        False,
        ["ouest"],
    ),
    (
        "Gilles",
        "Fauquembergue",
        "g.fauquembergue@habitat-artois.example",
        "Habitat Artois Logement",
        "Chargé de gestion de proximité",
        False,
        ["ouest", "sud"],
    ),
    (
        "Monique",
        "Deleval",
        "monique.deleval@asso.example",
        "Conseil citoyen Ouest",
        "Habitante",
        True,
        ["ouest"],
    ),
    (
        "Ahmed",
        "Taleb",
        "ahmed.taleb@asso.example",
        "Conseil citoyen Ouest",
        "Habitant",
        True,
        ["ouest"],
    ),
]


def _email(first: str, last: str) -> str:
    import unicodedata

    def ascii_(text: str) -> str:
        return (
            unicodedata.normalize("NFKD", text)
            .encode("ascii", "ignore")
            .decode()
            .lower()
            .replace(" ", "-")
        )

    return f"{ascii_(first)}.{ascii_(last)}@{DOMAIN}"


def _agent(first, last, job, service=None, days=None, **extra) -> Agent:
    today = timezone.localdate()
    defaults = {
        "first_name": first,
        "last_name": last,
        "job_title": job,
        "service": service,
        "arrival_date": today - datetime.timedelta(days=days) if days is not None else None,
        "phone": f"03 21 50 {len(last) * 7 % 90 + 10:02d} {len(first) * 13 % 90 + 10:02d}",
        **extra,
    }
    agent, created = Agent.objects.update_or_create(email=_email(first, last), defaults=defaults)
    if created or not agent.has_usable_password():
        agent.password = _demo_password_hash()
        agent.save(update_fields=["password"])
    return agent


@functools.cache
def _demo_password_hash() -> str:
    """Hashed once for every demo account: a password hash costs about a second by design."""
    return make_password(DEMO_PASSWORD)


def _member(agent: Agent, quartier: Quartier, role: str, since_days: int | None) -> None:
    start = timezone.localdate() - datetime.timedelta(days=since_days or 400)
    Membership.objects.get_or_create(
        agent=agent, quartier=quartier, role=role, end_date=None, defaults={"start_date": start}
    )


@transaction.atomic
def services_upsert() -> dict[str, Service]:
    """The eleven services of the fiche, by slug (idempotent). The load-test seeder calls it too."""
    services = {}
    for slug, name, direction, offer, keywords in SERVICES:
        services[slug], _ = Service.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "direction": direction,
                "offer": offer,
                "keywords": keywords,
                "contact_email": f"{slug}@{DOMAIN}",
                "contact_phone": f"03 21 50 {10 + len(slug):02d} 00",
                "opening_hours": "du lundi au vendredi, 8 h 30 – 12 h et 13 h 30 – 17 h",
            },
        )
    return services


OUTLINES_FILE = Path(__file__).resolve().parent / "data" / "quartiers-arras.geojson"


def demo_outlines() -> dict[str, dict]:
    """The approximate outlines of the demo's quartiers (drawn for the demo: no legal value)."""
    collection = json.loads(OUTLINES_FILE.read_text(encoding="utf-8"))
    return {
        feature["properties"]["slug"]: feature["geometry"] for feature in collection["features"]
    }


@transaction.atomic
def load(stdout=None) -> dict[str, Agent]:
    services = services_upsert()
    quartiers = {}
    outlines = demo_outlines()
    for slug, name, description, territories, place in QUARTIERS:
        quartiers[slug], _ = Quartier.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "territories": territories,
                "meeting_place": place,
                "outline": outlines.get(slug),
            },
        )
    for slug, items in PRIORITIES.items():
        for position, (title, description) in enumerate(items, start=1):
            Priority.objects.update_or_create(
                quartier=quartiers[slug],
                title=title,
                defaults={"description": description, "position": position},
            )

    people: dict[str, Agent] = {}
    people["admin"] = _agent(
        "Alex",
        "Administrateur",
        "Administrateur de l'intranet",
        services["administration-generale"],
        3000,
        is_staff=True,
        is_superuser=True,
    )
    people["direction"] = _agent(
        "Anne",
        "Verhaeghe",
        "Directrice de la cohésion territoriale",
        services["cohesion-territoriale"],
        3000,
        is_comite_direction=True,
    )
    people["dgs"] = _agent(
        "Philippe",
        "Descamps",
        "Directeur général des services",
        services["administration-generale"],
        5000,
        is_comite_direction=True,
    )
    people["maire"] = _agent("Bernard", "Delcourt", "Maire", None, None, is_maire=True)
    people["elu"] = _agent("Martine", "Leclercq", "Adjointe au maire, quartier Ouest", None, None)
    people["elu_centre"] = _agent(
        "Gérard", "Pruvost", "Adjoint au maire, quartier Centre", None, None
    )
    people["elu_sud"] = _agent("Josiane", "Fievet", "Adjointe au maire, quartier Sud", None, None)
    people["chef"] = _agent(
        "Claire",
        "Vasseur",
        "Cheffe de projet de quartier Ouest",
        services["cohesion-territoriale"],
        2000,
        manager=people["direction"],
    )
    people["chef_centre"] = _agent(
        "Olivia",
        "Renard",
        "Cheffe de projet de quartier Centre",
        services["cohesion-territoriale"],
        1500,
        manager=people["direction"],
    )
    people["chef_sud"] = _agent(
        "Mehdi",
        "Saïdi",
        "Chef de projet de quartier Sud",
        services["cohesion-territoriale"],
        1000,
        manager=people["direction"],
    )
    people["responsable"] = _agent(
        "François",
        "Dumont",
        "Responsable des services techniques",
        services["services-techniques"],
        4000,
    )
    people["responsable_tp"] = _agent(
        "Sylvie",
        "Masset",
        "Responsable de la tranquillité publique",
        services["tranquillite-publique"],
        3500,
    )
    services["services-techniques"].responsables.add(people["responsable"])
    services["tranquillite-publique"].responsables.add(people["responsable_tp"])

    for key, slug in (("chef", "ouest"), ("chef_centre", "centre"), ("chef_sud", "sud")):
        _member(people[key], quartiers[slug], Membership.Role.CHEF_DE_PROJET, 1000)
    for key, slug in (("elu", "ouest"), ("elu_centre", "centre"), ("elu_sud", "sud")):
        _member(people[key], quartiers[slug], Membership.Role.ELU, 900)
    _member(people["direction"], quartiers["ouest"], Membership.Role.DIRECTION, 900)

    for slug, roster in (("ouest", OUEST_AGENTS), ("centre", CENTRE_AGENTS), ("sud", SUD_AGENTS)):
        responsables = {s.pk: s.responsables.first() for s in services.values()}
        for first, last, job, service_slug, days in roster:
            service = services[service_slug]
            agent = _agent(first, last, job, service, days, manager=responsables.get(service.pk))
            _member(agent, quartiers[slug], Membership.Role.MEMBRE, days)
            people.setdefault(f"agent_{slug}", agent)

    for name, kind, slugs, email in PARTNERS:
        partner, _ = Partner.objects.update_or_create(
            name=name, defaults={"kind": kind, "email": email}
        )
        partner.quartiers.set([quartiers[s] for s in slugs])
    for first, last, email, org, role, conseil, slugs in EXTERNALS:
        participant, _ = ExternalParticipant.objects.update_or_create(
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "organisation": Partner.objects.get(name=org),
                "role": role,
                "is_conseil_citoyen": conseil,
            },
        )
        participant.quartiers.set([quartiers[s] for s in slugs])
    if stdout:
        stdout.write(
            f"  teams: {Agent.objects.count()} agents, {len(quartiers)} quartiers, {len(services)} services"
        )
    return people


# The accounts printed by `make run`, one per role.
DEMO_ACCOUNTS = [
    ("Agente de terrain (Ouest)", "samia.haddad"),
    ("Nouvelle arrivante (Ouest)", "ines.belkacem"),
    ("Cheffe de projet (Ouest)", "claire.vasseur"),
    ("Responsable de service (services techniques)", "francois.dumont"),
    ("Comité de direction", "anne.verhaeghe"),
    ("Élue référente (Ouest)", "martine.leclercq"),
    ("Maire", "bernard.delcourt"),
    ("Agent d'un autre quartier (Sud)", "sarah.bensaid"),
    ("Administrateur (double authentification à activer)", "alex.administrateur"),
]
