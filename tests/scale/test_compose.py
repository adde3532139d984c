"""docker-compose.yml, read against the settings, the Celery routes and deploy/.

No Docker engine runs where the tests run: what can drift silently is checked here instead. Every
service named is defined, every variable given to the app is one the code reads, every app
process reaches PostgreSQL through PgBouncer (migrations excepted) and both of PgBouncer's
databases point at a service, HAProxy's nodes are the compose web nodes, and every Celery queue
has its worker.
"""

from __future__ import annotations

import configparser
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from arras_quartiers.celery import ROUTES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict] = COMPOSE["services"]
APP = {name: service for name, service in SERVICES.items() if service.get("build") == "."}
DEFAULTS = re.compile(r"\$\{(\w+):-([^}]*)\}")


def expand(value: str) -> str:
    """`${VAR:-default}` as compose reads it with no .env."""
    return DEFAULTS.sub(lambda match: match.group(2), str(value))


def app_env(name: str) -> dict[str, str]:
    return {key: expand(value) for key, value in APP[name]["environment"].items()}


def pgbouncer_databases() -> dict[str, dict[str, str]]:
    ini = configparser.ConfigParser(inline_comment_prefixes=(";",), comment_prefixes=(";",))
    ini.read(ROOT / "deploy" / "pgbouncer.ini")
    return {
        name: dict(part.split("=", 1) for part in target.split())
        for name, target in ini["databases"].items()
    } | {"[pgbouncer]": dict(ini["pgbouncer"])}


def variables_read_by_the_code() -> set[str]:
    names = set()
    pattern = re.compile(r'(?:env_(?:str|int|bool|list|float)|os\.environ\.get|getenv)\(\s*"(\w+)"')
    for folder in ("arras_quartiers", "foundation", *sorted(p.name for p in ROOT.iterdir())):
        for path in (ROOT / folder).glob("*.py"):
            names.update(pattern.findall(path.read_text()))
    return names


def test_the_app_processes_are_the_web_nodes_the_workers_beat_and_migrate():
    assert set(APP) == {
        "migrate", "web1", "web2", "worker-documents", "worker-mail", "worker-default", "beat"
    }  # fmt: skip


def test_every_service_depended_on_and_every_volume_exists():
    declared_volumes = set(COMPOSE["volumes"])
    for name, service in SERVICES.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in SERVICES, f"{name} depends on unknown {dependency}"
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in declared_volumes, f"{name} uses undeclared volume {source}"


def test_every_variable_given_to_the_app_is_read_by_the_code():
    read = variables_read_by_the_code()
    given = {key for name in APP for key in app_env(name)}
    given |= {
        line.split("=", 1)[0].lstrip("# ")
        for line in (ROOT / ".env.example").read_text().splitlines()
        if re.match(r"^#? ?[A-Z][A-Z0-9_]+=", line)
    }
    assert given - read == set(), "variables no code reads (a typo?)"


def test_the_app_reaches_postgresql_through_pgbouncer_and_migrations_go_direct():
    databases = pgbouncer_databases()
    assert databases["[pgbouncer]"]["pool_mode"] == "transaction"
    password = expand(SERVICES["pgbouncer"]["environment"]["DB_PASSWORD"])
    for name in APP:
        env = app_env(name)
        url = urlsplit(env["DATABASE_URL"])
        assert (
            url.password
            == password
            == expand(SERVICES["postgres"]["environment"]["POSTGRES_PASSWORD"])
        )
        if name == "migrate":
            assert (url.hostname, url.port, env["DATABASE_POOLER"]) == ("postgres", 5432, "")
            assert env["DATABASE_REPLICA_URL"] == ""
            continue
        assert env["DATABASE_POOLER"] == "pgbouncer"
        for key, host in (
            ("DATABASE_URL", "postgres"),
            ("DATABASE_REPLICA_URL", "postgres-replica"),
        ):
            url = urlsplit(env[key])
            assert (url.hostname, url.port) == ("pgbouncer", 6432), f"{name} {key}"
            target = databases[url.path.lstrip("/")]
            assert target["host"] == host and target["dbname"] == "quartiers"
            assert host in SERVICES and target["port"] == "5432"


def test_the_replica_streams_from_the_primary_with_the_slot_the_primary_creates():
    replica = SERVICES["postgres-replica"]
    assert replica["environment"]["PRIMARY_HOST"] == "postgres"
    assert "postgres" in replica["depends_on"]
    for key in ("REPLICATION_USER", "REPLICATION_PASSWORD", "REPLICATION_SLOT"):
        assert replica["environment"][key] == SERVICES["postgres"]["environment"][key]
    for script in ("primary-init.sh", "replica-entrypoint.sh"):
        checked = subprocess.run(["bash", "-n", ROOT / "deploy" / "postgres" / script])
        assert checked.returncode == 0, script


def test_haproxy_balances_the_compose_web_nodes_and_is_the_only_published_port():
    environment = SERVICES["haproxy"]["environment"]
    config = (ROOT / "deploy" / "haproxy.cfg").read_text()
    nodes = re.findall(r'^\s*server (\w+) "\$\{(\w+)\}"', config, re.MULTILINE)
    assert len(nodes) >= 2
    for _server, variable in nodes:
        host, port = environment[variable].split(":")
        assert host in APP and port == "8000"
        assert f"0.0.0.0:{port}" in " ".join(APP[host]["command"])
        assert host in SERVICES["haproxy"]["depends_on"]
    assert environment["HAPROXY_BIND"].endswith(":8000")
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"haproxy"}
    targets = re.findall(r"^FROM \S+ AS (\w+)", (ROOT / "deploy" / "Dockerfile").read_text(), re.M)
    assert {SERVICES[s]["build"]["target"] for s in ("haproxy", "pgbouncer")} <= set(targets)


@pytest.mark.parametrize("queue", sorted(set(ROUTES.values()) | {"default"}))
def test_every_celery_queue_has_its_worker(queue):
    workers = [
        service["command"]
        for service in APP.values()
        if service["command"][:4] == ["celery", "-A", "arras_quartiers", "worker"]
    ]
    assert any(command[command.index("-Q") + 1].split(",").count(queue) for command in workers)


def test_exactly_one_beat():
    beats = [name for name, service in APP.items() if "beat" in service["command"]]
    assert beats == ["beat"]
