"""Stage "teams": quartiers, priorities, agents and their teams, partners and their people.

A chef de projet and an élu per quartier, the comité de direction, the maire, then members spread
over the quartiers (a few in two teams, a few who moved). `load_city` reads them back for the
later stages, so those can run on a database seeded earlier.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password

from bench.seeding.city import SCALE_DOMAIN, SCALE_SLUG_PREFIX, City
from bench.seeding.reference import seed_reference
from bench.seeding.text import CITIES, DISTRICTS, FIRST_NAMES, LAST_NAMES, PRIORITIES, ascii_slug
from teams.models import (
    Agent,
    ExternalParticipant,
    Membership,
    Partner,
    Priority,
    Quartier,
    Service,
)

if TYPE_CHECKING:
    from bench.seeding.seeder import Seeder

DAYS = datetime.timedelta(days=1)


def person(rnd: random.Random, index: int) -> tuple[str, str, str]:
    first = rnd.choice(FIRST_NAMES)
    last = rnd.choice(LAST_NAMES)
    email = f"{ascii_slug(first)}.{ascii_slug(last)}.{index}@{SCALE_DOMAIN}"
    return first, last, email


def seed_teams(seeder: Seeder) -> None:
    rnd = seeder.stage_rng("teams")
    sizes = seeder.sizes
    if Quartier.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).exists():
        raise ValueError("This database already holds a synthetic city: seed a fresh database.")

    services = seed_reference()
    service_ids = [service.pk for service in services.values()]

    # Quartiers: "<ville> — <secteur>", unique.
    combos = [f"{city} — {district}" for city in CITIES for district in DISTRICTS]
    rnd.shuffle(combos)
    names = [
        combos[i] if i < len(combos) else f"{combos[i % len(combos)]} {i // len(combos) + 1}"
        for i in range(sizes.quartiers)
    ]
    q_first = seeder.writer.allocate(Quartier, sizes.quartiers)
    quartier_ids = list(range(q_first, q_first + sizes.quartiers))
    seeder.writer.write(
        Quartier,
        ["id", "name", "slug", "description", "territories", "meeting_place"],
        (
            (
                qid,
                name,
                f"{SCALE_SLUG_PREFIX}{i + 1:05d}-{ascii_slug(name)}"[:120],
                f"Quartier {name.split(' — ')[1]} de {name.split(' — ')[0]}.",
                "Quartier prioritaire de la politique de la ville" if rnd.random() < 0.4 else "",
                "Maison de services et de proximité",
            )
            for i, (qid, name) in enumerate(zip(quartier_ids, names, strict=True))
        ),
    )
    p_rows = []
    p_first = seeder.writer.allocate(Priority, sizes.quartiers * 4)
    pid = p_first
    for qid in quartier_ids:
        for position, title in enumerate(rnd.sample(PRIORITIES, 4)):
            p_rows.append((pid, qid, title, "", position + 1, True))
            pid += 1
    seeder.writer.write(
        Priority, ["id", "quartier_id", "title", "description", "position", "is_active"], p_rows
    )

    # Agents: a chef de projet and an élu per quartier, the comité de direction, the maire,
    # then members spread over the quartiers (a few in two teams).
    password = make_password("quartiers-demo")
    a_first = seeder.writer.allocate(Agent, sizes.agents)
    agent_ids = list(range(a_first, a_first + sizes.agents))
    chefs = agent_ids[: sizes.quartiers]
    elus = agent_ids[sizes.quartiers : 2 * sizes.quartiers]
    comite = agent_ids[2 * sizes.quartiers : 2 * sizes.quartiers + sizes.comite]
    maire = agent_ids[2 * sizes.quartiers + sizes.comite]
    members = agent_ids[2 * sizes.quartiers + sizes.comite + 1 :]
    joined = datetime.datetime.combine(seeder.start.date(), datetime.time(9), tzinfo=seeder.tz)
    span_days = max(1, (sizes.today - seeder.start.date()).days)

    def agent_rows() -> Iterator[tuple]:
        for index, aid in enumerate(agent_ids):
            first, last, email = person(rnd, index)
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
            arrival = seeder.start.date() + datetime.timedelta(days=rnd.randrange(span_days))
            yield (
                aid, password, email, first, last, title, service, arrival,
                aid in comite_set, aid == maire, True, False, joined,
            )  # fmt: skip

    chef_set, elu_set, comite_set = set(chefs), set(elus), set(comite)
    seeder.writer.write(
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
    seeder.writer.write(Service.responsables.through, ["service_id", "agent_id"], responsables_rows)

    start_date = seeder.start.date()
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
        if rnd.random() < 0.03 and (since - start_date).days > 30:  # a past team: the agent moved
            other = rnd.choice(quartier_ids)
            if other != qid:
                m_rows.append((aid, other, "membre", start_date, since - DAYS))
    seeder.writer.write(
        Membership, ["agent_id", "quartier_id", "role", "start_date", "end_date"], m_rows
    )

    # Partners and their people (invited to the équipes techniques territoriales).
    kinds = [k for k, _ in Partner.Kind.choices]
    n_partners = max(1, sizes.quartiers // 2)
    part_first = seeder.writer.allocate(Partner, n_partners)
    seeder.writer.write(
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
    seeder.writer.write(
        Partner.quartiers.through,
        ["partner_id", "quartier_id"],
        ((part_first + (i // 2) % n_partners, qid) for i, qid in enumerate(quartier_ids)),
    )
    e_first = seeder.writer.allocate(ExternalParticipant, sizes.quartiers)
    e_rows = []
    for i in range(sizes.quartiers):
        first, last, _email = person(rnd, i)
        e_rows.append((
            e_first + i, first, last, f"{ascii_slug(first)}.{ascii_slug(last)}.{i}@partenaire.example",
            part_first + (i // 2) % n_partners, "Référent(e) du quartier", i % 5 == 0,
        ))  # fmt: skip
    seeder.writer.write(
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
    seeder.writer.write(
        ExternalParticipant.quartiers.through,
        ["externalparticipant_id", "quartier_id"],
        ((e_first + i, qid) for i, qid in enumerate(quartier_ids)),
    )


def load_city(seeder: Seeder) -> City:
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
        Membership.objects.active(seeder.sizes.today)
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
        Priority.objects.filter(quartier_id__in=ids).order_by("pk").values_list("pk", "quartier_id")
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
