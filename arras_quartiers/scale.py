"""A synthetic city for load tests: reproducible from a seed, written fast (COPY on PostgreSQL).

`seed_city(...)` runs stages in the direction data flows (teams → observations → meetings →
diagnostics). Each stage reads what it needs from the database, so a later stage can be added to a
database seeded earlier (`stages=("meetings",)`). Rows go through `TableWriter`: COPY on PostgreSQL,
large `bulk_create` batches elsewhere. Primary keys are allocated here, so rows can point at each
other without a round trip; the sequences are moved past them at the end.

Same seed, same `today`, same sizes, same empty database → the same rows.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import itertools
import random
import time
import unicodedata
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, connection, models, transaction

SCALE_DOMAIN = "metropole.example"
SCALE_SLUG_PREFIX = "m-"
STAGES = ("teams", "observations", "meetings", "diagnostics")
CHUNK = 20_000

# Text material ---------------------------------------------------------------------------------

FIRST_NAMES = (
    "Camille Léa Manon Chloé Inès Sarah Emma Jade Louise Alice Lina Julie Nadia Sophie Claire Aïcha "
    "Fatima Hélène Isabelle Nathalie Valérie Sandrine Céline Amandine Laura Yasmine Océane Marie Anne "
    "Lucas Hugo Louis Nathan Enzo Mathis Thomas Karim Mehdi Julien Nicolas Olivier Pierre Jean Paul "
    "Antoine Maxime Romain Sébastien Vincent Bruno Didier Eric Franck Gilles Rachid Samir Yannick Kevin"
).split()
LAST_NAMES = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre "
    "Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Lefèvre Mercier Dupont "
    "Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel "
    "Nicolas Perrin Morin Mathieu Clément Gauthier Dumont Lopez Fontaine Chevalier Robin Masson "
    "Sanchez Gérard Nguyen Boyer Denis Lemaire Duval Joly Gautier Roger Roche Roy Noël Meyer Lucas "
    "Haddad Benali Mansouri Vasseur Delcourt Leclercq Verhaeghe Delattre Lemaître Carpentier Dhainaut"
).split()
CITIES = (
    "Arras|Lens|Douai|Béthune|Lille|Roubaix|Tourcoing|Valenciennes|Cambrai|Calais|Boulogne|"
    "Dunkerque|Amiens|Reims|Rouen|Caen|Le Havre|Nantes|Rennes|Brest|Angers|Tours|Orléans|"
    "Dijon|Besançon|Metz|Nancy|Strasbourg|Mulhouse|Colmar|Lyon|Villeurbanne|Grenoble|"
    "Saint-Étienne|Clermont|Limoges|Poitiers|Bordeaux|Pau|Bayonne|Toulouse|Montpellier|Nîmes|"
    "Perpignan|Marseille|Toulon|Nice|Avignon|Valence|Chambéry|Annecy|Troyes|Chartres|Le Mans|"
    "Laval|Vannes|Lorient|Quimper|Niort|Angoulême|Périgueux"
).split("|")
DISTRICTS = (
    "Centre|Nord|Sud|Est|Ouest|Gare|Faubourg|Les Hauts|Bords de Scarpe|Vieille Ville|Saint-Michel|"
    "Saint-Sauveur|La Citadelle|Les Jardins|Le Plateau|Les Prés|Le Moulin|Les Tilleuls|La Source|"
    "Pont-Neuf|Les Chênes|Bellevue|Beauregard|Val Fleuri|Les Oliviers|Le Port|Les Cèdres|La Forêt"
).split("|")
STREETS = (
    "rue Victor-Hugo|rue Jean-Jaurès|avenue de la République|place du Marché|rue Pasteur|"
    "rue des Écoles|allée des Tilleuls|square Baudimont|rue du Moulin|boulevard Carnot|"
    "rue de la Gare|chemin des Prés|rue Émile-Zola|place de l'Église|rue des Lilas|"
    "avenue du Général-de-Gaulle|rue Gambetta|rue de Verdun|parc des Sports|rue Voltaire"
).split("|")
NEAR = (
    "près de l'école|devant la médiathèque|à l'arrêt de bus|derrière le gymnase|près du city-stade|"
    "au pied des immeubles|à l'angle du parking|devant la maison de services|près des jeux|"
    "le long du canal|devant les commerces|à l'entrée du parc"
).split("|")
# Per category slug: titles an agent types on a phone, and what the service usually does.
PHENOMENA = {
    "proprete": (
        "Dépôt sauvage d'encombrants",
        "Tags sur la façade",
        "Poubelles débordantes",
        "Déchets verts abandonnés",
    ),
    "voirie-eclairage": (
        "Lampadaire éteint",
        "Nid-de-poule sur la chaussée",
        "Trottoir dégradé",
        "Panneau arraché",
    ),
    "espaces-verts": (
        "Aire de jeux abîmée",
        "Arbre menaçant de tomber",
        "Pelouse non tondue",
        "Banc cassé",
    ),
    "tranquillite-publique": (
        "Rassemblements bruyants le soir",
        "Rodéos urbains",
        "Incivilités répétées",
        "Sentiment d'insécurité des habitants",
    ),
    "stationnement-circulation": (
        "Stationnement gênant sur le trottoir",
        "Voitures trop rapides",
        "Véhicule épave",
        "Passage piéton effacé",
    ),
    "habitat-bailleurs": (
        "Hall d'immeuble dégradé",
        "Ascenseur en panne depuis des jours",
        "Infiltrations dans les parties communes",
        "Caves squattées",
    ),
    "social-precarite": (
        "Personne âgée isolée",
        "Famille en grande difficulté",
        "Personne sans abri",
        "Impayés d'énergie signalés",
    ),
    "jeunesse": (
        "Jeunes sans activité pendant les vacances",
        "Demande d'un local pour les jeunes",
        "Décrochage de plusieurs adolescents",
        "Projet de jeunes à accompagner",
    ),
    "education": (
        "Abords de l'école encombrés",
        "Absentéisme en hausse",
        "Besoin d'aide aux devoirs",
        "Sécurité à la sortie des classes",
    ),
    "sante": (
        "Difficultés d'accès à un médecin",
        "Souffrance psychique repérée",
        "Besoin de prévention",
        "Moustiques tigres signalés",
    ),
    "commerce-proximite": (
        "Local commercial vacant",
        "Commerçants inquiets",
        "Marché peu fréquenté",
        "Terrasse débordante",
    ),
    "vie-associative": (
        "Association cherche une salle",
        "Initiative d'habitants à soutenir",
        "Fête de quartier à préparer",
        "Bénévoles en renfort",
    ),
    "acces-droits-langue": (
        "Famille non francophone à orienter",
        "Difficultés avec les démarches en ligne",
        "Besoin de cours de français",
        "Droits non ouverts",
    ),
    "autre": (
        "Question d'un habitant",
        "Demande d'information",
        "Situation à suivre",
        "Remarque diverse",
    ),
}
DETAILS = (
    "Constaté lors de ma tournée du matin.",
    "Plusieurs habitants m'en ont parlé cette semaine.",
    "La situation dure depuis plusieurs jours.",
    "Déjà signalé le mois dernier, sans changement.",
    "Les enfants passent par là pour aller à l'école.",
    "Le gardien de l'immeuble confirme.",
    "Un commerçant voisin s'en plaint aussi.",
    "Ça semble se répéter chaque fin de semaine.",
    "Photo prise sur place, à vérifier par le service.",
    "Les habitants attendent un retour rapide.",
)
COMMENTS = (
    "Je confirme, vu aussi ce matin.",
    "Le service est passé, à vérifier dans quelques jours.",
    "Les habitants en ont reparlé à l'accueil de la MSP.",
    "J'ai prévenu le bailleur.",
    "À évoquer à la prochaine réunion d'équipe.",
    "Intervention programmée la semaine prochaine.",
)
ESCALATION_REASONS = (
    "Situation récurrente qui dépasse les moyens du quartier : arbitrage du comité demandé.",
    "Plusieurs services concernés, besoin d'une décision de la direction.",
    "Risque pour la sécurité des habitants, à traiter en priorité.",
    "Demande d'un élu, le comité doit être informé.",
)
ANSWERS = (
    "Le comité a demandé aux services techniques une intervention sous quinze jours.",
    "Sujet inscrit au prochain comité de pilotage de la politique de la ville.",
    "Moyens supplémentaires accordés pour le trimestre.",
    "Le comité a saisi le bailleur et suivra la réponse.",
)
PRIORITIES = (
    "Tranquillité et cadre de vie",
    "Réussite éducative et jeunesse",
    "Accès aux droits et aux services",
    "Vie sociale et associative",
    "Emploi et commerce de proximité",
    "Santé et bien-être",
)
# Where categories and needs usually go when the seeded rows have no default service.
CATEGORY_SERVICE = {
    "proprete": "services-techniques",
    "voirie-eclairage": "services-techniques",
    "espaces-verts": "services-techniques",
    "tranquillite-publique": "tranquillite-publique",
    "stationnement-circulation": "tranquillite-publique",
    "habitat-bailleurs": "cohesion-territoriale",
    "social-precarite": "ccas",
    "jeunesse": "jeunesse",
    "education": "education",
    "sante": "ccas",
    "commerce-proximite": "developpement-commercial",
    "vie-associative": "cohesion-territoriale",
    "acces-droits-langue": "ccas",
}
CONFIDENTIAL_CATEGORIES = {"social-precarite", "sante", "acces-droits-langue"}
HOURS = datetime.timedelta(hours=1)
DAYS = datetime.timedelta(days=1)


def ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in text).split())


# Writing rows ----------------------------------------------------------------------------------


class TableWriter:
    """Writes tuples of column values into a model's table: COPY on PostgreSQL, bulk_create elsewhere.

    Columns a caller leaves out get the field's default (evaluated once), so a field added to a
    model later does not break the seed.
    """

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.counts: dict[str, int] = defaultdict(int)
        self.next_ids: dict[type[models.Model], int] = {}

    def allocate(self, model: type[models.Model], count: int) -> int:
        """Reserve `count` primary keys; returns the first one."""
        if model not in self.next_ids:
            last = model._default_manager.aggregate(m=models.Max("pk"))["m"] or 0
            self.next_ids[model] = last + 1
        first = self.next_ids[model]
        self.next_ids[model] += count
        return first

    def _completed(self, model, columns: list[str]) -> tuple[list[str], tuple]:
        now = datetime.datetime.now(datetime.UTC)
        extra_columns, extra_values = [], []
        for f in model._meta.concrete_fields:
            if f.column in columns:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default() or (f.empty_strings_allowed and not f.null):
                value = f.get_default()
            elif f.null:
                value = None
            elif f.primary_key:
                continue
            else:
                raise ValueError(f"{model.__name__}.{f.name} needs a value in the seed")
            extra_columns.append(f.column)
            extra_values.append(f.get_db_prep_save(value, connection) if self.postgres else value)
        unknown = set(columns) - {f.column for f in model._meta.concrete_fields}
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
        return columns + extra_columns, tuple(extra_values)

    def write(self, model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> int:
        all_columns, extra = self._completed(model, list(columns))
        count = 0
        if self.postgres:
            table = connection.ops.quote_name(model._meta.db_table)
            names = ", ".join(connection.ops.quote_name(c) for c in all_columns)
            with connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row + extra if extra else row)
                        count += 1
        else:
            attnames = {f.column: f.attname for f in model._meta.concrete_fields}
            keys = [attnames[c] for c in all_columns]
            batch = []
            for row in rows:
                batch.append(model(**dict(zip(keys, row + extra, strict=True))))
                count += 1
                if len(batch) >= 5000:
                    model._default_manager.bulk_create(batch)
                    batch = []
            if batch:
                model._default_manager.bulk_create(batch)
        self.counts[model._meta.label] += count
        return count

    def reset_sequences(self) -> None:
        if not self.postgres:
            return
        with connection.cursor() as cursor:
            for model in self.next_ids:
                table = model._meta.db_table
                column = model._meta.pk.column
                assert column is not None  # (a concrete model's primary key has a column)
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), "  # noqa: S608 - identifiers from models
                    f"COALESCE((SELECT MAX({connection.ops.quote_name(column)}) FROM "
                    f"{connection.ops.quote_name(table)}), 1))",
                    [table, column],
                )


class DeferredIndexes:
    """Drops a table's secondary indexes during a large load and rebuilds them after (PostgreSQL).

    Building an index once is much faster than maintaining it row by row (the French full-text
    GIN index above all). Indexes backing a constraint (primary key, unique) stay.
    """

    def __init__(self, tables: list[str], enabled: bool) -> None:
        self.tables = tables
        self.enabled = enabled and connection.vendor == "postgresql"
        self.definitions: list[tuple[str, str]] = []

    def __enter__(self) -> DeferredIndexes:
        if not self.enabled:
            return self
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
                AND NOT EXISTS (
                    SELECT 1 FROM pg_constraint c
                    WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass
                )
                ORDER BY i.tablename, i.indexname
                """,
                [self.tables],
            )
            self.definitions = cursor.fetchall()
            for name, _definition in self.definitions:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if not self.definitions or exc_type is not None:
            return  # on failure the transaction rolls the drops back
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _name, definition in self.definitions:
                cursor.execute(definition)


