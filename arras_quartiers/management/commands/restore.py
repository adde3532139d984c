"""`manage.py restore ARCHIVE`: replace the database and the media with a backup's content."""

from pathlib import Path

from django.conf import settings
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
            "--safety-dir",
            default=str(Path(settings.VAR_DIR) / "sauvegardes"),
            help="Dossier où sauvegarder l'état actuel avant de le remplacer (par défaut : "
            "var/sauvegardes).",
        )
        parser.add_argument(
            "--no-safety-backup",
            action="store_true",
            help="Ne pas sauvegarder l'état actuel avant de le remplacer : ce qui a été ajouté "
            "depuis l'archive sera perdu.",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Ne pas demander de confirmation.",
        )

    def handle(self, *args, archive, interactive, safety_dir, no_safety_backup, **options):
        if interactive:
            kept = (
                "ils ne seront PAS sauvegardés avant"
                if no_safety_backup
                else f"ils seront d'abord sauvegardés dans {safety_dir}"
            )
            answer = input(
                f"La base de données et les médias actuels seront remplacés ({kept}). "
                "Taper « oui » : "
            )
            if answer.strip().lower() != "oui":
                raise CommandError("Restauration annulée.")
        try:
            manifest, safety = restore(
                Path(archive), safety_dir=None if no_safety_backup else Path(safety_dir)
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if safety is not None:
            self.stdout.write(f"État remplacé sauvegardé dans : {safety}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restauration terminée : sauvegarde du {manifest['created_at']} "
                f"({len(manifest['files'])} fichiers vérifiés)."
            )
        )
