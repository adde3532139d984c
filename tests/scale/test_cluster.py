"""The production shape, for real: PgBouncer in transaction mode, two gunicorn nodes behind
HAProxy (.ci/cluster.sh, deploy/pgbouncer.ini, deploy/haproxy.cfg), and a person using it.

The nodes run the production settings (DEBUG off, collected static files, DATABASE_POOLER=
pgbouncer) against this test run's database through PgBouncer, with their own Redis database for
the cache, and one media folder. Everything below goes through HAProxy's port with a plain HTTP
client, as a browser would: it signs in, reads, uploads, while a node is killed.

Skipped without pgbouncer and haproxy (Debian's packages) or PostgreSQL, except in CI's
PostgreSQL pass, where that is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest
import redis
import requests
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.urls import reverse
from django.utils.crypto import get_random_string

from observations.models import Category, Photo
from tests.observations.factories import jpeg_bytes, make_observation
from tests.teams.factories import join, make_agent

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "cluster.sh"
TOOLS = all(
    shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists() for tool in ("pgbouncer", "haproxy")
)
PASSWORD = "cluster-Password-2026"  # noqa: S105 - a test account's

pytestmark = [
    pytest.mark.cluster,
    # Fixed processes and ports for the whole module: one worker, one test after the other.
    pytest.mark.xdist_group("cluster"),
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="the cluster runs on PostgreSQL"),
]
cluster_db = pytest.mark.django_db(transaction=True)


def test_ci_runs_the_cluster():
    if os.environ.get("CI") and settings.IS_POSTGRES:
        assert TOOLS, "CI's PostgreSQL pass must have pgbouncer and haproxy (.ci/run installs them)"


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


class Cluster:
    def __init__(self, folder: Path, database: str, redis_url: str):
        bouncer, proxy, web1, web2 = _free_ports(4)
        self.folder = folder
        self.database = database
        self.bouncer_port = bouncer
        self.url = f"http://127.0.0.1:{proxy}"
        self.env = {
            **os.environ,
            "CLUSTER_DIR": str(folder),
            "CLUSTER_DB": database,
            "CLUSTER_DB_READY": "1",
            "CLUSTER_REDIS_URL": redis_url,
            "CLUSTER_PGBOUNCER_PORT": str(bouncer),
            "CLUSTER_HAPROXY_PORT": str(proxy),
            "CLUSTER_WEB_PORTS": f"{web1} {web2}",
        }

    def run(self, *command: str) -> None:
        subprocess.run([str(SCRIPT), *command], env=self.env, check=True, timeout=300)  # noqa: S603

    def kill_node(self, number: int) -> None:
        """SIGKILL to the node's whole process group: master and workers die at once."""
        pid = int((self.folder / f"web{number}.pid").read_text())
        os.killpg(pid, signal.SIGKILL)

    def pgbouncer(self, command: str) -> list[tuple]:
        conninfo = f"host=127.0.0.1 port={self.bouncer_port} dbname=pgbouncer user=postgres"
        with psycopg.connect(conninfo, autocommit=True, prepare_threshold=None) as conn:
            cursor = conn.execute(command)
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker):
    if not TOOLS:
        if os.environ.get("CI"):
            pytest.fail("pgbouncer and haproxy are missing")
        pytest.skip("pgbouncer and haproxy are not installed (apt-get install pgbouncer haproxy)")
    with django_db_blocker.unblock():
        from django.db import connection

        database = connection.settings_dict["NAME"]
    redis_url = os.environ.get("CLUSTER_REDIS_URL") or (
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/11"
    )
    # The nodes' cache, emptied: panels cached by an earlier run under the same ids must not show.
    redis.Redis.from_url(redis_url).flushdb()
    folder = Path(tempfile.mkdtemp(prefix="aq-cluster-"))
    started = Cluster(folder, database, redis_url)
    try:
        started.run("start")
        yield started
    finally:
        subprocess.run([str(SCRIPT), "stop"], env=started.env, timeout=120, check=False)  # noqa: S603
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def person(ouest):
    """An agent of Ouest whose password the nodes can check (the production hasher: the test
    settings hash with MD5, which the nodes do not accept)."""
    agent = agent_with_password(
        "cluster.agent@test.example", ouest, first_name="Capucine", last_name="Noeud"
    )
    Category.objects.get_or_create(slug="proprete", defaults={"name": "Propreté"})
    return agent


def agent_with_password(email: str, quartier, **names):
    agent = make_agent(email, **names)
    agent.password = PBKDF2PasswordHasher().encode(PASSWORD, get_random_string(12), iterations=2000)
    agent.save(update_fields=["password"])
    join(agent, quartier)
    return agent


def signed_in(cluster: Cluster, agent) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{cluster.url}/comptes/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = browser.post(
        f"{cluster.url}/comptes/login/",
        data={"csrfmiddlewaretoken": token, "login": agent.email, "password": PASSWORD},
        headers={"Referer": f"{cluster.url}/comptes/login/"},
        timeout=10,
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:500]
    return browser


def served_by(response: requests.Response) -> str:
    return response.headers.get("X-Served-By", "")


@cluster_db
def test_a_session_opened_on_one_node_is_honoured_by_the_other(cluster, person):
    browser = signed_in(cluster, person)

    nodes = Counter()
    for _ in range(8):
        answer = browser.get(f"{cluster.url}/", timeout=10)
        assert answer.status_code == 200
        assert "Capucine" in answer.text  # signed in, whichever node answered
        nodes[served_by(answer)] += 1

    assert set(nodes) == {"web1", "web2"}, nodes


