"""The production image serves pages: the Dockerfile's own build and start steps, performed here.

No Docker engine runs on this machine, so the test reads the Dockerfile, runs its ``RUN`` steps
that call ``manage.py`` (collectstatic with the production storage) and its ``CMD`` (gunicorn)
exactly as written, only with the port and the local PostgreSQL/Redis given as compose gives
them: production mode, the database password in parts. The pages must answer 200.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PAGES = ["/", "/column/", "/accounts/login/", "/indicators/"]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions, current = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line.rstrip("\\").strip() + " "
        if not line.rstrip().endswith("\\"):
            keyword, _, rest = current.strip().partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
            current = ""
    return instructions


def dockerfile_env() -> dict[str, str]:
    env = {}
    for keyword, rest in dockerfile_instructions():
        if keyword == "ENV":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def build_steps() -> list[str]:
    """The image's build steps that run the application (not apt/pip/useradd)."""
    return [
        rest
        for keyword, rest in dockerfile_instructions()
        if keyword == "RUN" and "manage.py" in rest
    ]


def start_command() -> list[str]:
    commands = [
        rest for keyword, rest in dockerfile_instructions() if keyword in {"CMD", "ENTRYPOINT"}
    ]
    assert len(commands) == 1, "one start command expected"
    return json.loads(commands[0])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _base_env(var_dir: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    for name in ("REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "PORTAL_BASE_URL", "MEDIA_ROOT"):
        keep.pop(name, None)
    # /app/var in the image; the venv stands for the image's installed python and gunicorn.
    return (
        keep
        | dockerfile_env()
        | {
            "ZHENGAI_VAR_DIR": str(var_dir),
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }
    )


@pytest.fixture
def deploy_database():
    """A fresh database on the local PostgreSQL (the test runner's server), dropped after."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.fail("set DATABASE_URL to the local PostgreSQL to run the deployment test")
    parts = urllib.parse.urlsplit(url)
    name = f"{parts.path.lstrip('/')}_deploy"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield {
        "DATABASE_HOST": parts.hostname or "127.0.0.1",
        "DATABASE_PORT": str(parts.port or 5432),
        "DATABASE_NAME": name,
        "DATABASE_USER": urllib.parse.unquote(parts.username or "postgres"),
        "DATABASE_PASSWORD": urllib.parse.unquote(parts.password or ""),
    }
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _get(port: int, path: str, **headers) -> tuple[int, bytes]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https", **headers},
    )
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_dockerfile_builds_static_files_for_production():
    steps = build_steps()
    assert any("collectstatic" in step for step in steps)
    assert all("DJANGO_ENV=development" not in step for step in steps)


def test_the_image_build_and_start_steps_serve_pages(tmp_path, deploy_database):
    var_dir = tmp_path / "var"
    media = tmp_path / "media"
    media.mkdir()
    env = _base_env(var_dir)

    # Build: the Dockerfile's own RUN steps, as written.
    var_dir.mkdir()
    for step in build_steps():
        result = subprocess.run(
            ["sh", "-c", step], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr
    manifest = json.loads((var_dir / "static" / "staticfiles.json").read_text())
    assert "css/site.css" in manifest["paths"]

    # Run: production mode against the local PostgreSQL/Redis, configured as compose does.
    port = _free_port()
    run_env = (
        env
        | deploy_database
        | {
            "DJANGO_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "127.0.0.1",
            "PORTAL_BASE_URL": "https://zhengai.example.org",
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "MEDIA_ROOT": str(media),
            "PORT": str(port),
        }
    )
    for command in (["migrate", "--noinput", "-v0"], ["load_fixtures"]):
        result = subprocess.run(
            ["python", "manage.py", *command],
            cwd=ROOT,
            env=run_env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr

    command = [re.sub(r"^0\.0\.0\.0:\d+$", f"127.0.0.1:{port}", arg) for arg in start_command()]
    assert f"127.0.0.1:{port}" in command, "the start command binds a port"
    server = subprocess.Popen(
        command, cwd=ROOT, env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, _ = _get(port, "/accounts/login/")
                break
            except (ConnectionError, urllib.error.URLError):
                assert server.poll() is None, server.stderr.read().decode()[-3000:]
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.5)

        for path in PAGES:
            status, body = _get(port, path)
            assert status == 200, f"{path}: {status} {body[:500]!r}"
        # The pages link the hashed static names, and whitenoise serves them.
        html = _get(port, "/")[1].decode()
        css = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', html)
        assert css, "the page links the manifest's hashed stylesheet"
        assert _get(port, css.group(1))[0] == 200
        # Plain HTTP is sent to HTTPS (the proxy sets X-Forwarded-Proto).
        assert _get(port, "/", **{"X-Forwarded-Proto": "http"})[0] == 301

        # The compose healthcheck for web passes against this server.
        health = subprocess.run(
            ["python", "-m", "zhengai.healthcheck", "web"],
            cwd=ROOT,
            env=run_env | {"ALLOWED_HOSTS": "127.0.0.1"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert health.returncode == 0, health.stderr

        # A body over the upload limit is refused before it is sent.
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(
                b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"X-Forwarded-Proto: https\r\nContent-Type: application/octet-stream\r\n"
                b"Content-Length: 1073741824\r\n\r\n"
            )
            assert sock.recv(64).startswith(b"HTTP/1.1 413")
    finally:
        server.terminate()
        server.wait(timeout=30)
