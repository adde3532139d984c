"""seed_scale: the same seed gives the same city, a different seed another; it is fast."""

from __future__ import annotations

import datetime
import hashlib
import io
import sys
import time

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from bench.seeding import SCALE_SLUG_PREFIX, Seeder, Sizes
from observations.models import Observation
from teams.models import Membership, Quartier

TODAY = datetime.date(2026, 6, 15)
# Values written by the app's own services at the time they run, and salted password hashes.
UNSTABLE = {
    "password", "created_at", "updated_at", "status_changed_at", "published_at", "requested_at",
    "validated_at", "decided_at", "started_at", "finished_at", "checksum",
    "data_checksum", "indicators", "token", "expires_at",
}  # fmt: skip
# Other "…_at" fields may be stamped by the app's services with the current time.
STABLE_TIMES = {"observed_at", "changed_at"}
MODELS = [
    "teams.Quartier", "teams.Agent", "teams.Membership", "teams.Priority", "teams.Partner",
    "teams.ExternalParticipant", "observations.Observation", "observations.StatusChange",
    "observations.Comment", "observations.Escalation", "observations.Orientation",
    "meetings.WorkingGroup", "meetings.Meeting", "meetings.Invitation", "meetings.AgendaItem",
    "meetings.Action", "diagnostics.Diagnostic", "diagnostics.Section", "diagnostics.Contribution",
]  # fmt: skip


def sizes(seed: int = 1, observations: int = 600) -> Sizes:
    return Sizes(
        quartiers=4, agents=80, observations=observations, years=2, seed=seed, today=TODAY,
        big_quartier_observations=100,
    )  # fmt: skip


def fingerprint() -> dict[str, str]:
    """One digest per model, of every row's stable columns in primary key order."""
    digests = {}
    for label in MODELS:
        model = apps.get_model(label)
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if f.name not in UNSTABLE and (not f.name.endswith("_at") or f.name in STABLE_TIMES)
        ]
        digest = hashlib.sha256()
        for row in model.objects.order_by("pk").values_list(*fields):
            digest.update(repr(row).encode())
        digests[label] = f"{model.objects.count()}:{digest.hexdigest()[:16]}"
    return digests


def restart_sequences() -> None:
    """Rolling back does not rewind PostgreSQL sequences: rewind them, as in a fresh database."""
    if connection.vendor != "postgresql":
        return
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def seeded_fingerprint(city: Sizes) -> dict[str, str]:
    """Seed, take the fingerprint, and roll the city back so the next one starts from scratch."""
    restart_sequences()
    with transaction.atomic():
        Seeder(city, log=lambda message: None).run()
        digests = fingerprint()
        transaction.set_rollback(True)
    return digests


@pytest.mark.django_db
def test_same_seed_same_city_other_seed_other_city():
    first = seeded_fingerprint(sizes(seed=1))
    again = seeded_fingerprint(sizes(seed=1))
    other = seeded_fingerprint(sizes(seed=2))
    assert first == again
    assert first["observations.Observation"].startswith("600:")
    for label in (
        "teams.Agent",
        "observations.Observation",
        "meetings.Meeting",
        "diagnostics.Section",
    ):
        assert first[label] != other[label], label


@pytest.mark.django_db
def test_the_city_is_consistent():
    Seeder(sizes(), log=lambda message: None).run()
    quartiers = Quartier.objects.filter(slug__startswith=SCALE_SLUG_PREFIX)
    assert quartiers.count() == 4
    big = quartiers.order_by("pk").first()
    assert Observation.objects.filter(quartier=big).count() == 100
    for quartier in quartiers:
        chefs = Membership.objects.active(TODAY).filter(quartier=quartier, role="chef")
        assert chefs.count() == 1
    # Every observation started "nouvelle"; closed duplicates point at the same quartier.
    assert not Observation.objects.exclude(status_changes__from_status="").exists()
    for observation in Observation.objects.filter(duplicate_of__isnull=False).select_related(
        "duplicate_of"
    ):
        assert observation.duplicate_of.quartier_id == observation.quartier_id
        assert observation.closing_reason == "doublon"
    assert not Observation.objects.filter(
        observed_at__gte=datetime.datetime(2026, 6, 15, tzinfo=datetime.UTC)
    ).exists()
    # Meetings and diagnostics were added on top of the observations.
    assert apps.get_model("meetings", "Meeting").objects.filter(quartier=big).exists()
    assert apps.get_model("meetings", "AgendaItem").observations.through.objects.exists()
    assert apps.get_model("diagnostics", "DiagnosticVersion").objects.count() == 1


@pytest.mark.django_db
def test_a_second_seed_on_the_same_database_is_refused():
    Seeder(sizes(), log=lambda message: None).run(["teams"])
    with pytest.raises(ValueError, match="already holds a synthetic city"):
        Seeder(sizes(), log=lambda message: None).run(["teams"])


@pytest.mark.django_db
def test_later_stages_can_be_added_to_a_seeded_database():
    Seeder(sizes(), log=lambda message: None).run(["teams", "observations"])
    assert not apps.get_model("meetings", "Meeting").objects.exists()
    Seeder(sizes(), log=lambda message: None).run(["meetings"])
    assert apps.get_model("meetings", "Meeting").objects.exists()


@pytest.mark.django_db
def test_command_is_fast():
    """COPY on PostgreSQL: well over 100,000 observations a minute on an idle 2-core machine.

    The floor here is lower (the test machine is shared) but far above what saving rows one by one
    through the ORM reaches; other databases only need to finish in reasonable time.
    """
    count = 20_000 if connection.vendor == "postgresql" else 3_000
    out = io.StringIO()
    started = time.monotonic()
    call_command(
        "seed_scale", "--quartiers", "10", "--agents", "300", "--observations", str(count),
        "--years", "2", "--today", "2026-06-15", "--stages", "teams,observations", stdout=out,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert Observation.objects.count() == count
    assert "observations/min" in out.getvalue()
    if connection.vendor == "postgresql":
        assert count / elapsed * 60 > 30_000, out.getvalue()
    else:
        assert elapsed < 120, out.getvalue()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and the search trigger")
def test_a_bulk_load_fills_the_search_document():
    """The large load skips foreign-key triggers as a replica does (session_replication_role):
    the search document's trigger must still run, or no seeded observation could be found."""
    restart_sequences()
    seeder = Seeder(sizes(observations=300), log=lambda message: None)
    with transaction.atomic():
        seeder._skip_foreign_key_triggers()
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == "replica"
        seeder.run(stages=["teams", "observations"], defer_indexes=False)
        assert Observation.objects.count() == 300
        assert not Observation.objects.filter(search_document__isnull=True).exists()
        transaction.set_rollback(True)


def test_without_the_benchmark_the_command_says_so(monkeypatch):
    """The production image ships no `bench/`: the command fails with a plain French message."""
    monkeypatch.setitem(sys.modules, "bench.seeding", None)  # (as if it could not be imported)
    with pytest.raises(CommandError, match="banc d'essai .* n'est pas installé"):
        call_command("seed_scale", "--quartiers", "3", stdout=io.StringIO())
