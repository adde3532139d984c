"""Pages the feature tests do not pin, on a seeded city: their query count does not grow with data.

The home pages gather panels of every app; the deep and filtered list pages, the calendar feed and
the benchmark's reference view are measured by bench/run.py. Each is counted on a small city,
then on the same city with many more observations, meetings and diagnostics.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils import timezone

from arras_quartiers.urls import urlpatterns
from bench.seeding import SCALE_SLUG_PREFIX, Seeder, Sizes
from bench.views import minimal
from meetings.services import feed_token_renew
from observations.models import Category, Observation
from teams.models import Membership, Quartier

urlpatterns = [*urlpatterns, path("bench/minimal/", minimal)]


def city(observations: int) -> Sizes:
    return Sizes(
        quartiers=3, agents=60, observations=observations, years=2, seed=3,
        today=timezone.localdate(), big_quartier_observations=observations // 3,
    )  # fmt: skip


def counts_on(sizes: Sizes) -> dict[str, int]:
    with transaction.atomic():
        Seeder(sizes, log=lambda message: None).run()
        big = Quartier.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).order_by("pk").first()
        chef = Membership.objects.active().get(quartier=big, role="chef").agent
        agent = (
            Membership.objects.active()
            .filter(quartier=big, role="membre")
            .order_by("pk")
            .first()
            .agent
        )
        in_big = Observation.objects.filter(quartier=big, confidentiality="equipe").order_by("id")
        deep = in_big.values_list("id", flat=True)[30]
        category = Category.objects.get(slug="proprete")
        token = feed_token_renew(agent=chef).token
        pages = {
            "quartier home": (chef, f"/quartiers/{big.slug}/"),
            "dashboard": (chef, "/"),
            "observation list, deep page": (agent, f"/observations/?apres={deep}"),
            "observation list, filtered": (
                agent,
                f"/observations/?status=traitee&category={category.pk}",
            ),
            "calendar feed": (None, f"/reunions/agenda/{token}.ics"),
            "minimal view": (agent, "/bench/minimal/"),
        }
        counts = {}
        for name, (person, url) in pages.items():
            client = Client()
            if person is not None:
                client.force_login(person)
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            assert response.status_code == 200, (name, response.status_code)
            counts[name] = len(captured.captured_queries)
        transaction.set_rollback(True)
    return counts


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_query_counts_do_not_grow_with_the_city():
    small = counts_on(city(300))
    large = counts_on(city(1500))
    assert small == large
    # The reference view: session, user, roles and session renewal, then one query.
    assert small["minimal view"] <= 9
