"""`manage.py restore ARCHIVE`: replace the database and the media with a backup's content."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from arras_quartiers.management.commands.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restaure une archive de `manage.py backup` : la base de données et les médias actuels "
        "sont remplacés. L'archive est vérifiée (empreintes) avant toute modification."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Chemin de l'archive .tar")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Ne pas demander de confirmation.",
        )

    def handle(self, *args, archive, interactive, **options):
        if interactive:
            answer = input(
                "La base de données et les médias actuels seront remplacés. Taper « oui » : "
            )
            if answer.strip().lower() != "oui":
                raise CommandError("Restauration annulée.")
        try:
            manifest = restore(Path(archive))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restauration terminée : sauvegarde du {manifest['created_at']} "
                f"({len(manifest['files'])} fichiers vérifiés)."
            )
        )
