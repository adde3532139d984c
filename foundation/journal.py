"""A way for apps to write to the security journal, which lives in the project shell.

The apps sit below the shell and may not import it: the shell plugs its recorder in at start-up
(`set_recorder`), and `record` is a no-op until then (a management command without the shell's
app, a unit test of an app alone).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_recorder: Callable[..., None] | None = None


def set_recorder(recorder: Callable[..., None] | None) -> None:
    global _recorder  # noqa: PLW0603 - one process-wide hook, set once at start-up
    _recorder = recorder


def record(event: str, **fields: Any) -> None:
    """`arras_quartiers.audit.record(event, **fields)` once the shell has started."""
    if _recorder is not None:
        _recorder(event, **fields)
