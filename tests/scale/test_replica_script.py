"""CI's replica script (.ci/replica.sh) survives what a machine's restart leaves behind.

Its copy lives in /tmp with the `postmaster.pid` of a server that no longer runs: the PID named
there is gone, or belongs to another program since. CI begins with `destroy` then `start`; a stale
file once failed the whole run in its first second.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "replica.sh"

pytestmark = pytest.mark.skipif(
    shutil.which("bash") is None or not Path("/proc/self/comm").exists(),
    reason="the script runs under bash on Linux",
)


def _replica_dir_with_pid(tmp_path: Path, pid: int) -> Path:
    data = tmp_path / "replica" / "data"
    data.mkdir(parents=True)
    (data / "postmaster.pid").write_text(f"{pid}\n{data}\n1700000000\n5433\n")
    return tmp_path / "replica"


def _script(command: str, replica_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "REPLICA_DIR": str(replica_dir), "PG_VERSION": "15"}
    return subprocess.run(
        ["bash", str(SCRIPT), command], env=env, capture_output=True, text=True, timeout=60
    )


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_destroy_removes_a_copy_whose_server_is_gone(tmp_path):
    replica_dir = _replica_dir_with_pid(tmp_path, _dead_pid())

    result = _script("destroy", replica_dir)

    assert result.returncode == 0, result.stdout + result.stderr
    assert not replica_dir.exists()


def test_stop_never_signals_another_program_that_took_the_pid(tmp_path):
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        replica_dir = _replica_dir_with_pid(tmp_path, bystander.pid)

        result = _script("stop", replica_dir)

        assert result.returncode == 0, result.stdout + result.stderr
        assert "Replica not running" in result.stdout
        assert bystander.poll() is None, "the program holding the stale PID was signalled"
        assert not (replica_dir / "data" / "postmaster.pid").exists()
    finally:
        bystander.kill()
        bystander.wait()
