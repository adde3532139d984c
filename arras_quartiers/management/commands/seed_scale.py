import datetime
import json
from importlib import import_module
from types import ModuleType

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import timezone

DUMMY_MAILER = "django.core.mail.backends.dummy.EmailBackend"
SEEDING_MODULE = "bench.seeding"


def seeding_module() -> ModuleType:
    """The seeder lives with the benchmark (`bench/`), which the production image does not ship."""
    try:
        return import_module(SEEDING_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name not in ("bench", SEEDING_MODULE):
            raise
        raise CommandError(
            "Le banc d'essai (dossier bench/) n'est pas installé ici : seed_scale ne sert qu'aux "
            "tests de charge, depuis une copie complète du dépôt."
        ) from exc


class Command(BaseCommand):
    help = (
        "Remplit la base d'une ville synthétique (quartiers, agents, observations, réunions, "
        "diagnostics), reproductible à partir d'une graine, pour les tests de charge."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quartiers", type=int, default=30)
        parser.add_argument("--agents", type=int, default=1000)
        parser.add_argument("--observations", type=int, default=20_000)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--big-quartier-observations",
            type=int,
            default=20_000,
            help="Observations of the first quartier (the diagnostic benchmark's).",
        )
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, default=None, help="YYYY-MM-DD"
        )
        parser.add_argument(
            "--stages",
            default="",
            help="Comma-separated, among teams, observations, meetings, diagnostics (default: all; "
            "later stages read earlier ones).",
        )
        parser.add_argument("--json", action="store_true", help="Print the counts as JSON.")

    def handle(self, *args, **options):
        seeding = seeding_module()
        sizes = seeding.Sizes(
            quartiers=options["quartiers"],
            agents=options["agents"],
            observations=options["observations"],
            years=options["years"],
            seed=options["seed"],
            today=options["today"] or timezone.localdate(),
            big_quartier_observations=options["big_quartier_observations"],
        )
        stages = [s.strip() for s in options["stages"].split(",") if s.strip()] or seeding.STAGES
        unknown = set(stages) - set(seeding.STAGES)
        if unknown:
            raise CommandError(f"Unknown stages: {', '.join(sorted(unknown))}")
        try:
            # Everyone here is fictitious: the few writes made through the app's services never
            # send their emails, whatever the configured mailer.
            with override_settings(MAILERS={"default": {"BACKEND": DUMMY_MAILER}}):
                report = seeding.Seeder(sizes, log=self.stdout.write).run(stages)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        seconds = report["seconds"]
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        for label, count in sorted(report["rows"].items()):
            self.stdout.write(f"  {label:<40} {count:>12,}")
        for label, value in seconds.items():
            self.stdout.write(f"  {label:<40} {value:>10.1f} s")
        rate = ""
        if "observations" in seconds and sizes.observations:
            per_minute = sizes.observations / seconds["observations"] * 60
            rate = f" ({per_minute:,.0f} observations/min, history and comments included)"
        self.stdout.write(self.style.SUCCESS(f"Done in {seconds['total']:.1f} s{rate}."))
