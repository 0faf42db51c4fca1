"""Every page against the floor, in one process, as production serves it.

Settings: ``DJANGO_ENV=production`` (DEBUG off, manifest static files, HTTPS behind a proxy,
Redis cache) when ``DATABASE_URL`` and ``REDIS_URL`` are set, as ``make bench`` under CI has
them; otherwise the embedded default (SQLite, local-memory cache), said in the output.

How: Django's own WSGI handler called in this process (what gunicorn calls per request),
no test client and no test instrumentation (templates are not copied into a context, no
signal on rendering); each request builds a WSGI environ with the cookies of the person it
is for and the response body is read to the end. The floor (``floor.py``: one indexed query,
a twenty-row template) goes through the same middleware. Each page is requested until about
a second has passed (at least 20 times, after a warm-up) and the median is printed with its
ratio to the floor's median (cost: lower is better; throughput, the inverse: higher is
better) and the queries one request makes. Public pages are measured as a visitor without a
session gets them (from the server's page cache) and, on the line below, as rendered when
the cache has just been emptied by a change. The signed-in floor (``floor.py``: the same
query and rows for a signed-in person inside the portal's layout) shows what every signed-in
page pays before its own content: read the signed-in pages against it as well.

Data (``builders.py``): the demo plus 1,500 schools, a self-diagnosis report each, and a full
cycle with 500 re-checks, 2,500 panel places, 4,500 disclosed files and 250 verdicts.
"""

from __future__ import annotations

import io
import os
import secrets
import statistics
import sys
import time

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

from django.db import connection as _connection  # noqa: E402
from harness import analyze, test_database  # noqa: E402

# A database of its own (never the test runner's test_<name>, which a run may be using).
_connection.settings_dict.setdefault("TEST", {})["NAME"] = (
    "bench_pages_" + _connection.settings_dict["NAME"].rsplit("/", 1)[-1]
)

with test_database():
    from builders import build
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.cache import cache
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from zhengai import pagecache

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    settings.ROOT_URLCONF = "floor"
    started = time.perf_counter()
    if PRODUCTION:
        call_command("collectstatic", interactive=False, verbosity=0)
        print(f"collectstatic: {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    built = build()
    analyze()
    cache.clear()
    print(
        f"data: the demo + 1,500 schools and a full cycle, built in "
        f"{time.perf_counter() - started:.0f} s; settings: "
        + ("production (PostgreSQL, Redis)" if PRODUCTION else "embedded default (no Redis)")
    )

    def session_cookie(username: str) -> str:
        user = built.people[username]
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=True, name="基准")
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    handler = WSGIHandler()

    def get(url: str, cookie: str = "") -> tuple[int, bytes]:
        path, _, query = url.partition("?")
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
            "SCRIPT_NAME": "", "SERVER_NAME": HOST, "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": HOST, "REMOTE_ADDR": "127.0.0.1",
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

    def median_ms(action, seconds: float = 1.0, least: int = 20) -> float:
        for _ in range(3):
            action()
        timings = []
        deadline = time.perf_counter() + seconds
        while len(timings) < least or (time.perf_counter() < deadline and len(timings) < 2000):
            start = time.perf_counter()
            action()
            timings.append((time.perf_counter() - start) * 1000)
        return statistics.median(timings)

    def queries(url: str, cookie: str, fresh: bool = False) -> int:
        if fresh:
            pagecache.bump()
        with CaptureQueriesContext(connection) as captured:
            get(url, cookie)
        return len(captured)

    cookies = {
        name: session_cookie(name) for name in ("province", "school.xmhy", "expert.a", "committee")
    }
    cycle, verdict, report = built.cycle, built.verdict, built.report
    public = [
        ("column home", "/column/"),
        ("verdict page", f"/column/verdicts/{verdict.pk}/"),
        ("feed", "/column/feed.atom"),
        ("documents", "/column/documents/"),
        ("indicator system", "/indicators/"),
        ("indicators.json", "/indicators.json"),
    ]
    signed_in = [
        ("signed-in floor (login + layout, 20 rows)", "/bench/floor/signed-in/", "province"),
        ("cycle overview (province)", f"/cycles/{cycle.pk}/", "province"),
        ("re-check list (province)", f"/cycles/{cycle.pk}/rechecks/", "province"),
        # The floor as a signed-in person gets it: what every page below pays first.
        ("floor, signed in (session, person, 2FA device)", "/bench/floor/", "province"),
        ("province home", "/", "province"),
        ("committee home", "/", "committee"),
        ("heatmap (province)", "/workbench/heatmap/", "province"),
        ("expert home", "/", "expert.a"),
        ("school home", "/", "school.xmhy"),
        ("school's heatmap row", "/workbench/heatmap/", "school.xmhy"),
        ("report editor (school)", f"/self-diagnosis/{report.pk}/", "school.xmhy"),
    ]
    for url in ["/bench/floor/", *(url for _, url in public)]:
        assert get(url)[0] == 200, url
    for _, url, who in signed_in:
        status, body = get(url, cookies[who])
        assert status == 200, (url, status, body[:300])

    if profile := os.environ.get("BENCH_PROFILE"):
        # BENCH_PROFILE="re-check list": where the time of that page goes (cProfile), then stop.
        import cProfile
        import pstats

        for label, url, who in [*signed_in, *((label, url, "") for label, url in public)]:
            if profile in label:
                cookie = cookies.get(who, "")
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(5):
                    get(url, cookie)
                profiler.disable()
                print(f"== {label}: 5 requests")
                stats = pstats.Stats(profiler).strip_dirs()
                stats.sort_stats("cumulative").print_stats(45)
                stats.sort_stats("tottime").print_stats(20)
        sys.exit(0)

    floor = median_ms(lambda: get("/bench/floor/"))
    rows = [("floor (1 indexed query, 20-row template)", floor, queries("/bench/floor/", ""))]
    for label, url in public:
        cached = median_ms(lambda u=url: get(u))
        rows.append((f"{label} — visitor, cached", cached, queries(url, "")))

        def miss(u=url):
            pagecache.bump()
            get(u)

        pagecache.bump()
        rendered = median_ms(miss, 0.5)
        rows.append((f"{label} — rendered after a change", rendered, queries(url, "", True)))
    for label, url, who in signed_in:
        cookie = cookies[who]
        rows.append((label, median_ms(lambda u=url, c=cookie: get(u, c)), queries(url, cookie)))

    width = max(len(label) for label, *_ in rows)
    print(f"{'page':<{width}}  {'median':>9}  {'cost×floor':>10}  {'thru×floor':>10}  queries")
    for label, ms, count in rows:
        print(
            f"{label:<{width}}  {ms:>6.2f} ms  {ms / floor:>9.2f}×  {floor / ms:>9.2f}×  {count:>7}"
        )