@cluster_db
def test_pages_read_through_pgbouncer_in_transaction_mode(cluster, person, ouest):
    make_observation(ouest, person, title="Tags sur le mur du city-stade")
    browser = signed_in(cluster, person)
    before = {row["database"]: row for row in cluster.pgbouncer("SHOW STATS")}

    listing = browser.get(f"{cluster.url}{reverse('observations:index')}", timeout=10)
    export = browser.get(f"{cluster.url}{reverse('observations:export')}", timeout=10)

    assert listing.status_code == 200 and "Tags sur le mur du city-stade" in listing.text
    # The CSV export reads by keyset chunks: no server-side cursor, which would outlive its
    # transaction on a pooled connection.
    assert export.status_code == 200 and "Tags sur le mur du city-stade" in export.text
    pools = [row for row in cluster.pgbouncer("SHOW POOLS") if row["database"] == cluster.database]
    assert pools and all(row["pool_mode"] == "transaction" for row in pools)
    after = {row["database"]: row for row in cluster.pgbouncer("SHOW STATS")}
    assert (
        after[cluster.database]["total_xact_count"] > before[cluster.database]["total_xact_count"]
    )


@cluster_db
def test_a_photo_uploaded_through_one_node_is_served_by_the_other(cluster, person, ouest):
    observation = make_observation(ouest, person, title="Éclairage en panne")
    browser = signed_in(cluster, person)
    page = browser.get(f"{cluster.url}{observation.get_absolute_url()}", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    upload = browser.post(
        f"{cluster.url}{reverse('observations:photos', args=[observation.pk])}",
        data={"csrfmiddlewaretoken": token},
        files={"photos": ("lampadaire.jpg", jpeg_bytes(), "image/jpeg")},
        headers={"Referer": page.url},
        timeout=20,
        allow_redirects=False,
    )
    assert upload.status_code == 302, upload.text[:500]
    photo = Photo.objects.get(observation=observation)
    url = f"{cluster.url}{reverse('observations:photo', args=[observation.pk, photo.pk])}"

    other = {"web1": "web2", "web2": "web1"}[served_by(upload)]
    answers = [browser.get(url, timeout=10) for _ in range(4)]
    from_other = [answer for answer in answers if served_by(answer) == other]
    assert from_other
    assert all(
        a.status_code == 200 and a.headers["Content-Type"] == "image/jpeg" for a in from_other
    )
    assert len({answer.content for answer in answers}) == 1  # the same file from both nodes


@cluster_db
def test_a_node_killed_during_a_load_costs_no_request(cluster, person, ouest):
    """4 people read for 8 s; node 1 dies with SIGKILL after 2 s (master and workers). HAProxy's
    retries send the requests it had to node 2, its health checks take it out: no request fails.
    The load is reads (GET) only: HAProxy replays those, never a form, which could be saved
    twice. Then the node comes back and gets requests again."""
    make_observation(ouest, person, title="Dépôt sauvage rue Baudimont")
    pages = [reverse("home"), reverse("observations:index"), reverse("observations:map")]
    browsers = [signed_in(cluster, person) for _ in range(4)]
    outcomes: list[tuple[int | str, str]] = []
    lock = threading.Lock()
    stop = time.monotonic() + 8

    def read(browser: requests.Session) -> None:
        index = 0
        while time.monotonic() < stop:
            try:
                answer = browser.get(f"{cluster.url}{pages[index % len(pages)]}", timeout=30)
                outcome: tuple[int | str, str] = (answer.status_code, served_by(answer))
            except requests.RequestException as error:
                outcome = (type(error).__name__, "")
            with lock:
                outcomes.append(outcome)
            index += 1

    threads = [threading.Thread(target=read, args=(browser,)) for browser in browsers]
    for thread in threads:
        thread.start()
    time.sleep(2)
    cluster.kill_node(1)
    killed_at = len(outcomes)
    for thread in threads:
        thread.join()

    failed = [outcome for outcome in outcomes if outcome[0] != 200]
    assert failed == [], f"{len(failed)} of {len(outcomes)} requests failed: {failed[:5]}"
    assert killed_at > 10 and len(outcomes) - killed_at > 10  # load on both sides of the kill
    assert {node for _, node in outcomes[killed_at + 20 :]} == {"web2"}

    cluster.run("node", "1")
    deadline = time.monotonic() + 20
    back = set()
    while back != {"web1", "web2"}:
        assert time.monotonic() < deadline, "node 1 never served again"
        back.add(served_by(browsers[0].get(f"{cluster.url}/", timeout=10)))
        time.sleep(0.2)


@cluster_db
def test_failed_sign_ins_are_counted_across_both_nodes(cluster, ouest):
    """Five wrong passwords lock the account for that client (ACCOUNT_RATE_LIMITS, "5/5m/key"),
    wherever they landed: the nodes count in the same Redis, so spreading the attempts over two
    nodes does not double the allowance. (Its own account: the lock lasts 5 minutes.)"""
    target = agent_with_password("cluster.cible@test.example", ouest)
    browser = requests.Session()
    page = browser.get(f"{cluster.url}/comptes/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    def attempt(password: str) -> requests.Response:
        # No page in between: HAProxy's round robin alternates the posts between the nodes.
        return browser.post(
            f"{cluster.url}/comptes/login/",
            data={"csrfmiddlewaretoken": token, "login": target.email, "password": password},
            headers={"Referer": f"{cluster.url}/comptes/login/"},
            timeout=10,
            allow_redirects=False,
        )

    wrong = [attempt("mauvais mot de passe") for _ in range(5)]
    assert all(a.status_code == 200 and "Trop de tentatives" not in a.text for a in wrong)
    assert {served_by(a) for a in wrong} == {"web1", "web2"}
    refused = attempt(PASSWORD)  # the right one, too late
    assert refused.status_code == 200 and "Trop de tentatives" in refused.text
