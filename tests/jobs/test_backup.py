"""`make backup` / `make restore`: a restore gives back exactly what was saved.

Run as a person would, in subprocesses, against a scratch database (a SQLite file; and a
PostgreSQL database beside the test one when the suite runs on PostgreSQL) and a scratch
media folder: save, then change everything, restore, and compare with the original.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings

from tests.commands import manage

ROOT = Path(__file__).resolve().parents[2]

MAKE_DATA = """
from teams.models import Agent, Quartier
q = Quartier.objects.create(name="Nord", slug="nord", description="Quartier d'essai")
Agent.objects.create_user(email="sauvegarde@test.example", password="x" * 12, first_name="Élise")
"""
CHANGE_DATA = """
from teams.models import Agent, Quartier
Quartier.objects.create(name="Après", slug="apres")
Agent.objects.filter(email="sauvegarde@test.example").delete()
Quartier.objects.filter(slug="nord").update(description="modifié")
"""


def snapshot(env: dict, media: Path) -> tuple[str, dict[str, str]]:
    data = manage(env, "dumpdata", "teams", "--indent", "1")
    files = {
        p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(media.rglob("*"))
        if p.is_file()
    }
    return data, files


def scratch_env(tmp_path: Path, database_url: str | None) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "TESTING", "VAR_DIR", "MEDIA_ROOT"}
    }
    env.update(
        DEBUG="1",
        VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_SETTINGS_MODULE="arras_quartiers.settings",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def round_trip(env: dict, tmp_path: Path) -> None:
    media = tmp_path / "media"
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", MAKE_DATA)
    (media / "observations" / "2026").mkdir(parents=True)
    (media / "observations" / "2026" / "photo.jpg").write_bytes(b"\xff\xd8 photo \xff\xd9")
    (media / "documents").mkdir()
    (media / "documents" / "odj.pdf").write_bytes(b"%PDF-1.7 ordre du jour")
    original = snapshot(env, media)
    assert "sauvegarde@test.example" in original[0]

    out_dir = tmp_path / "sauvegardes"
    archive = Path(manage(env, "backup", "--output-dir", str(out_dir)).strip().splitlines()[-1])
    assert archive.is_file() and archive.parent == out_dir
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and "media/documents/odj.pdf" in names

    # Everything changes after the backup...
    manage(env, "shell", "-c", CHANGE_DATA)
    (media / "documents" / "odj.pdf").write_bytes(b"autre chose")
    (media / "documents" / "nouveau.pdf").write_bytes(b"%PDF nouveau")
    (media / "observations" / "2026" / "photo.jpg").unlink()
    assert snapshot(env, media) != original

    # ...a refused confirmation changes nothing...
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive)],
        cwd=ROOT, env=env, capture_output=True, text=True, input="non\n", timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert (media / "documents" / "nouveau.pdf").exists()

    # ...and the restore gives back the original, exactly, having saved what it replaced.
    changed = snapshot(env, media)
    out = manage(env, "restore", "--noinput", "--safety-dir", str(tmp_path / "avant"), str(archive))
    assert snapshot(env, media) == original
    safety = Path(out.split("État remplacé sauvegardé dans : ", 1)[1].splitlines()[0])
    assert safety.parent == tmp_path / "avant" and safety.name.startswith("avant-restauration-")

    # What had been added after the backup is not lost: the safety archive gives it back.
    manage(env, "restore", "--noinput", "--no-safety-backup", str(safety))
    assert snapshot(env, media) == changed


def test_backup_and_restore_with_sqlite(tmp_path):
    round_trip(scratch_env(tmp_path, None), tmp_path)


def test_a_corrupted_archive_is_refused_before_anything_changes(tmp_path):
    env = scratch_env(tmp_path, None)  # an empty database is enough here
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.txt").write_text("original")
    archive = Path(manage(env, "backup", "--output-dir", str(tmp_path)).strip().splitlines()[-1])
    # Tamper with a file inside the archive (same name, other content).
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name == "media/a.txt":
                data = b"changed!"
                member.size = len(data)
            target.addfile(member, io.BytesIO(data) if data is not None else None)
    (tmp_path / "media" / "a.txt").write_text("current")
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", "--noinput", str(tampered)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "empreinte" in result.stderr
    assert (tmp_path / "media" / "a.txt").read_text() == "current"


def test_a_truncated_archive_is_refused_with_a_clear_message(tmp_path):
    env = scratch_env(tmp_path, None)
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.txt").write_text("original")
    archive = Path(manage(env, "backup", "--output-dir", str(tmp_path)).strip().splitlines()[-1])
    truncated = tmp_path / "tronquee.tar"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 3])
    (tmp_path / "media" / "a.txt").write_text("current")
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", "--noinput", str(truncated)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Archive illisible (tronquée ou abîmée)" in result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "media" / "a.txt").read_text() == "current"
    assert not list((tmp_path / "var").glob("sauvegardes/avant-restauration-*"))


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="la suite tourne sur SQLite",
)
def test_backup_and_restore_with_postgresql(tmp_path):
    import psycopg

    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_sauvegarde"
    # Named after pytest-django's test database ("test_..."): never a real one.
    params = {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        url = f"postgres://{params['user']}{password}@{params['host']}:{params['port']}/{name}"
        round_trip(scratch_env(tmp_path, url), tmp_path)
    finally:
        with psycopg.connect(**params) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
