"""Test-only hook for a real worker process, loaded with `--include tests.jobs.slow_renders`:
each PDF render first waits RENDER_DELAY seconds (read from the worker's environment), so that a
test can kill a worker mid-render or queue a burst of slow renders. It changes nothing of the
configuration under test (routes, acknowledgement, lease, visibility timeout).
"""

from __future__ import annotations

import os
import time

from weasyprint import HTML

_write_pdf = HTML.write_pdf


def _slow_write_pdf(self, *args, **kwargs):
    time.sleep(float(os.environ.get("RENDER_DELAY", "0")))
    return _write_pdf(self, *args, **kwargs)


HTML.write_pdf = _slow_write_pdf  # type: ignore[method-assign]
