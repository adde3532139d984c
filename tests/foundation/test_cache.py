"""Signing in while Redis is down or frozen: a real Redis server, started, killed and frozen by
the test. The login answers (degraded: rate limits are not counted meanwhile), never a 500, and
the health endpoint still says the cache is down."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
from django.core.cache import cache

from tests.teams.factories import PASSWORD
from tests.teams.test_foundation import run_settings

pytestmark = pytest.mark.skipif(
    not shutil.which("redis-server") and not os.environ.get("CI"),
    reason="needs redis-server (Debian's package) to stop and freeze a real Redis",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_server(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield process, port
    if process.poll() is None:
        process.send_signal(signal.SIGCONT)
        process.kill()
    process.wait()


@pytest.fixture
def redis_cache(settings, redis_server):
    """The cache exactly as the app configures it when REDIS_URL is set (read from a process
    started with that environment), pointed at the test's own Redis."""
    process, port = redis_server
    env = {"DEBUG": "1", "REDIS_URL": f"redis://127.0.0.1:{port}/0"}
    code = "import json; from django.conf import settings; print(json.dumps(settings.CACHES))"
    result = run_settings(env, code)
    assert result.returncode == 0, result.stderr
    settings.CACHES = json.loads(result.stdout.strip().splitlines()[-1])
    assert settings.CACHES["default"]["LOCATION"].endswith(f":{port}/0")
    return process


def sign_in(client, email, password=PASSWORD):
    """The login, under an alarm: a request that hangs fails the test instead of hanging it."""

    def hung(signum, frame):
        raise TimeoutError("the login never answered")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        return client.post("/comptes/login/", {"login": email, "password": password})
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_sign_in_works_with_redis_up_down_and_frozen(client, personas, redis_cache):
    email = personas["agent"].email
    cache.set("probe", "up")
    assert cache.get("probe") == "up"  # the test really talks to that Redis
    assert sign_in(client, email).status_code == 302
    client.logout()

    redis_cache.send_signal(signal.SIGSTOP)  # frozen: connections hang
    assert sign_in(client, email).status_code == 302
    client.logout()

    redis_cache.send_signal(signal.SIGCONT)
    redis_cache.kill()  # down: connections refused
    redis_cache.wait()
    wrong = sign_in(client, email, "mauvais mot de passe")
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    assert sign_in(client, email).status_code == 302
    assert client.session["_auth_user_id"] == str(personas["agent"].pk)
    client.raise_request_exception = False
    assert client.get("/sante/").status_code == 503  # the health check still says so
