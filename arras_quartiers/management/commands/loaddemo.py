from importlib import import_module

from django.core.management.base import BaseCommand

from teams.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DOMAIN

# In the direction data flows: each app's demo reads what the ones before it created.
DEMO_MODULES = [
    "teams.demo",
    "observations.demo",
    "bookings.demo",
    "meetings.demo",
    "walks.demo",
    "documents.demo",
    "diagnostics.demo",
    "open311.demo",
]


class Command(BaseCommand):
    help = "Charge (ou met à jour) les données de démonstration d'Arras. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet-accounts", action="store_true", help="Ne pas afficher les comptes."
        )

    def handle(self, *args, quiet_accounts=False, **options):
        for name in DEMO_MODULES:
            try:
                module = import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            module.load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Données de démonstration d'Arras chargées."))
        if not quiet_accounts:
            self.stdout.write(f"\nComptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
            width = max(len(label) for label, _local in DEMO_ACCOUNTS)
            for label, local in DEMO_ACCOUNTS:
                self.stdout.write(f"  {label:<{width}} {local}@{DOMAIN}")
