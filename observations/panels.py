"""Panels shown on the tableau de bord and on a quartier's home page (bounded queries)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from observations import maps, permissions, selectors
from observations.models import Escalation, Observation
from teams.access import roles_of

RECENT = 5


def home_panel(request):
    user = request.user
    roles = roles_of(user)
    can_log = roles.admin or bool(roles.member_of)
    counts_only = bool(roles.elu_of or roles.maire) and not (roles.member_of or roles.admin)
    if not (can_log or roles.manages_services or roles.comite_direction or counts_only):
        return None
    context = {
        "can_log": can_log,
        "counts_only": counts_only,
        "recent": list(
            selectors.observations_for(user).filter(author=user).order_by("-id")[:RECENT]
        )
        if can_log
        else [],
        "triage_count": selectors.triage_count(user) if roles.chef_of else None,
        "queue_count": selectors.service_queue(user).count() if roles.manages_services else None,
        "escalation_count": Escalation.objects.filter(answered_at__isnull=True).count()
        if roles.comite_direction
        else None,
    }
    return "observations/panels/home.html", context


def quartier_panel(request, quartier):
    user = request.user
    roles = roles_of(user)
    if not (roles.reads_published(quartier.pk) or roles.admin):
        return None
    since = timezone.now() - datetime.timedelta(days=90)
    counts = Observation.objects.filter(quartier=quartier).aggregate(
        last_90=Count("id", filter=Q(observed_at__gte=since)),
        **{value: Count("id", filter=Q(status=value)) for value in Observation.Status.values},
    )  # one query: counts by status (confidential ones included, as numbers) and the last 90 days
    context = {
        "quartier": quartier,
        "counts": [(label, counts[value]) for value, label in Observation.Status.choices],
        "last_90": counts["last_90"],
        "recent": list(
            selectors.observations_for(user).filter(quartier=quartier).order_by("-id")[:RECENT]
        ),
        "can_log": roles.admin or quartier.pk in roles.member_of,
    }
    if permissions.sees_observation_lists(user):
        query = f"quartier={quartier.pk}"
        outlines = (
            [{"name": quartier.name, "outline": quartier.outline}] if quartier.outline else []
        )
        context["map_config"] = maps.map_config(query, outlines)
        context["map_url"] = reverse("observations:map") + f"?{query}"
    return "observations/panels/quartier.html", context
