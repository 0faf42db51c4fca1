"""Settings come from the environment and stop start-up with one clear line when wrong."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROD = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "zhengai.example.org",
    "DATABASE_URL": "postgres://portal@db.example.org:5432/zhengai",
    "REDIS_URL": "redis://redis.example.org:6379/0",
    "PORTAL_BASE_URL": "https://zhengai.example.org",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.pop("REDIS_URL", None)
    clean.pop("SECRET_KEY", None)
    clean["ZHENGAI_VAR_DIR"] = str(ROOT / "var")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_check_deploy_prints_no_warning():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PROD)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY 未设置"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY 太弱"),
        ({"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL 的协议 'mysql' 不受支持"),
        ({"DATABASE_URL": "postgres://x@y:5432/"}, "DATABASE_URL 缺少数据库名"),
        ({"DATABASE_URL": ""}, "DATABASE_URL 未设置"),
        ({"DEBUG": "ture"}, "DEBUG='ture' 不是布尔值"),
        ({"DEBUG": "1"}, "DEBUG=1 不能用于生产模式"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS 未设置"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL='localhost:6379' 不是 Redis 地址"),
        ({"EMAIL_PORT": "twenty-five"}, "EMAIL_PORT='twenty-five' 不是整数"),
        ({"DJANGO_ENV": "prod"}, "DJANGO_ENV='prod' 无效"),
        ({"PORTAL_BASE_URL": ""}, "PORTAL_BASE_URL=None 不是公开的 HTTPS 地址"),
        (
            {"PORTAL_BASE_URL": "http://127.0.0.1:8000"},
            "PORTAL_BASE_URL='http://127.0.0.1:8000' 不是公开的 HTTPS 地址",
        ),
        ({"DATABASE_URL": "", "DATABASE_NAME": "z", "DATABASE_PORT": "x"}, "DATABASE_PORT='x'"),
    ],
)
def test_bad_environment_stops_startup_with_one_clear_line(override, message):
    result = _manage("check", **(PROD | override))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.stderr


def test_database_password_from_parts_is_taken_as_it_is():
    """No URL is built from the parts: a password with @ : / % # reaches the driver unchanged."""
    password = "p@ss:w/rd%40#?&x"
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(repr((d['ENGINE'], d['HOST'], d['PORT'], d['NAME'], d['USER'], d['PASSWORD'])))"
    )
    result = _manage(
        "shell",
        "-v0",
        "-c",
        code,
        **(PROD | {"DATABASE_URL": ""}),
        DATABASE_HOST="db",
        DATABASE_NAME="zhengai",
        DATABASE_USER="zhengai",
        DATABASE_PASSWORD=password,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == repr(
        ("django.db.backends.postgresql", "db", 5432, "zhengai", "zhengai", password)
    )


def test_development_defaults_need_no_environment():
    result = _manage("check")
    assert result.returncode == 0, result.stderr


def test_wsgi_refuses_to_start_misconfigured():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env |= PROD | {"SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "-c", "import zhengai.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "配置错误 (configuration error): SECRET_KEY 未设置（SECRET_KEY is required in this mode）"
    ]


def test_language_and_time_settings(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert ("en", "English") in settings.LANGUAGES
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
