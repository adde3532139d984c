"""`manage.py backup`: the database and the private media, as one tar archive.

The archive holds `manifest.json` (date in UTC, engine, SHA-256 of every file), the database
(`database.dump`: pg_dump custom format for PostgreSQL; `database.sqlite3`: a consistent copy
made with SQLite's backup API) and `media/` (the uploaded and generated files). A restore
checks every checksum before touching anything, then replaces the database and the media.

`manage.py restore ARCHIVE` (restore.py) uses `restore()` below; `make backup` / `make restore`
call both.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _database() -> Mapping[str, Any]:
    return settings.DATABASES["default"]


def _media_on_disk() -> bool:
    return settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")


def _is_postgres() -> bool:
    return _database()["ENGINE"].endswith("postgresql")


def _pg_args_env() -> tuple[list[str], dict[str, str]]:
    db = _database()
    args = ["--dbname", str(db["NAME"])]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} a échoué : {result.stderr.strip()[:2000]}")


def _dump_database(target_dir: Path) -> Path:
    if _is_postgres():
        target = target_dir / "database.dump"
        args, env = _pg_args_env()
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(target),
                *args,
            ],
            env,
        )
        return target
    target = target_dir / "database.sqlite3"
    source = sqlite3.connect(str(_database()["NAME"]))
    try:
        copy = sqlite3.connect(str(target))
        with copy:
            source.backup(copy)
        copy.close()
    finally:
        source.close()
    return target


def backup(output_dir: Path, *, database_only: bool = False, prefix: str = "sauvegarde") -> Path:
    """Write a new archive into `output_dir` and return its path."""
    if not database_only and not _media_on_disk():
        raise BackupError(
            "Les fichiers sont dans un stockage objet (S3) : sauvegardez le compartiment avec "
            "les outils du fournisseur (versionnement, réplication) ; seule la base est sauvegardée "
            "ici avec --database-only."
        )
    output_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(tz=datetime.UTC)
    archive = output_dir / f"{prefix}-{now:%Y%m%d-%H%M%S}.tar"
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="aq-backup-") as tmp:
        work = Path(tmp)
        database = _dump_database(work)
        files = {database.name: _sha256(database)}
        with_media = not database_only and media_root.exists()
        media_files = sorted(p for p in media_root.rglob("*") if p.is_file()) if with_media else []
        for path in media_files:
            files[f"media/{path.relative_to(media_root).as_posix()}"] = _sha256(path)
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "engine": "postgresql" if _is_postgres() else "sqlite",
            "media": not database_only,
            "files": files,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        partial = archive.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(work / MANIFEST, arcname=MANIFEST)
            tar.add(database, arcname=database.name)
            for path in media_files:
                tar.add(path, arcname=f"media/{path.relative_to(media_root).as_posix()}")
        partial.rename(archive)  # never a half-written archive under the final name
    return archive


def _extract_checked(archive: Path, work: Path) -> dict:
    try:
        with tarfile.open(archive, "r") as tar:
            tar.extractall(work, filter="data")  # refuses absolute paths, "..", devices, links out
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(
            f"Archive illisible (tronquée ou abîmée) : {archive.name}. Rien n'a été modifié."
        ) from exc
    manifest_path = work / MANIFEST
    if not manifest_path.exists():
        raise BackupError("Archive invalide : manifest.json absent.")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Format d'archive inconnu : {manifest.get('format')}.")
    engine = "postgresql" if _is_postgres() else "sqlite"
    if manifest["engine"] != engine:
        raise BackupError(
            f"Cette archive vient d'une base {manifest['engine']}, la base configurée est {engine}."
        )
    for name, checksum in manifest["files"].items():
        path = work / name
        if not path.is_file() or _sha256(path) != checksum:
            raise BackupError(f"Archive corrompue : {name} ne correspond pas à son empreinte.")
    return manifest


def _restore_database(work: Path) -> None:
    connections.close_all()
    if _is_postgres():
        args, env = _pg_args_env()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                *args,
                str(work / "database.dump"),
            ],
            env,
        )
        return
    source = sqlite3.connect(str(work / "database.sqlite3"))
    try:
        target = sqlite3.connect(str(_database()["NAME"]))
        with target:
            source.backup(target)
        target.close()
    finally:
        source.close()


def _restore_media(work: Path) -> None:
    media_root = Path(settings.MEDIA_ROOT)
    incoming = work / "media"
    incoming.mkdir(exist_ok=True)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staged = media_root.with_name(media_root.name + ".restauration")
    previous = media_root.with_name(media_root.name + ".avant-restauration")
    shutil.rmtree(staged, ignore_errors=True)
    shutil.copytree(incoming, staged)
    shutil.rmtree(previous, ignore_errors=True)
    if media_root.exists():
        media_root.rename(previous)
    staged.rename(media_root)
    shutil.rmtree(previous, ignore_errors=True)


def restore(archive: Path, *, safety_dir: Path | None) -> tuple[dict, Path | None]:
    """Check the archive, save the current state into `safety_dir` (what was added since the
    backup would otherwise be lost for good), then replace the database and the media with the
    archive's content. Returns the archive's manifest and the path of the safety backup."""
    if not archive.is_file():
        raise BackupError(f"Archive introuvable : {archive}")
    with tempfile.TemporaryDirectory(prefix="aq-restore-") as tmp:
        work = Path(tmp)
        manifest = _extract_checked(archive, work)
        with_media = manifest.get("media", True)
        safety = None
        if safety_dir is not None:
            safety = backup(safety_dir, database_only=not with_media, prefix="avant-restauration")
        _restore_database(work)
        if with_media:
            _restore_media(work)
    return manifest, safety


class Command(BaseCommand):
    help = "Sauvegarde la base de données et les fichiers (médias) dans une archive .tar."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=str(Path(settings.VAR_DIR) / "sauvegardes"),
            help="Dossier où écrire l'archive (par défaut : var/sauvegardes).",
        )

        parser.add_argument(
            "--database-only",
            action="store_true",
            help="Seulement la base (fichiers dans un stockage objet sauvegardé à part).",
        )

    def handle(self, *args, output_dir, database_only=False, **options):
        try:
            archive = backup(Path(output_dir), database_only=database_only)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(archive))
