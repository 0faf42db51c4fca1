"""Container healthchecks: ``python -m zhengai.healthcheck web|worker|beat``; exit 0 if healthy.

- web: the login page answers 200 through gunicorn, asked as the HTTPS proxy asks (the
  first of ALLOWED_HOSTS, ``X-Forwarded-Proto: https``).
- worker: this container's Celery worker answers a ping over the broker.
- beat: the broker is reachable (beat only enqueues; without the broker it does nothing).
"""

from __future__ import annotations

import os
import socket
import sys
import urllib.request


def web() -> bool:
    port = int(os.environ.get("PORT", "8000"))
    host = (os.environ.get("ALLOWED_HOSTS") or "localhost").split(",")[0].strip()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/accounts/login/",
        headers={"Host": host, "X-Forwarded-Proto": "https"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status == 200


def _celery_app():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengai.settings")
    import django

    django.setup()
    from zhengai.celery import app

    return app


def worker() -> bool:
    app = _celery_app()
    replies = app.control.ping(destination=[f"celery@{socket.gethostname()}"], timeout=5)
    return bool(replies)


def beat() -> bool:
    app = _celery_app()
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=5)
    return True


def main(argv: list[str]) -> int:
    checks = {"web": web, "worker": worker, "beat": beat}
    if len(argv) != 1 or argv[0] not in checks:
        print("usage: python -m zhengai.healthcheck web|worker|beat", file=sys.stderr)
        return 2
    try:
        healthy = checks[argv[0]]()
    except Exception as exc:  # any failure is "unhealthy", with the reason in the log
        print(f"{argv[0]} unhealthy: {exc}", file=sys.stderr)
        return 1
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
