"""Read settings from the environment, failing loudly on anything malformed.

After healthchecks' ``hc/settings.py``: a typo in a deployment variable must stop start-up
with one clear line, never pass silently as a default.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured


class ConfigError(ImproperlyConfigured):
    """A setting in the environment is missing or malformed."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    """Return the variable's value, or ``default``; raise if required and unset or empty."""
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ConfigError(f"{name} 未设置（{name} is required in this mode）")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    """Parse a boolean; anything but the usual spellings is an error, not False."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{name}={value!r} 不是布尔值（use one of: 1/0, true/false, yes/no, on/off）")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Parse an integer, optionally bounded below."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} 不是整数（{name} must be an integer）") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name}={number} 小于 {minimum}（{name} must be >= {minimum}）")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    """Parse a comma-separated list, dropping blanks."""
    value = os.environ.get(name)
    if value is None or value == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """Return one of ``choices``; anything else is an error."""
    value = os.environ.get(name) or default
    if value not in choices:
        allowed = ", ".join(choices)
        raise ConfigError(f"{name}={value!r} 无效（{name} must be one of: {allowed}）")
    return value


def database_config(url: str) -> dict:
    """Turn a ``DATABASE_URL`` into Django's DATABASES entry; reject unknown schemes."""
    import dj_database_url

    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ConfigError(
            f"DATABASE_URL 的协议 {scheme or '(空)'!r} 不受支持"
            "（use postgres://user@host:port/name or sqlite:///path）"
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ConfigError(f"DATABASE_URL 无法解析：{exc}") from None
    if config["ENGINE"].endswith("postgresql") and not config.get("NAME"):
        raise ConfigError(
            "DATABASE_URL 缺少数据库名（e.g. postgres://user@127.0.0.1:5432/zhengai）"
        )
    return config


def database_parts() -> dict:
    """Django's DATABASES entry for PostgreSQL from DATABASE_HOST/PORT/NAME/USER/PASSWORD.

    The password is passed to the driver as given: no URL is built, so any character works.
    """
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": env_str("DATABASE_NAME", required=True),
        "USER": env_str("DATABASE_USER", "postgres"),
        "PASSWORD": env_str("DATABASE_PASSWORD", ""),
        "HOST": env_str("DATABASE_HOST", "127.0.0.1"),
        "PORT": env_int("DATABASE_PORT", 5432, minimum=1),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


def redis_url(name: str, value: str) -> str:
    """Accept only redis:// or rediss:// URLs for the broker."""
    if not value.startswith(("redis://", "rediss://")):
        raise ConfigError(f"{name}={value!r} 不是 Redis 地址（expected redis://host:port/db）")
    return value
