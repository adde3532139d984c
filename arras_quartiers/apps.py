from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArrasQuartiersConfig(AppConfig):
    name = "arras_quartiers"
    verbose_name = _("Socle")

    def ready(self) -> None:
        # The security journal's receivers, in every process (web, worker, commands), once every
        # app is loaded; the middleware's login-time receiver comes with the module.
        from arras_quartiers import audit, security  # noqa: F401

        audit.connect()
        # The apps below the shell write to the journal through the foundation's hook.
        from foundation import journal

        journal.set_recorder(audit.record)
        # Every app's tasks, registered now in every process: the web one too, where no worker
        # start triggers Celery's lazy autodiscovery (eager mode runs them here).
        from arras_quartiers.celery import app

        app.autodiscover_tasks(force=True)
