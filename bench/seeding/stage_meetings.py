"""Stages "meetings" and "diagnostics": working groups, each quartier's calendar of meetings
(invitations, attendance, agenda items citing observations, actions), then the yearly diagnostics.

A handful of diagnostics go through the app's own services, up to one published version with its
frozen figures; the mass is written in bulk.
"""

from __future__ import annotations

import bisect
import datetime
import random
from typing import TYPE_CHECKING

from bench.seeding.city import City
from diagnostics import services as diagnostic_services
from diagnostics.models import Contribution, Diagnostic, Section
from meetings.models import Action, AgendaItem, Invitation, Meeting, WorkingGroup
from observations.models import Observation
from teams.models import Agent, Priority

if TYPE_CHECKING:
    from bench.seeding.seeder import Seeder

DAYS = datetime.timedelta(days=1)


def observation_samples(city: City) -> dict[int, tuple[list, list[int]]]:
    """Per quartier, a sample of observations ordered by date: (dates, ids), to cite."""

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


def seed_meetings(seeder: Seeder, city: City) -> None:
    rnd = seeder.stage_rng("meetings")
    randrange, choice, random_ = rnd.randrange, rnd.choice, rnd.random
    samples = observation_samples(city)
    now = seeder.end
    horizon = seeder.end + datetime.timedelta(days=120)
    service_values = list(city.service_ids.values())

    # Groupes de travail spanning two or three quartiers.
    n_groups = max(1, len(city.quartier_ids) // 30)
    wg_first = seeder.writer.allocate(WorkingGroup, n_groups)
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
    seeder.writer.write(
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
    seeder.writer.write(
        WorkingGroup.quartiers.through,
        ["workinggroup_id", "quartier_id"],
        ((gid, q) for gid, qs, _p in groups for q in qs),
    )
    seeder.writer.write(
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
    for year in range(seeder.start.year, horizon.year + 1):
        for qid in city.quartier_ids:
            for kind, month, (hour, minute), minutes in pattern:
                day = datetime.date(year, month, 1) + datetime.timedelta(days=randrange(2, 26))
                start = datetime.datetime.combine(
                    day, datetime.time(hour, minute), tzinfo=seeder.tz
                )
                if seeder.start <= start <= horizon:
                    slots.append((qid, None, kind, start, minutes))
        for gid, _quartiers, _people in groups:
            for month in (3, 6, 10):
                day = datetime.date(year, month, 1) + datetime.timedelta(days=randrange(2, 26))
                start = datetime.datetime.combine(day, datetime.time(17, 0), tzinfo=seeder.tz)
                if seeder.start <= start <= horizon:
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
    meeting_first = seeder.writer.allocate(Meeting, len(slots))
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
    today = seeder.end.date()
    for chunk_start in range(0, len(slots), 5000):
        chunk = slots[chunk_start : chunk_start + 5000]
        m_rows = []
        inv_rows: list[tuple] = []
        item_rows: list[tuple] = []
        cite_rows: list[tuple] = []
        action_rows: list[tuple] = []
        action_service_rows: list[tuple] = []
        n_items = sum(1 for _ in chunk) * 5
        item_id = seeder.writer.allocate(AgendaItem, n_items)
        action_id = seeder.writer.allocate(Action, len(chunk) * 3)
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
                attended = (response == "yes" and random_() < 0.92) if status == "held" else None
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
                    "Les échanges ont permis de partager le constat." if status == "held" else ""
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
                        a_status = "done" if r < 0.8 else ("dropped" if r < 0.9 else "in_progress")
                    elif age > 0:
                        a_status = "done" if r < 0.5 else ("in_progress" if r < 0.8 else "todo")
                    else:
                        a_status = "todo" if r < 0.6 else "in_progress"
                    done_at = (
                        datetime.datetime.combine(min(due, today - DAYS), datetime.time(12), tzinfo=seeder.tz)
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
        seeder.writer.write(Meeting, m_columns, m_rows)
        seeder.writer.write(Invitation, inv_columns, inv_rows)
        seeder.writer.write(AgendaItem, item_columns, item_rows)
        seeder.writer.write(
            AgendaItem.observations.through, ["agendaitem_id", "observation_id"], cite_rows
        )
        seeder.writer.write(Action, action_columns, action_rows)
        seeder.writer.write(
            Action.services.through, ["action_id", "service_id"], action_service_rows
        )


def seed_diagnostics(seeder: Seeder, city: City) -> None:
    rnd = seeder.stage_rng("diagnostics")
    choice, random_ = rnd.choice, rnd.random
    years = list(range(seeder.start.year + 1, seeder.end.year + 1))
    # A handful through the app's own services (working copies with contributions, and one
    # published version with its frozen figures); the mass in bulk.
    handful = city.quartier_ids[: min(3, len(city.quartier_ids))]
    current = seeder.end.year
    for qid in handful:
        chef = Agent.objects.get(pk=city.chefs[qid])
        quartier = chef.memberships.get(quartier_id=qid, role="chef").quartier
        diagnostic = diagnostic_services.diagnostic_create(quartier=quartier, year=current, by=chef)
        for section in diagnostic.sections.order_by("position"):
            diagnostic_services.section_update(
                section=section, body=section_text(rnd, section.title), by=chef
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
                section=section, body=section_text(rnd, section.title), by=chef
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
    pairs = [(qid, year) for qid in city.quartier_ids for year in years if (qid, year) not in done]
    d_first = seeder.writer.allocate(Diagnostic, len(pairs))
    d_rows: list[tuple] = []
    s_rows: list[tuple] = []
    c_rows: list[tuple] = []
    s_id = seeder.writer.allocate(Section, len(pairs) * (len(fixed) + 6))
    for index, (qid, year) in enumerate(pairs):
        did = d_first + index
        chef_id = city.chefs[qid]
        created = datetime.datetime(year, 1, 15, 9, tzinfo=seeder.tz)
        status = "draft" if year == current else ("validated" if random_() < 0.7 else "review")
        validated = (
            datetime.datetime(year + 1, 1, 20, 9, tzinfo=seeder.tz)
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
                    section_text(rnd, title),
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
    seeder.writer.write(
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
    seeder.writer.write(
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
    seeder.writer.write(
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
