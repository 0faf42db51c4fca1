"""The production compose file is valid and runs exactly one beat."""

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "portal.example.org", "POSTGRES_PASSWORD": "pw"}


def _compose(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        command = ["docker", "compose"]
    else:
        command = [shutil.which("docker-compose") or "docker-compose"]
    return subprocess.run(
        [*command, *args],
        cwd=ROOT,
        env=os.environ | ENV if env is None else env,
        capture_output=True,
        text=True,
    )


def test_compose_config_accepts_the_file():
    result = _compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_has_the_production_services_and_one_beat():
    services = set(_compose("config", "--services").stdout.split())
    assert {"db", "redis", "web", "worker", "beat"} <= services
    config = _compose("config").stdout
    assert config.count("- beat") == 1  # only the beat service runs `celery beat`
    assert "--beat" not in config  # no worker embeds a second beat


def test_compose_refuses_to_start_without_secrets():
    env_without = {k: v for k, v in os.environ.items() if k not in ENV}
    result = _compose("config", "-q", env=env_without)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr or "POSTGRES_PASSWORD" in result.stderr
