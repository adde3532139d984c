"""What holds for every task: registered at start-up in every configuration, and asked for only
through the outbox (by name: no service imports its tasks, which `lint-imports` checks as part of
"no import cycle inside a package").

None of these tests imports a `tasks` module: the registration one reads what a plain
`django.setup()` registered in a fresh process configured as `make run` (no broker).
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "foundation",
    "arras_quartiers",
    "teams",
    "observations",
    "bookings",
    "meetings",
    "diagnostics",
]
RELAY = ROOT / "foundation" / "outbox.py"

MAKE_RUN_SETUP = """
import json, django
django.setup()
from celery import current_app
from arras_quartiers.celery import ROUTES
from foundation.models import document_job_models
print(json.dumps({
    "registered": sorted(current_app.tasks),
    "beat": sorted(entry["task"] for entry in current_app.conf.beat_schedule.values()),
    "documents": sorted(
        name for model in document_job_models()
        for name in (model.task_name, model.mail_task_name) if name
    ),
    "routes": sorted(ROUTES),
    "eager": current_app.conf.task_always_eager,
}))
"""


def sources() -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def enqueued_task_names() -> set[str]:
    """Every task name written in the code as the first argument of `outbox.enqueue(...)`."""
    names = set()
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "enqueue"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "outbox"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names.add(node.args[0].value)
    return names


def test_every_task_is_registered_by_a_plain_django_setup_as_make_run_configures_it():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"TESTING", "REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL"}
    }
    result = subprocess.run(
        [sys.executable, "-c", MAKE_RUN_SETUP],
        env={**env, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "arras_quartiers.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["eager"] is True  # no broker: the `make run` configuration
    registered = set(seen["registered"])
    named = enqueued_task_names()
    assert {"observations.tasks.send_notifications", "meetings.tasks.send_cancellation"} <= named
    assert len(seen["documents"]) >= 4 and seen["beat"]
    # Every task routed to a queue (documents, mail, default) exists in this configuration too.
    missing = (
        set(seen["beat"]) | set(seen["documents"]) | set(seen["routes"]) | named
    ) - registered
    assert not missing, f"not registered after django.setup(): {sorted(missing)}"
    # Each app task has an explicit name: its module path, so a rename is a visible change.
    for name in registered - {n for n in registered if n.startswith("celery.")}:
        assert re.fullmatch(
            r"(arras_quartiers|foundation|observations|bookings|meetings|walks|documents|open311|diagnostics)"
            r"\.tasks\.\w+",
            name,
        ), name


def test_only_the_relay_sends_to_the_broker():
    calls = re.compile(r"\.delay\(|apply_async\(")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sources()
        if path != RELAY
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if calls.search(line)
    ]
    assert not offenders, offenders
    assert calls.search(RELAY.read_text())  # the one place
