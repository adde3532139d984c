"""The read replica, proven on a real streaming replica of the test PostgreSQL (.ci/replica.sh).

The replica replays the primary's whole cluster, the test databases included: the `replica`
alias, a mirror of the primary under tests, is pointed at the same test database on the replica's
port. Pausing the replica's replay makes it visibly stale, which tells where a page read from:
a row written on the primary since the pause shows only on pages that read the primary.

Run with `make test-replica`; CI runs them in its PostgreSQL pass. Without DATABASE_REPLICA_URL
they are skipped, except in CI's PostgreSQL pass, where that is a failure.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import dj_database_url
import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from foundation import replica as replica_routing
from observations.models import Category
from tests.observations.factories import make_observation
from tests.teams.factories import login

REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "replica.sh"

pytestmark = [
    pytest.mark.replica,
    # One test stops the replica: the others must not run meanwhile on another worker.
    pytest.mark.xdist_group("replica"),
    pytest.mark.skipif(
        not (REPLICA_URL and settings.IS_POSTGRES),
        reason="no streaming replica (DATABASE_REPLICA_URL, PostgreSQL): make test-replica",
    ),
]
# Rows must be committed on the primary to be replicated: real transactions, both aliases.
replica_db = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.mark.skipif(not settings.IS_POSTGRES, reason="a replica needs PostgreSQL")
def test_ci_runs_the_postgresql_pass_with_a_replica():
    if os.environ.get("CI"):
        assert REPLICA_URL, "CI's PostgreSQL pass must run with DATABASE_REPLICA_URL set"


def _replica_sql(sql: str, params: tuple = ()):
    with connections["replica"].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def caught_up(timeout: float = 15.0) -> None:
    """Wait until the replica has replayed everything the primary wrote so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        lsn = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while not _replica_sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,)):
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)


def _script(command: str) -> None:
    url = dj_database_url.parse(REPLICA_URL)
    env = {**os.environ, "REPLICA_PORT": str(url["PORT"] or 5433)}
    subprocess.run([str(SCRIPT), command], check=True, env=env, timeout=90)  # noqa: S603


@contextlib.contextmanager
def replica_queries() -> Iterator[list[str]]:
    """The SQL run on the replica meanwhile (without connecting to it, unlike
    CaptureQueriesContext: it may be stopped)."""
    seen: list[str] = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connections["replica"].execute_wrapper(record):
        yield seen


@pytest.fixture
def replica(settings):
    """The `replica` alias on the real replica, reading the same test database as the primary;
    its replay paused by `pause()` and always resumed afterwards."""
    _script("start")  # running and accepting reads (it waits if it is coming back)
    connection = connections["replica"]
    mirrored = connection.settings_dict
    url = dj_database_url.parse(REPLICA_URL)
    connection.close()
    connection.settings_dict = {
        **mirrored,
        "HOST": url["HOST"],
        "PORT": url["PORT"],
        "OPTIONS": {**mirrored.get("OPTIONS", {}), "connect_timeout": 2},
        "TEST": {**mirrored["TEST"], "MIRROR": None},
    }
    settings.DATABASE_REPLICA_MAX_LAG = 30
    replica_routing.forget_health()
    assert replica_routing.configured()
    caught_up()

    class Replica:
        port = url["PORT"]

        @staticmethod
        def pause():
            _replica_sql("SELECT pg_wal_replay_pause()::text")

        @staticmethod
        def resume():
            _replica_sql("SELECT pg_wal_replay_resume()::text")

    yield Replica
    try:
        Replica.resume()
    finally:
        connection.close()
        connection.settings_dict = mirrored
        replica_routing.forget_health()


@pytest.fixture
def agent_client(as_role, ouest):
    """Transactional tests start from an empty database: the seeded category is recreated."""
    Category.objects.get_or_create(slug="proprete", defaults={"name": "Propreté"})
    return as_role("agent")


def _list(client) -> str:
    response = client.get(reverse("observations:index"))
    assert response.status_code == 200
    return response.content.decode()


@replica_db
def test_a_selector_reads_the_replica(replica, agent_client, personas, ouest):
    make_observation(ouest, personas["agent"], title="Banc cassé square Ronville")
    caught_up()
    replica.pause()
    make_observation(ouest, personas["agent"], title="Tag rue Baudimont")

    with replica_queries() as on_replica:
        page = _list(agent_client)
    assert "Banc cassé square Ronville" in page
    assert "Tag rue Baudimont" not in page, "read from the paused replica: not replayed yet"
    assert any("observations_observation" in sql for sql in on_replica)
    assert connections["replica"].settings_dict["PORT"] == replica.port
    assert _replica_sql("SELECT pg_is_in_recovery()") is True

    # A page that is no selector reads the primary: the detail shows the newest row.
    newest = ouest.observations.get(title="Tag rue Baudimont")
    with replica_queries() as on_replica:
        detail = agent_client.get(reverse("observations:detail", args=[newest.pk]))
    assert detail.status_code == 200
    assert on_replica == []

    replica.resume()
    caught_up()
    assert "Tag rue Baudimont" in _list(agent_client)


