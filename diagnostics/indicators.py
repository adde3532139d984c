"""The computed sections of a diagnostic: the year's figures, aggregated in SQL.

`compute(quartier, year)` returns a plain, JSON-serializable dict: it is frozen into a
published version and into each generated document, so a PDF can always be explained by
the data it was made from. Every query here is an aggregate or a bounded list: the number
of queries and the memory used do not grow with the number of observations.

Conventions (written in the documents too):
- an observation belongs to the year of its `observed_at` date (local time);
- a meeting is "held" when its status is tenue or compte rendu publié and it started in the year;
  a meeting of a groupe de travail counts for every quartier of the group;
- the attendance rate is attended / invitations whose attendance was recorded, for held meetings;
- an action is "late" when it is still open (à faire, en cours) and its due date is past;
- the time to treatment is the average delay from an observation's creation to its first
  change to "traitée", grouped by the service it is assigned to;
- confidential observations appear only in counts, never by title.

Each section of figures says `"available": True`: the templates read it, and versions frozen
before observations and meetings existed say False (their documents print "not available").
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.models import Action, AgendaItem, Invitation, Meeting
from observations.models import Escalation, Observation, Orientation, StatusChange
from teams.models import Membership, Quartier

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: The annexes list at most this many rows, and say how many more there are.
ANNEX_OBSERVATIONS_LIMIT = 200
ANNEX_MEETINGS_LIMIT = 100
LIST_LIMIT = 15


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return datetime.datetime(year, 1, 1, tzinfo=tz), datetime.datetime(year + 1, 1, 1, tzinfo=tz)


def compute(quartier: Quartier, year: int, *, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    data: dict[str, Any] = {
        "quartier": {"id": quartier.pk, "name": quartier.name, "slug": quartier.slug},
        "year": year,
        "as_of": min(today, datetime.date(year, 12, 31)).isoformat(),
        "team": team_figures(quartier, year, today),
        "observations": observation_figures(quartier, year),
        "orientations": orientation_figures(quartier, year),
        "meetings": meeting_figures(quartier, year),
        "actions": action_figures(quartier, year, today),
        "walks": walk_figures(quartier, year),
    }
    data["is_empty"] = not (
        data["observations"].get("total")
        or data["orientations"].get("total")
        or data["meetings"].get("held")
        or data["actions"].get("decided")
    )
    return data


def key_figures(data: dict) -> list[tuple[str, StrOrPromise, int | float | None]]:
    """(key, label, value) of the indicators compared year to year on the quartier page."""
    return [
        ("members", _("Agents dans l'équipe"), data["team"].get("members")),
        ("observations", _("Observations"), data["observations"].get("total")),
        (
            "emerging",
            _("Phénomènes émergents signalés"),
            data["observations"].get("emerging_total"),
        ),
        (
            "escalations",
            _("Remontées au comité de direction"),
            data["observations"].get("escalations", {}).get("total"),
        ),
        ("meetings", _("Réunions tenues"), data["meetings"].get("held")),
        ("actions_done", _("Actions réalisées"), data["actions"].get("done")),
        ("orientations", _("Habitants orientés"), data["orientations"].get("total")),
    ]


# The team -------------------------------------------------------------------------------------


def team_figures(quartier: Quartier, year: int, today: datetime.date) -> dict:
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    on = min(today, end)
    team_roles = [Membership.Role.MEMBRE, Membership.Role.CHEF_DE_PROJET]
    memberships = Membership.objects.filter(quartier=quartier, role__in=team_roles)
    by_service = list(
        memberships.active(on)
        .values("agent__service__name")
        .annotate(agents=Count("agent", distinct=True))
        .order_by("-agents", "agent__service__name")
    )
    moves = memberships.aggregate(
        arrivals=Count("pk", filter=Q(start_date__gte=start, start_date__lte=end)),
        departures=Count("pk", filter=Q(end_date__gte=start, end_date__lte=end)),
    )
    return {
        "on": on.isoformat(),
        "members": memberships.active(on).values("agent").distinct().count(),
        "services": [
            {"name": row["agent__service__name"] or "Sans service", "agents": row["agents"]}
            for row in by_service
        ],
        "service_count": len([row for row in by_service if row["agent__service__name"]]),
        "arrivals": moves["arrivals"],
        "departures": moves["departures"],
    }


# Observations, escalations ----------------------------------------------------------------------


def observation_figures(quartier: Quartier, year: int) -> dict:
    start, end = year_bounds(year)
    previous_start, _previous_end = year_bounds(year - 1)
    of_quartier = Observation.objects.filter(quartier=quartier)
    of_year = of_quartier.filter(observed_at__gte=start, observed_at__lt=end)
    in_year = Q(observed_at__gte=start, observed_at__lt=end)
    in_previous = Q(observed_at__gte=previous_start, observed_at__lt=start)

    totals = of_quartier.filter(observed_at__gte=previous_start, observed_at__lt=end).aggregate(
        total=Count("pk", filter=in_year),
        previous_total=Count("pk", filter=in_previous),
        confidential=Count("pk", filter=in_year & Q(confidentiality="confidentiel")),
        emerging_total=Count("pk", filter=in_year & Q(is_emerging=True)),
        open=Count("pk", filter=in_year & Q(status__in=["nouvelle", "transmise", "en_cours"])),
        done=Count("pk", filter=in_year & Q(status="traitee")),
        closed=Count("pk", filter=in_year & Q(status="classee")),
    )
    by_category = [
        {
            "id": row["category_id"],
            "name": row["category__name"],
            "count": row["current"],
            "previous": row["previous"],
            "change": row["current"] - row["previous"],
        }
        for row in of_quartier.filter(observed_at__gte=previous_start, observed_at__lt=end)
        .values("category_id", "category__name")
        .annotate(current=Count("pk", filter=in_year), previous=Count("pk", filter=in_previous))
        .order_by("-current", "category__name")
    ]
    months = [0] * 12
    for row in (
        of_year.annotate(month=ExtractMonth("observed_at")).values("month").annotate(n=Count("pk"))
    ):
        months[row["month"] - 1] = row["n"]

    return {
        "available": True,
        **totals,
        "by_category": by_category,
        "by_month": months,
        "treatment": treatment_by_service(of_year),
        "emerging": emerging_phenomena(of_year),
        "escalations": escalation_figures(of_year),
        "annex": observation_annex(of_year),
    }


def treatment_by_service(of_year) -> list[dict]:
    first_done = (
        StatusChange.objects.filter(observation=OuterRef("pk"), to_status="traitee")
        .order_by()
        .values("observation")
        .annotate(first=Min("changed_at"))
        .values("first")
    )
    delay = ExpressionWrapper(F("treated_at") - F("created_at"), output_field=DurationField())
    rows = (
        of_year.annotate(treated_at=Subquery(first_done))
        .filter(treated_at__isnull=False)
        .values("service__name")
        .annotate(treated=Count("pk"), average=Avg(delay))
        .order_by("service__name")
    )
    return [
        {
            "service": row["service__name"] or "Sans service",
            "treated": row["treated"],
            "average_days": round(row["average"].total_seconds() / 86400, 1)
            if row["average"]
            else None,
        }
        for row in rows
    ]


def emerging_phenomena(of_year) -> list[dict]:
    """Emerging phenomena by category, each with a few non-confidential examples."""
    emerging = of_year.filter(is_emerging=True)
    groups = list(
        emerging.values("category_id", "category__name")
        .annotate(count=Count("pk"))
        .order_by("-count")[:LIST_LIMIT]
    )
    examples: dict[int, list[str]] = {}
    for category_id, title in (
        emerging.filter(
            confidentiality="equipe", category_id__in=[g["category_id"] for g in groups]
        )
        .order_by("-observed_at")
        .values_list("category_id", "title")[: LIST_LIMIT * 3]
    ):
        found = examples.setdefault(category_id, [])
        if len(found) < 3 and title not in found:
            found.append(title)
    return [
        {
            "category_id": g["category_id"],
            "category": g["category__name"],
            "count": g["count"],
            "examples": examples.get(g["category_id"], []),
        }
        for g in groups
    ]


def escalation_figures(of_year) -> dict:
    escalations = Escalation.objects.filter(observation__in=of_year.values("pk"))
    totals = escalations.aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        confidential=Count("pk", filter=Q(observation__confidentiality="confidentiel")),
    )
    items = [
        {
            "date": timezone.localdate(row["created_at"]).isoformat(),
            "observation_id": row["observation_id"],
            "title": row["observation__title"],
            "reason": row["reason"],
            "answer": row["answer"],
            "answered": row["answered_at"] is not None,
        }
        for row in escalations.filter(observation__confidentiality="equipe")
        .order_by("created_at", "pk")
        .values(
            "created_at", "observation_id", "observation__title", "reason", "answer", "answered_at"
        )[:LIST_LIMIT]
    ]
    return {
        **totals,
        "items": items,
        "more": max(0, totals["total"] - totals["confidential"] - len(items)),
    }


def observation_annex(of_year) -> dict:
    citable = of_year.filter(confidentiality="equipe")
    rows = [
        {
            "id": row["pk"],
            "date": timezone.localdate(row["observed_at"]).isoformat(),
            "title": row["title"],
            "category": row["category__name"],
            "place": row["place"],
            "status": row["status"],
        }
        for row in citable.order_by("observed_at", "pk").values(
            "pk", "observed_at", "title", "category__name", "place", "status"
        )[:ANNEX_OBSERVATIONS_LIMIT]
    ]
    count = citable.count() if len(rows) == ANNEX_OBSERVATIONS_LIMIT else len(rows)
    return {"rows": rows, "count": count, "more": count - len(rows)}


# Orientations ---------------------------------------------------------------------------------


def orientation_figures(quartier: Quartier, year: int) -> dict:
    orientations = Orientation.objects.filter(
        quartier=quartier,
        oriented_on__gte=datetime.date(year, 1, 1),
        oriented_on__lte=datetime.date(year, 12, 31),
    )
    by_need = list(
        orientations.values("need__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "need__name")
    )
    by_service = list(
        orientations.values("service__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "service__name")
    )
    return {
        "available": True,
        "total": sum(row["count"] for row in by_need),
        "by_need": [{"name": r["need__name"], "count": r["count"]} for r in by_need],
        "by_service": [{"name": r["service__name"], "count": r["count"]} for r in by_service],
    }


# Meetings and actions -------------------------------------------------------------------------


def _meetings_of(quartier: Quartier):
    ids = Meeting.objects.filter(
        Q(quartier=quartier) | Q(working_group__quartiers=quartier)
    ).values("pk")
    return Meeting.objects.filter(pk__in=ids)


def meeting_figures(quartier: Quartier, year: int) -> dict:
    start, end = year_bounds(year)
    held = _meetings_of(quartier).filter(
        start__gte=start, start__lt=end, status__in=["held", "minutes"]
    )
    kinds = dict(Meeting.Kind.choices)
    by_kind = [
        {
            "kind": row["kind"],
            "name": str(kinds.get(row["kind"], row["kind"])),
            "count": row["count"],
        }
        for row in held.values("kind").annotate(count=Count("pk")).order_by("kind")
    ]
    attendance = Invitation.objects.filter(
        meeting__in=held.values("pk"), attended__isnull=False
    ).aggregate(recorded=Count("pk"), attended=Count("pk", filter=Q(attended=True)))
    items = AgendaItem.objects.filter(meeting__in=held.values("pk"), status="accepted").count()
    annex = [
        {
            "id": row["pk"],
            "date": timezone.localdate(row["start"]).isoformat(),
            "kind": str(kinds.get(row["kind"], row["kind"])),
            "title": row["title"],
            "place": row["place"],
            "items": row["item_count"],
            "attended": row["attended_count"],
        }
        for row in held.annotate(
            item_count=Count("items", filter=Q(items__status="accepted"), distinct=True),
            attended_count=Count(
                "invitations", filter=Q(invitations__attended=True), distinct=True
            ),
        )
        .order_by("start", "pk")
        .values("pk", "start", "kind", "title", "place", "item_count", "attended_count")[
            :ANNEX_MEETINGS_LIMIT
        ]
    ]
    held_count = sum(row["count"] for row in by_kind)
    return {
        "available": True,
        "held": held_count,
        "by_kind": by_kind,
        "attendance_recorded": attendance["recorded"],
        "attended": attendance["attended"],
        "attendance_rate": (attendance["attended"] / attendance["recorded"])
        if attendance["recorded"]
        else None,
        "items_discussed": items,
        "annex": {"rows": annex, "count": held_count, "more": held_count - len(annex)},
    }


def walk_figures(quartier: Quartier, year: int) -> dict:
    """The year's diagnostics en marchant done in the quartier: their stops and what came out of
    them, as counts by category (confidential observations counted, never described)."""
    from walks.models import StopObservation, Walk

    start, end = year_bounds(year)
    walks = list(
        Walk.objects.filter(
            quartier=quartier, status=Walk.Status.DONE, start__gte=start, start__lt=end
        )
        .prefetch_related("stops")
        .order_by("start", "pk")
    )
    notes = (
        StopObservation.objects.filter(stop__walk__in=walks)
        .values("stop__walk_id", "stop_id", "observation__category__name")
        .annotate(count=Count("pk"), for_inhabitant=Count("pk", filter=Q(for_inhabitant=True)))
    )
    per_stop: dict[int, int] = {}
    per_walk: dict[int, dict[str, int]] = {}
    inhabitants: dict[int, int] = {}
    for row in notes:
        per_stop[row["stop_id"]] = per_stop.get(row["stop_id"], 0) + row["count"]
        categories = per_walk.setdefault(row["stop__walk_id"], {})
        name = row["observation__category__name"]
        categories[name] = categories.get(name, 0) + row["count"]
        walk_id = row["stop__walk_id"]
        inhabitants[walk_id] = inhabitants.get(walk_id, 0) + row["for_inhabitant"]
    rows = []
    for walk in walks:
        categories = per_walk.get(walk.pk, {})
        rows.append({
            "id": walk.pk,
            "date": timezone.localdate(walk.start).isoformat(),
            "title": walk.title,
            "stops": [
                {"name": stop.name, "theme": stop.theme, "count": per_stop.get(stop.pk, 0)}
                for stop in walk.stops.all()
            ],
            "by_category": [
                {"name": name, "count": count}
                for name, count in sorted(categories.items(), key=lambda item: (-item[1], item[0]))
            ],
            "total": sum(categories.values()),
            "for_inhabitant": inhabitants.get(walk.pk, 0),
        })  # fmt: skip
    return {"available": True, "count": len(rows), "walks": rows}


def action_figures(quartier: Quartier, year: int, today: datetime.date) -> dict:
    start, end = year_bounds(year)
    actions = Action.objects.filter(
        quartier=quartier, meeting__start__gte=start, meeting__start__lt=end
    )
    totals = actions.aggregate(
        decided=Count("pk"),
        done=Count("pk", filter=Q(status="done")),
        dropped=Count("pk", filter=Q(status="dropped")),
        open=Count("pk", filter=Q(status__in=["todo", "in_progress"])),
        late=Count("pk", filter=Q(status__in=["todo", "in_progress"], due_date__lt=today)),
    )
    return {"available": True, **totals}
