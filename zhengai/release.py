"""What is deployed, as one short digest: markup stored by one release is never served by the
next.

Stored pages and fragments (``zhengai.pagecache``, ``zhengai.stampcache``) outlive a deploy
in Redis. Their keys carry this digest of the code and templates that make them, so after a
deploy every stored page is made again by the new code, however recently it was stored.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.apps import apps
from django.conf import settings

SOURCES = ("*.py", "*.html", "*.txt", "*.po")


@functools.cache
def release() -> str:
    """A digest of the project's own apps, templates and translations (read once a process)."""
    base = settings.BASE_DIR.resolve()
    roots = {base / "templates", base / "locale"}
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(base) and ".venv" not in path.parts:
            roots.add(path)
    digest = hashlib.sha256()
    for root in sorted(roots):
        for pattern in SOURCES:
            for path in sorted(root.rglob(pattern)):
                digest.update(path.relative_to(base).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