@replica_db
def test_after_a_post_the_author_reads_the_primary(
    replica, agent_client, personas, ouest, settings
):
    settings.DATABASE_REPLICA_STICKY_SECONDS = 2
    replica.pause()
    response = agent_client.post(
        reverse("observations:create"),
        {
            "quartier": ouest.pk,
            "category": Category.objects.get(slug="proprete").pk,
            "title": "Lampadaire éteint rue Saint-Aubert",
            "place": "rue Saint-Aubert",
            "observed_at": "2026-01-05T10:00",
            "urgency": "normale",
            "confidentiality": "equipe",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert replica_routing.STICKY_COOKIE in response.cookies

    # The author sees their observation at once, from the primary...
    with replica_queries() as on_replica:
        assert "Lampadaire éteint rue Saint-Aubert" in _list(agent_client)
    assert on_replica == []
    # ...while a colleague who wrote nothing reads the (paused) replica.
    colleague = login(Client(), personas["chef"])
    assert "Lampadaire éteint rue Saint-Aubert" not in _list(colleague)

    # Once the window is over, the author reads the replica again.
    time.sleep(settings.DATABASE_REPLICA_STICKY_SECONDS + 1)
    assert "Lampadaire éteint rue Saint-Aubert" not in _list(agent_client)
    replica.resume()
    caught_up()
    assert "Lampadaire éteint rue Saint-Aubert" in _list(colleague)


@replica_db
def test_a_lagging_replica_is_left_for_the_primary(
    replica, agent_client, personas, ouest, settings, caplog
):
    settings.DATABASE_REPLICA_MAX_LAG = 1
    replica.pause()
    make_observation(ouest, personas["agent"], title="Encombrants rue Méaulens")
    time.sleep(2)  # the replica is now 2 s behind a primary that wrote since
    replica_routing.forget_health()
    with caplog.at_level(logging.WARNING, logger="foundation.replica"):
        with replica_queries() as on_replica:
            assert "Encombrants rue Méaulens" in _list(agent_client)
    assert "behind" in caplog.text
    assert all("pg_last_xact_replay_timestamp" in sql for sql in on_replica)


SELECTOR_PAGES = [
    ("home", []),
    ("teams:quartier_detail", ["ouest"]),
    ("teams:annuaire", []),
    ("observations:index", []),
    ("observations:map_points", []),
    ("observations:queue", []),
    ("observations:escalations", []),
    ("observations:emerging", []),
    ("observations:orientations", []),
    ("meetings:index", []),
    ("meetings:quartier_calendar", ["ouest"]),
    ("meetings:actions_board", ["ouest"]),
    ("diagnostics:index", []),
    ("bookings:index", []),
    ("walks:index", []),
]


@replica_db
def test_every_role_reads_the_same_from_the_replica_and_the_primary(
    replica, as_role, personas, ouest, monkeypatch
):
    """Access rules hold on the replica: each role gets the same answers, rows included."""
    Category.objects.get_or_create(slug="proprete", defaults={"name": "Propreté"})
    make_observation(ouest, personas["agent"], title="Rodéo de motos parking Ronville")
    caught_up()

    def answers(client) -> list[tuple[str, int, bool]]:
        seen = []
        for name, args in SELECTOR_PAGES:
            response = client.get(reverse(name, args=args))
            body = response.content.decode() if response.status_code == 200 else ""
            seen.append((name, response.status_code, "Rodéo de motos" in body))
        return seen

    seen_by = {}
    for role in personas:
        client = as_role(role)
        with replica_queries() as on_replica:
            seen_by[role] = answers(client)
        assert on_replica, f"{role}: nothing read from the replica"
        with monkeypatch.context() as patch:
            patch.setattr(replica_routing, "replica_usable", lambda: False)
            with replica_queries() as on_replica:
                assert answers(client) == seen_by[role], role
            assert on_replica == []
    # The rules do tell people apart (the comparison is not between two empty pages).
    assert ("observations:index", 200, True) in seen_by["agent"]
    assert ("observations:index", 200, False) in seen_by["outsider"]
    assert ("teams:quartier_detail", 404, False) in seen_by["outsider"]


@replica_db
def test_pages_answer_while_the_replica_is_stopped(replica, agent_client, personas, ouest, caplog):
    make_observation(ouest, personas["agent"], title="Banc cassé square Ronville")
    caught_up()
    pages = [
        reverse("home"),
        reverse("observations:index"),
        reverse("observations:map_points"),
        reverse("teams:quartier_detail", args=[ouest.slug]),
        reverse("meetings:index"),
        reverse("diagnostics:index"),
    ]
    for url in pages:  # the replica answers: its connection is open, its health remembered
        assert agent_client.get(url).status_code == 200
    _script("stop")
    try:
        with caplog.at_level(logging.WARNING, logger="foundation.replica"):
            for url in pages:
                response = agent_client.get(url)
                assert response.status_code == 200, url
        assert "Banc cassé square Ronville" in _list(agent_client)
        assert "failed during a read" in caplog.text  # the open connection broke mid-read
        # Until the next check, nothing tries the stopped replica again.
        with replica_queries() as on_replica:
            _list(agent_client)
        assert on_replica == []
        # The next check finds it unreachable: still the primary, with a log line.
        replica_routing.forget_health()
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="foundation.replica"):
            assert "Banc cassé square Ronville" in _list(agent_client)
        assert "unreachable" in caplog.text
    finally:
        _script("start")
    replica_routing.forget_health()
    caught_up()
    with replica_queries() as on_replica:
        _list(agent_client)
    assert any("observations_observation" in sql for sql in on_replica)
