"""Stage "observations": observations with their history of states, comments, escalations and
answers, then the orientations of inhabitants at the reception desks.

Written in chunks of `CHUNK` rows. The first quartier gets `Sizes.big_quartier_observations` (the
diagnostic benchmark's); a few quartiers see one kind of problem rise over the last 90 days.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import random
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from bench.seeding.city import City
from bench.seeding.text import (
    ANSWERS,
    COMMENTS,
    CONFIDENTIAL_CATEGORIES,
    DETAILS,
    ESCALATION_REASONS,
    NEAR,
    PHENOMENA,
    STREETS,
)
from observations.models import (
    Category,
    Comment,
    Escalation,
    NeedType,
    Observation,
    Orientation,
    StatusChange,
)

if TYPE_CHECKING:
    from bench.seeding.seeder import Seeder

CHUNK = 20_000


def quartier_counts(seeder: Seeder, city: City, total: int, rnd: random.Random) -> list[int]:
    """Observations per quartier: the first one gets `big_quartier_observations` (for the
    diagnostic benchmark), the others a long-tailed share of the rest."""
    n = len(city.quartier_ids)
    big = min(seeder.sizes.big_quartier_observations, total // 5 if n > 1 else total)
    rest = total - big
    weights = [1.0 / (1 + (i % 97) / 12) * rnd.uniform(0.6, 1.4) for i in range(n - 1)]
    scale = rest / sum(weights) if weights else 0
    counts = [int(w * scale) for w in weights]
    for i in range(rest - sum(counts)):
        counts[i % len(counts)] += 1
    return [big + (0 if n > 1 else rest)] + counts


def seed_observations(seeder: Seeder, city: City) -> None:
    rnd = seeder.stage_rng("observations")
    total = seeder.sizes.observations
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
    counts = quartier_counts(seeder, city, total, rnd)
    sequence = [
        qid for qid, count in zip(city.quartier_ids, counts, strict=True) for _ in range(count)
    ]
    rnd.shuffle(sequence)
    # A few quartiers see one kind of problem rise over the last 90 days (emerging phenomena).
    rising = {
        qid: rnd.randrange(len(categories)) for qid in city.quartier_ids if rnd.random() < 0.08
    }
    rising[city.big_quartier_id] = 0
    rise_start = seeder.end - datetime.timedelta(days=90)
    places = {
        qid: [f"{rnd.choice(STREETS)}, {rnd.choice(NEAR)}" for _ in range(12)]
        for qid in city.quartier_ids
    }
    centers = {qid: (rnd.uniform(43.3, 50.9), rnd.uniform(-1.5, 7.5)) for qid in city.quartier_ids}
    chefs, members, responsables, priorities = (
        city.chefs,
        city.members,
        city.responsables,
        city.priorities,
    )
    comite: Sequence[int | None] = city.comite or [None]
    span = (seeder.end - seeder.start).total_seconds()
    end = seeder.end
    last_in_quartier: dict[int, int] = {}
    obs_first = seeder.writer.allocate(Observation, total)
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
            observed = seeder.start + datetime.timedelta(seconds=span * (fraction**0.9))
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
                sc_rows.append((oid, chef, t, "nouvelle", "classee", closing_reason, None, comment))
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
        seeder.writer.write(Observation, obs_columns, obs_rows)
        seeder.writer.write(StatusChange, sc_columns, sc_rows)
        seeder.writer.write(Comment, com_columns, com_rows)
        seeder.writer.write(Escalation, esc_columns, esc_rows)
        if total >= 10 * CHUNK:
            seeder.log(f"  observations: {min(total, chunk_start + CHUNK):,} / {total:,}")

    # Orientations of inhabitants at the MSP reception: a quarter as many as observations.
    needs = list(
        NeedType.objects.filter(is_active=True)
        .order_by("pk")
        .values_list("pk", "default_service_id")
    )
    if needs:
        days = (seeder.end.date() - seeder.start.date()).days
        start_day = seeder.start.date()

        def orientation_rows() -> Iterator[tuple]:
            for _ in range(total // 4):
                qid = sequence[randrange(total)] if total else city.quartier_ids[0]
                need, service = choice(needs)
                day = start_day + datetime.timedelta(days=randrange(days + 1))
                at = datetime.datetime.combine(
                    day, datetime.time(9 + randrange(8)), tzinfo=seeder.tz
                )
                team = members.get(qid) or [chefs[qid]]
                yield (qid, need, service or choice(service_values), day, choice(team), at)

        seeder.writer.write(
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
