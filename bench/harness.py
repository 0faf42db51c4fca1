"""A small harness for benchmarks: a throwaway test database and medians over runs.

Run a benchmark as ``python bench/bench_X.py`` (``make bench`` runs them all). It uses
``DATABASE_URL`` like the portal does, so ``DATABASE_URL=postgres://…`` measures PostgreSQL.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengai.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402


@contextmanager
def test_database() -> Iterator[None]:
    """Create a fresh test database for the benchmark and drop it afterwards.

    Unlike the test runner, this does not instrument template rendering (the test client
    would copy every template context): pages are measured as they run in production.
    """
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def measure(label: str, action: Callable[[], object], *, runs: int = 30, warmup: int = 3) -> float:
    """Run ``action`` ``runs`` times after a warm-up; print and return the median in ms."""
    for _ in range(warmup):
        action()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    median = statistics.median(timings)
    vendor = connection.vendor
    print(
        f"{label}: median {median:.1f} ms, min {min(timings):.1f} ms, "
        f"max {max(timings):.1f} ms over {runs} runs ({vendor})"
    )
    return median


def analyze() -> None:
    """Refresh the planner's statistics after bulk-loading, as autovacuum would in production."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
