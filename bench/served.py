"""How the page benchmarks serve pages: under production settings when ``DATABASE_URL`` and
``REDIS_URL`` are set (PostgreSQL, Redis), as gunicorn would. Import it before ``harness``
(which starts Django): it sets the environment the settings read."""

import os
import secrets

PRODUCTION = bool(os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"))
HOST = "bench.invalid"
if PRODUCTION:
    os.environ["DJANGO_ENV"] = "production"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
    os.environ["ALLOWED_HOSTS"] = HOST
    os.environ["PORTAL_BASE_URL"] = f"https://{HOST}"
    # Static files collected once under var/bench (again only when they change).
    os.environ["ZHENGAI_VAR_DIR"] = os.path.join(os.path.dirname(__file__), "..", "var", "bench")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
