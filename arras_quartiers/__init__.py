"""The project shell: what assembles the apps into one site and runs it.

Settings (read from the environment through `foundation.env`), root URLs, the Celery app and its
beat schedule, the home, accessibility and health views, the security journal (`audit`) and
the security middleware (`security`), and the management commands (demo, backup and restore,
the benchmark's seeder).

May import: the foundation and every app. Nothing imports it: an app that needs something
from here needs it in the foundation instead (the import contracts in pyproject.toml).
"""

from arras_quartiers.celery import app as celery_app

__all__ = ["celery_app"]