# The city --------------------------------------------------------------------------------------


@dataclass
class City:
    """What later stages need to know about the seeded people and places (read from the database)."""

    quartier_ids: list[int]
    quartier_slugs: dict[int, str]
    quartier_names: dict[int, str]
    big_quartier_id: int
    chefs: dict[int, int]
    elus: dict[int, list[int]]
    members: dict[int, list[int]]
    comite: list[int]
    maire: int | None
    service_ids: dict[str, int]
    responsables: dict[int, list[int]]
    priorities: dict[int, list[int]]
    externals: dict[int, list[int]] = field(default_factory=dict)


@dataclass
class Sizes:
    quartiers: int
    agents: int
    observations: int
    years: int
    seed: int
    today: datetime.date
    big_quartier_observations: int = 20_000

    @property
    def comite(self) -> int:
        return max(1, min(12, self.agents // 2000))

    def check(self) -> None:
        minimum = 3 * self.quartiers + self.comite + 1
        if self.agents < minimum:
            raise ValueError(
                f"--agents must be at least {minimum} for {self.quartiers} quartiers "
                "(a chef de projet, an élu and one agent each, the comité de direction, the maire)"
            )
        if self.years < 1:
            raise ValueError("--years must be at least 1")


class Seeder:
    def __init__(self, sizes: Sizes, *, log: Callable[[str], None] = print) -> None:
        self.sizes = sizes
        self.log = log
        self.writer = TableWriter()
        self.tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        # Everything happened before `today` (midnight), so a city seeded today is all in the past.
        self.end = datetime.datetime.combine(sizes.today, datetime.time(0, 0), tzinfo=self.tz)
        self.start = self.end - datetime.timedelta(days=365 * sizes.years)
        self.timings: dict[str, float] = {}

    # Helpers

    def stage_rng(self, name: str) -> random.Random:
        """An independent, reproducible stream per stage: adding a stage never changes another."""
        return random.Random(f"{self.sizes.seed}:{name}")  # noqa: S311 - test data, not secrets

    def person(self, rnd: random.Random, index: int) -> tuple[str, str, str]:
        first = rnd.choice(FIRST_NAMES)
        last = rnd.choice(LAST_NAMES)
        email = f"{ascii_slug(first)}.{ascii_slug(last)}.{index}@{SCALE_DOMAIN}"
        return first, last, email

    # Stage: teams ------------------------------------------------------------------------------

    def seed_teams(self) -> None:
        from teams.demo import SERVICES
        from teams.models import (
            Agent,
            ExternalParticipant,
            Membership,
            Partner,
            Priority,
            Quartier,
            Service,
        )

        rnd = self.stage_rng("teams")
        sizes = self.sizes
        if Quartier.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).exists():
            raise ValueError("This database already holds a synthetic city: seed a fresh database.")

        services = {}
        for slug, name, direction, offer, keywords in SERVICES:
            services[slug], _ = Service.objects.update_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "direction": direction,
                    "offer": offer,
                    "keywords": keywords,
                },
            )
        self._fill_default_services(services)
        service_ids = [services[slug].pk for slug, *_ in SERVICES]

        # Quartiers: "<ville> — <secteur>", unique.
        combos = [f"{city} — {district}" for city in CITIES for district in DISTRICTS]
        rnd.shuffle(combos)
        names = [
            combos[i] if i < len(combos) else f"{combos[i % len(combos)]} {i // len(combos) + 1}"
            for i in range(sizes.quartiers)
        ]
        q_first = self.writer.allocate(Quartier, sizes.quartiers)
        quartier_ids = list(range(q_first, q_first + sizes.quartiers))
        self.writer.write(
            Quartier,
            ["id", "name", "slug", "description", "territories", "meeting_place"],
            (
                (
                    qid,
                    name,
                    f"{SCALE_SLUG_PREFIX}{i + 1:05d}-{ascii_slug(name)}"[:120],
                    f"Quartier {name.split(' — ')[1]} de {name.split(' — ')[0]}.",
                    "Quartier prioritaire de la politique de la ville"
                    if rnd.random() < 0.4
                    else "",
                    "Maison de services et de proximité",
                )
                for i, (qid, name) in enumerate(zip(quartier_ids, names, strict=True))
            ),
        )
        p_rows = []
        p_first = self.writer.allocate(Priority, sizes.quartiers * 4)
        pid = p_first
        for qid in quartier_ids:
            for position, title in enumerate(rnd.sample(PRIORITIES, 4)):
                p_rows.append((pid, qid, title, "", position + 1, True))
                pid += 1
        self.writer.write(
            Priority, ["id", "quartier_id", "title", "description", "position", "is_active"], p_rows
        )

        # Agents: a chef de projet and an élu per quartier, the comité de direction, the maire,
        # then members spread over the quartiers (a few in two teams).
        password = make_password("quartiers-demo")
        a_first = self.writer.allocate(Agent, sizes.agents)
        agent_ids = list(range(a_first, a_first + sizes.agents))
        chefs = agent_ids[: sizes.quartiers]
        elus = agent_ids[sizes.quartiers : 2 * sizes.quartiers]
        comite = agent_ids[2 * sizes.quartiers : 2 * sizes.quartiers + sizes.comite]
        maire = agent_ids[2 * sizes.quartiers + sizes.comite]
        members = agent_ids[2 * sizes.quartiers + sizes.comite + 1 :]
        joined = datetime.datetime.combine(self.start.date(), datetime.time(9), tzinfo=self.tz)
        span_days = max(1, (sizes.today - self.start.date()).days)

        def agent_rows() -> Iterator[tuple]:
            for index, aid in enumerate(agent_ids):
                first, last, email = self.person(rnd, index)
                if aid in chef_set:
                    title, service = (
                        "Chef de projet de quartier",
                        services["cohesion-territoriale"].pk,
                    )
                elif aid in elu_set:
                    title, service = "Adjoint(e) de quartier", None
                elif aid in comite_set or aid == maire:
                    title = "Maire" if aid == maire else "Directeur général adjoint"
                    service = None
                else:
                    title, service = "", rnd.choice(service_ids)
                arrival = self.start.date() + datetime.timedelta(days=rnd.randrange(span_days))
                yield (
                    aid, password, email, first, last, title, service, arrival,
                    aid in comite_set, aid == maire, True, False, joined,
                )  # fmt: skip

        chef_set, elu_set, comite_set = set(chefs), set(elus), set(comite)
        self.writer.write(
            Agent,
            [
                "id",
                "password",
                "email",
                "first_name",
                "last_name",
                "job_title",
                "service_id",
                "arrival_date",
                "is_comite_direction",
                "is_maire",
                "is_active",
                "is_staff",
                "date_joined",
            ],  # fmt: skip
            agent_rows(),
        )
        # Three responsables per service.
        responsables_rows = []
        pool = rnd.sample(members, min(len(members), 3 * len(service_ids)))
        for i, aid in enumerate(pool):
            responsables_rows.append((service_ids[i % len(service_ids)], aid))
        self.writer.write(
            Service.responsables.through, ["service_id", "agent_id"], responsables_rows
        )

        start_date = self.start.date()
        m_rows: list[tuple] = []
        for qid, chef, elu in zip(quartier_ids, chefs, elus, strict=True):
            m_rows.append((chef, qid, "chef", start_date, None))
            m_rows.append((elu, qid, "elu", start_date, None))
        for index, aid in enumerate(members):
            qid = (
                quartier_ids[index % sizes.quartiers]
                if index < sizes.quartiers
                else rnd.choice(quartier_ids)
            )
            since = start_date + datetime.timedelta(days=rnd.randrange(span_days // 2 + 1))
            m_rows.append((aid, qid, "membre", since, None))
            if rnd.random() < 0.05:
                other = rnd.choice(quartier_ids)
                if other != qid:
                    m_rows.append((aid, other, "membre", since, None))
            if (
                rnd.random() < 0.03 and (since - start_date).days > 30
            ):  # a past team: the agent moved
                other = rnd.choice(quartier_ids)
                if other != qid:
                    m_rows.append((aid, other, "membre", start_date, since - DAYS))
        self.writer.write(
            Membership, ["agent_id", "quartier_id", "role", "start_date", "end_date"], m_rows
        )

        # Partners and their people (invited to the équipes techniques territoriales).
        kinds = [k for k, _ in Partner.Kind.choices]
        n_partners = max(1, sizes.quartiers // 2)
        part_first = self.writer.allocate(Partner, n_partners)
        self.writer.write(
            Partner,
            ["id", "name", "kind", "description", "email"],
            (
                (
                    part_first + i,
                    f"Partenaire {i + 1:05d} — {kind.replace('_', ' ')}",
                    kind,
                    "",
                    f"contact{i + 1}@partenaire.example",
                )
                for i, kind in ((i, kinds[i % len(kinds)]) for i in range(n_partners))
            ),
        )
        self.writer.write(
            Partner.quartiers.through,
            ["partner_id", "quartier_id"],
            ((part_first + (i // 2) % n_partners, qid) for i, qid in enumerate(quartier_ids)),
        )
        e_first = self.writer.allocate(ExternalParticipant, sizes.quartiers)
        e_rows = []
        for i in range(sizes.quartiers):
            first, last, _email = self.person(rnd, i)
            e_rows.append((
                e_first + i, first, last, f"{ascii_slug(first)}.{ascii_slug(last)}.{i}@partenaire.example",
                part_first + (i // 2) % n_partners, "Référent(e) du quartier", i % 5 == 0,
            ))  # fmt: skip
        self.writer.write(
            ExternalParticipant,
            [
                "id",
                "first_name",
                "last_name",
                "email",
                "organisation_id",
                "role",
                "is_conseil_citoyen",
            ],
            e_rows,
        )
        self.writer.write(
            ExternalParticipant.quartiers.through,
            ["externalparticipant_id", "quartier_id"],
            ((e_first + i, qid) for i, qid in enumerate(quartier_ids)),
        )

    def _fill_default_services(self, services: dict) -> None:
        from observations.models import Category

        for category in Category.objects.filter(default_service__isnull=True):
            slug = CATEGORY_SERVICE.get(category.slug)
            if slug in services:
                category.default_service = services[slug]
                category.save(update_fields=["default_service"])

    def load_city(self) -> City:
        from teams.models import ExternalParticipant, Membership, Priority, Quartier, Service

        quartiers = list(
            Quartier.objects.filter(slug__startswith=SCALE_SLUG_PREFIX)
            .order_by("pk")
            .values_list("pk", "slug", "name")
        )
        if not quartiers:
            raise ValueError("No synthetic city here: run the teams stage first.")
        ids = [q[0] for q in quartiers]
        chefs: dict[int, int] = {}
        elus, members = defaultdict(list), defaultdict(list)
        for aid, qid, role in (
            Membership.objects.active(self.sizes.today)
            .filter(quartier_id__in=ids)
            .order_by("pk")
            .values_list("agent_id", "quartier_id", "role")
        ):
            if role == "chef":
                chefs.setdefault(qid, aid)
            elif role == "elu":
                elus[qid].append(aid)
            else:
                members[qid].append(aid)
        from teams.models import Agent

        comite = list(
            Agent.objects.filter(is_comite_direction=True, email__endswith=SCALE_DOMAIN)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        maire = (
            Agent.objects.filter(is_maire=True, email__endswith=SCALE_DOMAIN)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        responsables = defaultdict(list)
        for sid, aid in Service.responsables.through.objects.order_by("pk").values_list(
            "service_id", "agent_id"
        ):
            responsables[sid].append(aid)
        priorities = defaultdict(list)
        for pid, qid in (
            Priority.objects.filter(quartier_id__in=ids)
            .order_by("pk")
            .values_list("pk", "quartier_id")
        ):
            priorities[qid].append(pid)
        externals = defaultdict(list)
        for eid, qid in (
            ExternalParticipant.quartiers.through.objects.filter(quartier_id__in=ids)
            .order_by("pk")
            .values_list("externalparticipant_id", "quartier_id")
        ):
            externals[qid].append(eid)
        return City(
            quartier_ids=ids,
            quartier_slugs={q[0]: q[1] for q in quartiers},
            quartier_names={q[0]: q[2] for q in quartiers},
            big_quartier_id=ids[0],
            chefs=chefs,
            elus=dict(elus),
            members=dict(members),
            comite=comite,
            maire=maire,
            service_ids=dict(Service.objects.values_list("slug", "pk")),
            responsables=dict(responsables),
            priorities=dict(priorities),
            externals=dict(externals),
        )

    # Stage: observations -----------------------------------------------------------------------

    def quartier_counts(self, city: City, total: int, rnd: random.Random) -> list[int]:
        """Observations per quartier: the first one gets `big_quartier_observations` (for the
        diagnostic benchmark), the others a long-tailed share of the rest."""
        n = len(city.quartier_ids)
        big = min(self.sizes.big_quartier_observations, total // 5 if n > 1 else total)
        rest = total - big
        weights = [1.0 / (1 + (i % 97) / 12) * rnd.uniform(0.6, 1.4) for i in range(n - 1)]
        scale = rest / sum(weights) if weights else 0
        counts = [int(w * scale) for w in weights]
        for i in range(rest - sum(counts)):
            counts[i % len(counts)] += 1
        return [big + (0 if n > 1 else rest)] + counts

    def seed_observations(self, city: City) -> None:
        from observations.models import (
            Category,
            Comment,
            Escalation,
            NeedType,
            Observation,
            Orientation,
            StatusChange,
        )

        rnd = self.stage_rng("observations")
        total = self.sizes.observations
        categories = list(
            Category.objects.filter(is_active=True)
            .order_by("pk")
            .values_list("pk", "slug", "default_service_id")
        )
        cat_weights = list(itertools.accumulate(
            {"proprete": 9, "voirie-eclairage": 7, "tranquillite-publique": 6, "espaces-verts": 4}.get(slug, 2)
            for _pk, slug, _s in categories
        ))  # fmt: skip
        cat_total = cat_weights[-1]
        service_values = list(city.service_ids.values())
        counts = self.quartier_counts(city, total, rnd)
        sequence = [
            qid for qid, count in zip(city.quartier_ids, counts, strict=True) for _ in range(count)
        ]
        rnd.shuffle(sequence)
        # A few quartiers see one kind of problem rise over the last 90 days (emerging phenomena).
        rising = {
            qid: rnd.randrange(len(categories)) for qid in city.quartier_ids if rnd.random() < 0.08
        }
        rising[city.big_quartier_id] = 0
        rise_start = self.end - datetime.timedelta(days=90)
        places = {
            qid: [f"{rnd.choice(STREETS)}, {rnd.choice(NEAR)}" for _ in range(12)]
            for qid in city.quartier_ids
        }
        centers = {
            qid: (rnd.uniform(43.3, 50.9), rnd.uniform(-1.5, 7.5)) for qid in city.quartier_ids
        }
        chefs, members, responsables, priorities = (
            city.chefs,
            city.members,
            city.responsables,
            city.priorities,
        )
        comite: Sequence[int | None] = city.comite or [None]
        span = (self.end - self.start).total_seconds()
        end = self.end
        last_in_quartier: dict[int, int] = {}
        obs_first = self.writer.allocate(Observation, total)
        q6 = Decimal("0.000001")

        obs_columns = [
            "id", "quartier_id", "author_id", "category_id", "title", "description", "place",
            "latitude", "longitude", "observed_at", "urgency", "is_emerging", "priority_id",
            "confidentiality", "status", "closing_reason", "service_id", "duplicate_of_id",
            "created_at", "updated_at",
        ]  # fmt: skip
        sc_columns = [
            "observation_id",
            "changed_by_id",
            "changed_at",
            "from_status",
            "to_status",
            "closing_reason",
            "service_id",
            "comment",
        ]
        com_columns = ["observation_id", "author_id", "body", "created_at"]
        esc_columns = [
            "observation_id",
            "escalated_by_id",
            "reason",
            "created_at",
            "answer",
            "answered_by_id",
            "answered_at",
        ]

        random_ = rnd.random
        randrange = rnd.randrange
        choice = rnd.choice
        for chunk_start in range(0, total, CHUNK):
            obs_rows: list[tuple] = []
            sc_rows: list[tuple] = []
            com_rows: list[tuple] = []
            esc_rows: list[tuple] = []
            for i in range(chunk_start, min(total, chunk_start + CHUNK)):
                oid = obs_first + i
                qid = sequence[i]
                # Time grows with the id, with a little jitter; activity grows a little each year.
                fraction = (i + random_()) / total
                observed = self.start + datetime.timedelta(seconds=span * (fraction**0.9))
                if observed > end:
                    observed = end
                created = observed + datetime.timedelta(minutes=randrange(5, 600))
                if created > end:
                    created = end
                if qid in rising and observed >= rise_start and random_() < 0.35:
                    c_index = rising[qid]
                else:
                    c_index = bisect.bisect_right(cat_weights, random_() * cat_total)
                    if c_index >= len(categories):
                        c_index = len(categories) - 1
                cat_id, cat_slug, default_service = categories[c_index]
                team = members.get(qid) or [chefs[qid]]
                author = choice(team) if random_() < 0.93 else chefs[qid]
                chef = chefs[qid]
                phenomena = PHENOMENA.get(cat_slug, PHENOMENA["autre"])
                place = choice(places[qid])
                title = choice(phenomena)
                description = f"{title} {place}. {choice(DETAILS)}"
                latitude: Decimal | None
                longitude: Decimal | None
                if random_() < 0.6:
                    lat, lon = centers[qid]
                    latitude = Decimal(lat + (random_() - 0.5) * 0.02).quantize(q6)
                    longitude = Decimal(lon + (random_() - 0.5) * 0.03).quantize(q6)
                else:
                    latitude = longitude = None
                r = random_()
                urgency = "urgente" if r < 0.08 else ("faible" if r < 0.28 else "normale")
                confidential = cat_slug in CONFIDENTIAL_CATEGORIES and random_() < 0.3
                plist = priorities.get(qid)
                priority = choice(plist) if plist and random_() < 0.4 else None
                age_days = (end - created).total_seconds() / 86400

                # Its life so far: status, service, history.
                service: int | None = default_service or choice(service_values)
                r = random_()
                if age_days < 7:
                    status = "nouvelle" if r < 0.5 else ("transmise" if r < 0.85 else "en_cours")
                elif age_days < 60:
                    status = ("nouvelle", "transmise", "en_cours", "traitee", "classee")[
                        bisect.bisect_right((0.1, 0.4, 0.7, 0.95), r)
                    ]
                else:
                    status = ("nouvelle", "transmise", "en_cours", "traitee", "classee")[
                        bisect.bisect_right((0.01, 0.05, 0.1, 0.85), r)
                    ]
                closing_reason = ""
                duplicate_of = None
                sc_rows.append((oid, author, created, "", "nouvelle", "", None, ""))
                t = created
                if status == "classee":
                    r = random_()
                    closing_reason = (
                        "doublon" if r < 0.4 else ("hors_competence" if r < 0.7 else "sans_suite")
                    )
                    if closing_reason == "doublon":
                        duplicate_of = last_in_quartier.get(qid)
                        if duplicate_of is None:
                            closing_reason = "sans_suite"
                    t = min(end, t + datetime.timedelta(hours=randrange(2, 96)))
                    comment = f"Doublon de l'observation n° {duplicate_of}." if duplicate_of else ""
                    sc_rows.append(
                        (oid, chef, t, "nouvelle", "classee", closing_reason, None, comment)
                    )
                    service = None if closing_reason != "hors_competence" else service
                elif status == "nouvelle":
                    service = None
                else:
                    t = min(end, t + datetime.timedelta(hours=randrange(2, 96)))
                    sc_rows.append((oid, chef, t, "nouvelle", "transmise", "", service, ""))
                    assert service is not None  # (only a closed observation may have none)
                    handlers = responsables.get(service) or [chef]
                    if status in ("en_cours", "traitee"):
                        t = min(end, t + datetime.timedelta(hours=randrange(24, 240)))
                        sc_rows.append(
                            (oid, choice(handlers), t, "transmise", "en_cours", "", service, "")
                        )
                    if status == "traitee":
                        t = min(end, t + datetime.timedelta(hours=randrange(48, 960)))
                        sc_rows.append(
                            (
                                oid,
                                choice(handlers),
                                t,
                                "en_cours",
                                "traitee",
                                "",
                                service,
                                "Intervention réalisée.",
                            )
                        )
                obs_rows.append((
                    oid, qid, author, cat_id, title, description, place, latitude, longitude,
                    observed, urgency, random_() < 0.02, priority,
                    "confidentiel" if confidential else "equipe", status, closing_reason, service,
                    duplicate_of, created, t,
                ))  # fmt: skip
                if closing_reason != "doublon":
                    last_in_quartier[qid] = oid
                if random_() < 0.35:
                    ct = min(end, created + datetime.timedelta(hours=randrange(1, 200)))
                    com_rows.append((oid, choice(team), choice(COMMENTS), ct))
                    if random_() < 0.3:
                        ct = min(end, ct + datetime.timedelta(hours=randrange(1, 200)))
                        com_rows.append((oid, chef, choice(COMMENTS), ct))
                if random_() < 0.015 and not confidential:
                    et = min(end, created + datetime.timedelta(hours=randrange(24, 120)))
                    if age_days > 20 and random_() < 0.85:
                        at = min(end, et + datetime.timedelta(days=randrange(2, 15)))
                        esc_rows.append(
                            (
                                oid,
                                chef,
                                choice(ESCALATION_REASONS),
                                et,
                                choice(ANSWERS),
                                choice(comite),
                                at,
                            )
                        )
                    else:
                        esc_rows.append((oid, chef, choice(ESCALATION_REASONS), et, "", None, None))
            self.writer.write(Observation, obs_columns, obs_rows)
            self.writer.write(StatusChange, sc_columns, sc_rows)
            self.writer.write(Comment, com_columns, com_rows)
            self.writer.write(Escalation, esc_columns, esc_rows)
            if total >= 10 * CHUNK:
                self.log(f"  observations: {min(total, chunk_start + CHUNK):,} / {total:,}")

        # Orientations of inhabitants at the MSP reception: a quarter as many as observations.
        needs = list(
            NeedType.objects.filter(is_active=True)
            .order_by("pk")
            .values_list("pk", "default_service_id")
        )
        if needs:
            days = (self.end.date() - self.start.date()).days
            start_day = self.start.date()

            def orientation_rows() -> Iterator[tuple]:
                for _ in range(total // 4):
                    qid = sequence[randrange(total)] if total else city.quartier_ids[0]
                    need, service = choice(needs)
                    day = start_day + datetime.timedelta(days=randrange(days + 1))
                    at = datetime.datetime.combine(
                        day, datetime.time(9 + randrange(8)), tzinfo=self.tz
                    )
                    team = members.get(qid) or [chefs[qid]]
                    yield (qid, need, service or choice(service_values), day, choice(team), at)

            self.writer.write(
                Orientation,
                [
                    "quartier_id",
                    "need_id",
                    "service_id",
                    "oriented_on",
                    "logged_by_id",
                    "created_at",
                ],
                orientation_rows(),
            )

    # Stages: meetings and diagnostics (when those apps have models) ---------------------------

    def observation_samples(self, city: City) -> dict[int, tuple[list, list[int]]]:
        """Per quartier, a sample of observations ordered by date: (dates, ids), to cite."""
        from observations.models import Observation

        total = Observation.objects.filter(quartier_id__in=city.quartier_ids).count()
        step = max(1, total // 200_000)
        samples: dict[int, tuple[list, list[int]]] = {}
        rows = (
            Observation.objects.filter(quartier_id__in=city.quartier_ids, confidentiality="equipe")
            .extra(where=[f"{Observation._meta.db_table}.id %% {step} = 0"])  # noqa: S610 - int
            .order_by("id")
            .values_list("quartier_id", "observed_at", "id")
        )
        for qid, observed, oid in rows.iterator(chunk_size=20_000):
            dates, ids = samples.setdefault(qid, ([], []))
            dates.append(observed)
            ids.append(oid)
        return samples

    def seed_meetings(self, city: City) -> None:
        from meetings.models import Action, AgendaItem, Invitation, Meeting, WorkingGroup

        rnd = self.stage_rng("meetings")
        randrange, choice, random_ = rnd.randrange, rnd.choice, rnd.random
        samples = self.observation_samples(city)
        now = self.end
        horizon = self.end + datetime.timedelta(days=120)
        service_values = list(city.service_ids.values())

        # Groupes de travail spanning two or three quartiers.
        n_groups = max(1, len(city.quartier_ids) // 30)
        wg_first = self.writer.allocate(WorkingGroup, n_groups)
        groups = []
        for g in range(n_groups):
            quartiers = rnd.sample(city.quartier_ids, min(len(city.quartier_ids), 2 + g % 2))
            people = {city.chefs[q] for q in quartiers}
            for q in quartiers:
                team = city.members.get(q, [])
                people.update(rnd.sample(team, min(len(team), 4)))
            groups.append((wg_first + g, quartiers, sorted(people)))
        themes = (
            "Accueil des familles non francophones",
            "Tranquillité des fins de semaine",
            "Accès au numérique",
            "Jeunesse et vacances",
            "Abords des écoles",
        )
        self.writer.write(
            WorkingGroup,
            ["id", "name", "description", "is_active"],
            (
                (
                    gid,
                    f"{themes[i % len(themes)]} — groupe {i + 1}",
                    "Groupe thématique inter-services.",
                    True,
                )
                for i, (gid, _q, _p) in enumerate(groups)
            ),
        )
        self.writer.write(
            WorkingGroup.quartiers.through,
            ["workinggroup_id", "quartier_id"],
            ((gid, q) for gid, qs, _p in groups for q in qs),
        )
        self.writer.write(
            WorkingGroup.members.through,
            ["workinggroup_id", "agent_id"],
            ((gid, a) for gid, _q, ps in groups for a in ps),
        )

        # The calendar of each quartier: (kind, month in the year, hour, minutes long).
        pattern = [
            ("petit_dejeuner", 1, (8, 30), 90), ("equipe", 2, (14, 0), 120), ("ett", 3, (10, 0), 120),
            ("equipe", 5, (14, 0), 120), ("petit_dejeuner", 6, (8, 30), 90), ("equipe", 8, (14, 0), 120),
            ("ett", 9, (10, 0), 120), ("equipe", 11, (14, 0), 120),
        ]  # fmt: skip
        # (quartier or None, group or None, kind, start, minutes)
        slots: list[tuple] = []
        for year in range(self.start.year, horizon.year + 1):
            for qid in city.quartier_ids:
                for kind, month, (hour, minute), minutes in pattern:
                    day = datetime.date(year, month, 1) + datetime.timedelta(days=randrange(2, 26))
                    start = datetime.datetime.combine(
                        day, datetime.time(hour, minute), tzinfo=self.tz
                    )
                    if self.start <= start <= horizon:
                        slots.append((qid, None, kind, start, minutes))
            for gid, _quartiers, _people in groups:
                for month in (3, 6, 10):
                    day = datetime.date(year, month, 1) + datetime.timedelta(days=randrange(2, 26))
                    start = datetime.datetime.combine(day, datetime.time(17, 0), tzinfo=self.tz)
                    if self.start <= start <= horizon:
                        slots.append((None, gid, "groupe", start, 90))
        slots.sort(key=lambda slot: slot[3])
        group_people = {gid: people for gid, _q, people in groups}
        group_quartier = {gid: quartiers[0] for gid, quartiers, _p in groups}

        item_titles = (
            "Point sur les observations du trimestre", "Préparation de la fête de quartier",
            "Tranquillité aux abords du collège", "Bilan des actions de propreté",
            "Accueil des nouveaux habitants", "Projet de jardin partagé",
            "Présentation d'un partenaire", "Retours des habitants à la MSP",
        )  # fmt: skip
        decisions = (
            "Organiser une réunion avec le bailleur.\nRelancer les services techniques.",
            "Monter un groupe de travail.",
            "Informer les habitants par affichage.",
        )
        meeting_first = self.writer.allocate(Meeting, len(slots))
        m_columns = [
            "id",
            "kind",
            "title",
            "quartier_id",
            "working_group_id",
            "organiser_id",
            "place",
            "start",
            "end",
            "status",
            "proposals_deadline",
            "minutes_summary",
            "created_at",
            "updated_at",
        ]
        inv_columns = [
            "meeting_id",
            "agent_id",
            "external_id",
            "response",
            "responded_at",
            "attended",
        ]
        item_columns = [
            "id",
            "meeting_id",
            "title",
            "description",
            "duration_minutes",
            "proposed_by_id",
            "status",
            "position",
            "is_action_review",
            "notes",
            "decisions",
            "created_at",
        ]
        action_columns = [
            "id",
            "meeting_id",
            "agenda_item_id",
            "quartier_id",
            "title",
            "description",
            "owner_id",
            "due_date",
            "status",
            "priority_id",
            "observation_id",
            "created_at",
            "updated_at",
            "done_at",
        ]
        today = self.end.date()
        for chunk_start in range(0, len(slots), 5000):
            chunk = slots[chunk_start : chunk_start + 5000]
            m_rows = []
            inv_rows: list[tuple] = []
            item_rows: list[tuple] = []
            cite_rows: list[tuple] = []
            action_rows: list[tuple] = []
            action_service_rows: list[tuple] = []
            n_items = sum(1 for _ in chunk) * 5
            item_id = self.writer.allocate(AgendaItem, n_items)
            action_id = self.writer.allocate(Action, len(chunk) * 3)
            for offset, (qid, gid, kind, start, minutes) in enumerate(chunk):
                mid = meeting_first + chunk_start + offset
                end = start + datetime.timedelta(minutes=minutes)
                home = qid or group_quartier[gid]
                chef = city.chefs[home]
                past = end <= now
                r = random_()
                status = "cancelled" if r < 0.03 else ("held" if past else "planned")
                created = start - datetime.timedelta(days=randrange(20, 60))
                m_rows.append((
                    mid, kind, "", qid, gid, chef, "Maison de services et de proximité", start, end, status,
                    start - datetime.timedelta(days=7), "Réunion tenue, échanges riches." if status == "held" else "",
                    created, min(now, end) if past else created,
                ))  # fmt: skip
                # Invitees.
                team = city.members.get(home, [])
                if kind == "equipe":
                    agents = [chef, *team]
                elif kind == "petit_dejeuner":
                    agents = [
                        chef,
                        *city.elus.get(home, []),
                        *([city.maire] if city.maire else []),
                        *team[:6],
                    ]
                elif kind == "ett":
                    agents = [chef, *team[:6]]
                else:
                    agents = list(group_people[gid])
                seen = set()
                for aid in agents:
                    if aid in seen:
                        continue
                    seen.add(aid)
                    r = random_()
                    if past or r < 0.4:
                        response = "yes" if r < 0.7 else ("no" if r < 0.9 else "pending")
                    else:
                        response = "pending"
                    responded = (
                        None
                        if response == "pending"
                        else start - datetime.timedelta(days=randrange(1, 10))
                    )
                    attended = (
                        (response == "yes" and random_() < 0.92) if status == "held" else None
                    )
                    inv_rows.append((mid, aid, None, response, responded, attended))
                if kind == "ett":
                    inv_rows.extend(
                        (
                            mid,
                            None,
                            eid,
                            "yes" if past else "pending",
                            None,
                            True if status == "held" else None,
                        )
                        for eid in city.externals.get(home, [])
                    )
                # Agenda: the action review, then a few points citing observations.
                item_rows.append(
                    (
                        item_id,
                        mid,
                        "Suivi des actions",
                        "",
                        15,
                        None,
                        "accepted",
                        0,
                        True,
                        "",
                        "",
                        created,
                    )
                )
                review_item = item_id
                item_id += 1
                dates, ids = samples.get(home, ([], []))
                upto = bisect.bisect_left(dates, start)
                recent = ids[max(0, upto - 40) : upto]
                held_items = []
                for position in range(1, 2 + randrange(3)):
                    proposed = "accepted" if past or random_() < 0.6 else "proposed"
                    notes = (
                        "Les échanges ont permis de partager le constat."
                        if status == "held"
                        else ""
                    )
                    decided = choice(decisions) if status == "held" and random_() < 0.6 else ""
                    item_rows.append((
                        item_id, mid, choice(item_titles), "Proposé par l'équipe.", choice((10, 15, 20, 30)),
                        choice(team) if team else chef, proposed, position, False, notes, decided, created,
                    ))  # fmt: skip
                    if recent:
                        cited = sorted(set(rnd.sample(recent, min(len(recent), 1 + randrange(2)))))
                        cite_rows.extend((item_id, oid) for oid in cited)
                    held_items.append(item_id)
                    item_id += 1
                if status == "held":
                    for _ in range(1 + randrange(2)):
                        due = start.date() + datetime.timedelta(days=randrange(20, 120))
                        age = (today - due).days
                        r = random_()
                        if age > 30:
                            a_status = (
                                "done" if r < 0.8 else ("dropped" if r < 0.9 else "in_progress")
                            )
                        elif age > 0:
                            a_status = "done" if r < 0.5 else ("in_progress" if r < 0.8 else "todo")
                        else:
                            a_status = "todo" if r < 0.6 else "in_progress"
                        done_at = (
                            datetime.datetime.combine(min(due, today - DAYS), datetime.time(12), tzinfo=self.tz)
                            if a_status == "done" else None
                        )  # fmt: skip
                        plist = city.priorities.get(home)
                        action_rows.append((
                            action_id, mid, choice(held_items) if held_items else review_item, qid or home,
                            choice(("Relancer le bailleur", "Organiser une réunion publique", "Poser des barrières", "Informer les familles", "Nettoyer le square")),
                            "", choice(team) if team and random_() < 0.5 else chef, due, a_status,
                            choice(plist) if plist and random_() < 0.5 else None,
                            choice(recent) if recent and random_() < 0.4 else None, end, end, done_at,
                        ))  # fmt: skip
                        action_service_rows.append((action_id, choice(service_values)))
                        action_id += 1
            self.writer.write(Meeting, m_columns, m_rows)
            self.writer.write(Invitation, inv_columns, inv_rows)
            self.writer.write(AgendaItem, item_columns, item_rows)
            self.writer.write(
                AgendaItem.observations.through, ["agendaitem_id", "observation_id"], cite_rows
            )
            self.writer.write(Action, action_columns, action_rows)
            self.writer.write(
                Action.services.through, ["action_id", "service_id"], action_service_rows
            )

    def seed_diagnostics(self, city: City) -> None:
        from diagnostics import services as diagnostic_services
        from diagnostics.models import Contribution, Diagnostic, Section
        from teams.models import Agent, Priority

        rnd = self.stage_rng("diagnostics")
        choice, random_ = rnd.choice, rnd.random
        years = list(range(self.start.year + 1, self.end.year + 1))
        # A handful through the app's own services (working copies with contributions, and one
        # published version with its frozen figures); the mass in bulk.
        handful = city.quartier_ids[: min(3, len(city.quartier_ids))]
        current = self.end.year
        for qid in handful:
            chef = Agent.objects.get(pk=city.chefs[qid])
            quartier = chef.memberships.get(quartier_id=qid, role="chef").quartier
            diagnostic = diagnostic_services.diagnostic_create(
                quartier=quartier, year=current, by=chef
            )
            for section in diagnostic.sections.order_by("position"):
                diagnostic_services.section_update(
                    section=section, body=self.section_text(rnd, section.title), by=chef
                )
            team = city.members.get(qid, [])
            diagnostic = diagnostic_services.diagnostic_transition(
                diagnostic=diagnostic, action="review", by=chef
            )
            if team:
                author = Agent.objects.get(pk=team[0])
                first_section = diagnostic.sections.order_by("position")[0]
                diagnostic_services.contribution_submit(
                    section=first_section,
                    author=author,
                    body="Les habitants signalent une amélioration depuis l'ouverture de la MSP.",
                )
        if len(handful) > 1 and len(years) > 1:
            qid = handful[-1]
            chef = Agent.objects.get(pk=city.chefs[qid])
            quartier = chef.memberships.get(quartier_id=qid, role="chef").quartier
            diagnostic = diagnostic_services.diagnostic_create(
                quartier=quartier, year=current - 1, by=chef
            )
            for section in diagnostic.sections.order_by("position"):
                diagnostic_services.section_update(
                    section=section, body=self.section_text(rnd, section.title), by=chef
                )
            for action in ("review", "validate", "publish"):
                diagnostic = diagnostic_services.diagnostic_transition(
                    diagnostic=diagnostic, action=action, by=chef
                )
        done = set(
            Diagnostic.objects.filter(quartier_id__in=city.quartier_ids).values_list(
                "quartier_id", "year"
            )
        )

        fixed = [(kind, position) for kind, position in diagnostic_services.FIXED_SECTIONS]
        titles = dict(Section.Kind.choices)
        priority_titles = dict(
            Priority.objects.filter(quartier_id__in=city.quartier_ids).values_list("pk", "title")
        )
        pairs = [
            (qid, year) for qid in city.quartier_ids for year in years if (qid, year) not in done
        ]
        d_first = self.writer.allocate(Diagnostic, len(pairs))
        d_rows: list[tuple] = []
        s_rows: list[tuple] = []
        c_rows: list[tuple] = []
        s_id = self.writer.allocate(Section, len(pairs) * (len(fixed) + 6))
        for index, (qid, year) in enumerate(pairs):
            did = d_first + index
            chef_id = city.chefs[qid]
            created = datetime.datetime(year, 1, 15, 9, tzinfo=self.tz)
            status = "draft" if year == current else ("validated" if random_() < 0.7 else "review")
            validated = (
                datetime.datetime(year + 1, 1, 20, 9, tzinfo=self.tz)
                if status == "validated"
                else None
            )
            d_rows.append(
                (
                    did,
                    qid,
                    year,
                    status,
                    chef_id,
                    created,
                    validated or created,
                    chef_id if validated else None,
                    validated,
                    0,
                )
            )
            sections: list[tuple[str, int | None, str, int]] = [
                (kind, None, str(titles[kind]), position) for kind, position in fixed
            ]
            sections += [
                ("constat", pid, priority_titles[pid], 100 + i)
                for i, pid in enumerate(city.priorities.get(qid, []))
            ]
            team = city.members.get(qid, [])
            for kind, pid, title, position in sections:
                s_rows.append(
                    (
                        s_id,
                        did,
                        kind,
                        pid,
                        title,
                        position,
                        self.section_text(rnd, title),
                        created,
                        chef_id,
                    )
                )
                if team and random_() < 0.3:
                    state = "submitted" if status == "draft" else "integrated"
                    c_rows.append(
                        (
                            did,
                            s_id,
                            choice(team),
                            "Proposition : mentionner le travail avec les associations.",
                            state,
                            created,
                            chef_id if state == "integrated" else None,
                            created if state == "integrated" else None,
                            "",
                        )
                    )
                s_id += 1
        self.writer.write(
            Diagnostic,
            [
                "id",
                "quartier_id",
                "year",
                "status",
                "created_by_id",
                "created_at",
                "status_changed_at",
                "validated_by_id",
                "validated_at",
                "published_version",
            ],
            d_rows,
        )
        self.writer.write(
            Section,
            [
                "id",
                "diagnostic_id",
                "kind",
                "priority_id",
                "title",
                "position",
                "body",
                "updated_at",
                "updated_by_id",
            ],
            s_rows,
        )
        self.writer.write(
            Contribution,
            [
                "diagnostic_id",
                "section_id",
                "author_id",
                "body",
                "status",
                "created_at",
                "decided_by_id",
                "decided_at",
                "decision_note",
            ],
            c_rows,
        )

    @staticmethod
    def section_text(rnd: random.Random, title: str) -> str:
        sentences = (
            "Le quartier conserve un tissu associatif dynamique, appuyé sur la maison de services.",
            "Les habitants expriment un besoin de tranquillité, surtout en fin de semaine.",
            "Les équipes notent une hausse des signalements liés à la propreté.",
            "La coopération entre services a progressé grâce aux réunions trimestrielles.",
            "Les familles non francophones restent difficiles à toucher.",
            "Les jeunes demandent un lieu d'accueil ouvert le soir.",
        )
        return (
            f"### {title}\n\n"
            + " ".join(rnd.sample(sentences, 3))
            + "\n\n- "
            + "\n- ".join(rnd.sample(sentences, 2))
        )

    # Running -----------------------------------------------------------------------------------

    def run(self, stages: Iterable[str] = STAGES, *, defer_indexes: bool | None = None) -> dict:
        stages = [s for s in STAGES if s in set(stages)]
        self.sizes.check()
        if defer_indexes is None:
            defer_indexes = self.sizes.observations >= 200_000
        started = time.monotonic()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Check foreign keys at the end of each COPY, not at commit: the queue of deferred
                # checks of millions of rows would not fit in memory (and blocks CREATE INDEX).
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            if "teams" in stages:
                self._timed("teams", self.seed_teams)
            city = self.load_city() if set(stages) - {"teams"} else None
            if "observations" in stages:
                tables = [
                    apps.get_model("observations", name)._meta.db_table
                    for name in (
                        "Observation",
                        "StatusChange",
                        "Comment",
                        "Escalation",
                        "Orientation",
                    )
                ]
                if defer_indexes:
                    self._skip_foreign_key_triggers()
                assert city is not None  # (loaded for every stage after teams)
                with DeferredIndexes(tables, defer_indexes):
                    self._timed("observations", functools.partial(self.seed_observations, city))
                    index_started = time.monotonic()
                self.timings["observations indexes"] = time.monotonic() - index_started
            for stage in ("meetings", "diagnostics"):
                if stage in stages and apps.is_installed(stage):
                    try:
                        apps.get_model(stage, "Meeting" if stage == "meetings" else "Diagnostic")
                    except LookupError:
                        self.log(f"  {stage}: no models yet, skipped")
                        continue
                    self._timed(stage, functools.partial(getattr(self, f"seed_{stage}"), city))
            self.writer.reset_sequences()
        if connection.vendor == "postgresql" and defer_indexes:
            analyze_started = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
            self.timings["vacuum analyze"] = time.monotonic() - analyze_started
        elif connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.timings["total"] = time.monotonic() - started
        return {"rows": dict(self.writer.counts), "seconds": self.timings}

    def _skip_foreign_key_triggers(self) -> None:
        """For a large load on PostgreSQL, as `pg_restore --disable-triggers` does: the rows are
        consistent by construction, and checking millions of foreign keys one row at a time is
        most of the load's time. Needs a superuser; otherwise the checks simply stay on."""
        if connection.vendor != "postgresql":
            return
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            self.log("  (not a superuser: foreign keys are checked row by row)")

    def _timed(self, name: str, func: Callable[[], None]) -> None:
        started = time.monotonic()
        self.log(f"{name}…")
        func()
        self.timings[name] = time.monotonic() - started
        self.log(f"{name}: {self.timings[name]:.1f} s")
