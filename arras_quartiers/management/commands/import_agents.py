"""`manage.py import_agents FILE [--apply] [--full]`: the HR directory (SIRH) export.

A dry run by default: prints what would be created, updated (field by field) and deactivated.
`--apply` writes it in one transaction; `--full` treats the file as the whole directory (an
agent known from a previous import and absent from this one has left). See arras_quartiers.hr.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from arras_quartiers import audit, hr


class Command(BaseCommand):
    help = "Importe l'annuaire RH (CSV ou XLSX) : essai à blanc par défaut, --apply pour appliquer."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--apply", action="store_true", help="Appliquer les changements.")
        parser.add_argument(
            "--full",
            action="store_true",
            help="Export complet : les agents absents du fichier sont considérés comme partis.",
        )

    def handle(self, *args, file: Path, apply: bool, full: bool, **options):
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Fichier illisible : {exc}") from exc
        try:
            result = hr.plan(hr.parse(content, file.name), full=full)
            if apply:
                result = hr.apply(result)
        except hr.ImportRejected as exc:
            for line in exc.lines():
                self.stderr.write(line)
            raise CommandError("Fichier refusé : rien n'a été appliqué.") from exc
        for line in result.lines():
            self.stdout.write(line)
        if apply:
            audit.record(
                audit.HR_IMPORT,
                actor_label="manage.py import_agents",
                file=file.name,
                created=len(result.creations),
                updated=len(result.updates),
                deactivated=len(result.departures),
            )
            self.stdout.write(self.style.SUCCESS("Import appliqué."))
        else:
            self.stdout.write("Essai à blanc : rien n'a été modifié (--apply pour appliquer).")
