"""A backup taken by scripts/backup.sh restores with scripts/restore.sh into a fresh database
and media directory: every table has the same rows and every file the same bytes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _admin_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.fail("set DATABASE_URL to the local PostgreSQL to run the backup test")
    return url.rsplit("/", 1)[0] + "/postgres"


@pytest.fixture
def databases():
    base = urllib.parse.urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/")
    names = [f"{base}_backup_src", f"{base}_backup_dst"]
    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    yield names
    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(name: str, media: Path) -> dict[str, str]:
    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return env | {
        "DATABASE_HOST": parts.hostname or "127.0.0.1",
        "DATABASE_PORT": str(parts.port or 5432),
        "DATABASE_USER": urllib.parse.unquote(parts.username or "postgres"),
        "DATABASE_PASSWORD": urllib.parse.unquote(parts.password or ""),
        "DATABASE_NAME": name,
        "MEDIA_ROOT": str(media),
    }


def _row_counts(name: str) -> dict[str, int]:
    with psycopg.connect(_admin_url().rsplit("/", 1)[0] + f"/{name}") as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _files(media: Path) -> dict[str, str]:
    return {
        str(p.relative_to(media)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in media.rglob("*")
        if p.is_file()
    }


def _run(*command: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return result


def test_backup_restores_into_a_fresh_database_and_media_directory(tmp_path, databases):
    source, target = databases
    media, restored_media = tmp_path / "media", tmp_path / "restored-media"
    (media / "materials" / "2026").mkdir(parents=True)
    (media / "materials" / "2026" / "发展规划.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(4096))
    (media / "evidence.xlsx").write_bytes(os.urandom(1024))

    src_env = _env(source, media)
    _run(sys.executable, "manage.py", "migrate", "--noinput", "-v0", env=src_env)
    _run(sys.executable, "manage.py", "seed_demo", env=src_env)
    before = _row_counts(source)
    assert before["schools_school"] > 0 and before["schools_user"] > 0

    backup = _run("scripts/backup.sh", str(tmp_path / "backups"), env=src_env).stdout.strip()
    assert {p.name for p in Path(backup).iterdir()} == {
        "database.dump",
        "media.tar.gz",
        "SHA256SUMS",
    }

    _run("scripts/restore.sh", backup, env=_env(target, restored_media))
    assert _row_counts(target) == before
    assert _files(restored_media) == _files(media)


def test_a_damaged_backup_is_refused(tmp_path, databases):
    source, target = databases
    media = tmp_path / "media"
    media.mkdir()
    (media / "a.txt").write_text("x")
    backup = _run("scripts/backup.sh", str(tmp_path), env=_env(source, media)).stdout.strip()
    with open(Path(backup) / "media.tar.gz", "ab") as damaged:
        damaged.write(b"tampered")
    result = subprocess.run(
        ["scripts/restore.sh", backup],
        cwd=ROOT,
        env=_env(target, tmp_path / "out"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "备份文件校验失败" in result.stderr
    assert not (tmp_path / "out").exists()
