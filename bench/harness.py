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


# --- Serving pages as gunicorn does (bench_pages, bench_workbench) ---------------------------


def signed_in_cookie(user) -> str:
    """A session cookie for ``user``, signed in and past the second factor, as logging in
    leaves it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=True, name="基准")
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def wsgi_get(host: str) -> Callable[..., tuple[int, bytes]]:
    """``get(url, cookie="") -> (status, body)`` through Django's WSGI handler (what gunicorn
    calls: no test client, no test instrumentation), over HTTPS behind the proxy."""
    import io

    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()

    def get(url: str, cookie: str = "") -> tuple[int, bytes]:
        path, _, query = url.partition("?")
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
            "SCRIPT_NAME": "", "SERVER_NAME": host, "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": host, "REMOTE_ADDR": "127.0.0.1",
            "HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "203.0.113.7",
            "HTTP_COOKIE": cookie, "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http", "wsgi.version": (1, 0), "wsgi.multithread": False,
            "wsgi.multiprocess": True, "wsgi.run_once": False,
        }  # fmt: skip
        status = []
        body = handler(environ, lambda s, headers, exc_info=None: status.append(s))
        data = b"".join(body)
        body.close()
        return int(status[0][:3]), data

    return get


def median_ms(action: Callable[[], object], seconds: float = 1.0, least: int = 20) -> float:
    """The median time of ``action`` in milliseconds: at least ``least`` runs, more for up
    to ``seconds`` (at most 2,000), after three to warm up."""
    for _ in range(3):
        action()
    timings = []
    deadline = time.perf_counter() + seconds
    while len(timings) < least or (time.perf_counter() < deadline and len(timings) < 2000):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def in_turn(
    actions: list[Callable[[], object]], seconds: float = 1.0, least: int = 20, most: int = 500
) -> list[float]:
    """The median time (ms) of each of ``actions``, requested one after the other for about
    ``seconds`` (at least ``least`` turns, at most ``most``), after three turns to warm up.

    A page and its floor taken in turn are timed over the same moments of a busy machine: the
    ratio between them holds where either time alone would drift with the load.
    """
    for _ in range(3):
        for action in actions:
            action()
    timings: list[list[float]] = [[] for _ in actions]
    deadline = time.perf_counter() + seconds
    while len(timings[0]) < least or (time.perf_counter() < deadline and len(timings[0]) < most):
        for bucket, action in zip(timings, actions, strict=True):
            start = time.perf_counter()
            action()
            bucket.append((time.perf_counter() - start) * 1000)
    return [statistics.median(bucket) for bucket in timings]
