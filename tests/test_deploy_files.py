"""The production compose file is valid and runs exactly one beat."""

import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "p@ss:w/rd#1"
ENV = {
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "portal.example.org",
    "POSTGRES_PASSWORD": PASSWORD,
    "PORTAL_BASE_URL": "https://portal.example.org",
    "EMAIL_HOST": "smtp.example.org",
    "DEFAULT_FROM_EMAIL": "诊改门户 <noreply@example.org>",
}


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


def _service_blocks(config: str) -> dict[str, str]:
    """The rendered text of each service (docker-compose 1.29 renders YAML only)."""
    blocks, name, inside = {}, None, False
    for line in config.splitlines():
        if not line.startswith(" "):
            inside, name = line == "services:", None
            continue
        if not inside:
            continue
        if not line.startswith("    ") and line.strip().endswith(":"):
            name = line.strip()[:-1]
            blocks[name] = ""
        elif name:
            blocks[name] += line + "\n"
    return blocks


def test_web_worker_and_beat_have_healthchecks():
    blocks = _service_blocks(_compose("config").stdout)
    for service in ("web", "worker", "beat"):
        assert "healthcheck:" in blocks[service], service
        check = blocks[service].split("healthcheck:")[1]
        assert f"python -m zhengai.healthcheck {service}" in check, service


def test_base_url_and_mail_settings_reach_the_portal():
    blocks = _service_blocks(_compose("config").stdout)
    for service in ("web", "worker", "beat", "migrate"):
        block = blocks[service]
        assert "PORTAL_BASE_URL: https://portal.example.org" in block, service
        assert "EMAIL_HOST: smtp.example.org" in block
        for name in ("EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS"):
            assert f"{name}:" in block
        assert "DEFAULT_FROM_EMAIL:" in block


def test_the_database_password_is_never_spliced_into_a_url():
    config = _compose("config").stdout
    assert "DATABASE_URL" not in config
    assert f"DATABASE_PASSWORD: {PASSWORD}" in config
    assert f"{PASSWORD}@" not in config


def test_compose_refuses_to_start_without_the_public_address():
    env_without = {k: v for k, v in (os.environ | ENV).items() if k != "PORTAL_BASE_URL"}
    result = _compose("config", "-q", env=env_without)
    assert result.returncode != 0
    assert "PORTAL_BASE_URL" in result.stderr


def test_the_image_leaves_local_state_out_and_owns_its_media_directory():
    ignored = {
        line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip()
    }
    assert {".git", ".venv", "var", ".env"} <= ignored
    dockerfile = (ROOT / "Dockerfile").read_text()
    user_line = dockerfile.index("USER portal")
    media = re.search(
        r"mkdir -p [^\n]*/app/media[^\n]*\n[^\n]*chown portal[^\n]*/app/media", dockerfile
    )
    assert media and media.start() < user_line
