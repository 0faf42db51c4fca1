"""Every page against the floor, in one process, as production serves it.

Settings: ``DJANGO_ENV=production`` (DEBUG off, manifest static files, HTTPS behind a proxy,
Redis cache) when ``DATABASE_URL`` and ``REDIS_URL`` are set, as ``make bench`` under CI has
them; otherwise the embedded default (SQLite, local-memory cache), said in the output.

How: Django's own WSGI handler called in this process (what gunicorn calls per request),
no test client and no test instrumentation (templates are not copied into a context, no
signal on rendering); each request builds a WSGI environ with the cookies of the person it
is for and the response body is read to the end. The floor (``floor.py``: one indexed query,
a twenty-row template) goes through the same middleware. Each page is requested for about a
second (at least 20 times, after a warm-up) in turn with the floor and the signed-in floor, so
each ratio is taken over the same moments of a busy machine (``harness.in_turn``);
``BENCH_ROUNDS`` rounds (default 3) are run, and the summary gives each page's median time,
the lowest and highest of its ratio to the floor (cost: lower is better; throughput, the
inverse: higher is better) and the queries one request makes. Public pages are measured as
a visitor without a session gets them (from the server's page cache) and, on the line below,
as rendered when the cache has just been emptied by a change. The signed-in floor (the same
floor for a signed-in person: the session, the person and the two-factor device are read)
shows what every signed-in page pays before its own content: read the signed-in pages
against it as well.

Data (``builders.py``): the demo plus 1,500 schools, a self-diagnosis report each, and a full
cycle with 500 re-checks, 2,500 panel places, 4,500 disclosed files and 250 verdicts.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from django.db import connection as _connection  # noqa: E402
from harness import (  # noqa: E402
    analyze,
    in_turn,
    signed_in_cookie,
    test_database,
    wsgi_get,
)
from served import HOST, PRODUCTION  # noqa: E402 (the environment, before Django)

# A database of its own (never the test runner's test_<name>, which a run may be using).
_connection.settings_dict.setdefault("TEST", {})["NAME"] = (
    "bench_pages_" + _connection.settings_dict["NAME"].rsplit("/", 1)[-1]
)

with test_database():
    from builders import build
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from review.selectors import editor_stamp
    from zhengai import pagecache, stampcache

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
        return signed_in_cookie(built.people[username])

    get = wsgi_get(HOST)

    def queries(url: str, cookie: str, fresh: bool = False, before=None) -> int:
        if fresh:
            pagecache.bump()
        if before:
            before()
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
        # BENCH_PROFILE="re-check list": that page's queries and where its time goes (cProfile),
        # then stop.
        import cProfile
        import pstats

        for label, url, who in [*signed_in, *((label, url, "") for label, url in public)]:
            if profile in label:
                cookie = cookies.get(who, "")
                with CaptureQueriesContext(connection) as captured:
                    get(url, cookie)
                print(f"== {label}: the queries of one request")
                for number, query in enumerate(captured, 1):
                    print(f"{number:>3}. {query['time']}s {query['sql'][:300]}")
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(5):
                    get(url, cookie)
                profiler.disable()
                print(f"== {label}: 5 requests")
                stats = pstats.Stats(profiler).strip_dirs()
                stats.sort_stats("cumulative").print_stats(int(os.environ.get("BENCH_LINES", 45)))
                stats.sort_stats("tottime").print_stats(20)
        sys.exit(0)

    floor_get = lambda: get("/bench/floor/")  # noqa: E731
    signed_get = lambda: get("/bench/floor/", cookies["province"])  # noqa: E731
    rows: list[tuple[str, object, int]] = []  # label, the request to time, its queries
    for label, url in public:
        get(url)  # stored again after the previous page's change
        rows.append((f"{label} — visitor, cached", lambda u=url: get(u), queries(url, "")))

        def miss(u=url):
            pagecache.bump()
            get(u)

        rows.append((f"{label} — rendered after a change", miss, queries(url, "", True)))
    for label, url, who in signed_in:
        cookie = cookies[who]
        rows.append((label, lambda u=url, c=cookie: get(u, c), queries(url, cookie)))
    # A save moves the report's stamp: the writer's next page is made again (the element
    # cards the save did not touch are still stored).
    editor_url, school_cookie = f"/self-diagnosis/{report.pk}/", cookies["school.xmhy"]

    def saved() -> None:
        stampcache.bump(editor_stamp(report.pk))

    def after_save() -> None:
        saved()
        get(editor_url, school_cookie)

    count = queries(editor_url, school_cookie, before=saved)
    rows.append(("report editor — made again after a save", after_save, count))

    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    ratios: dict[str, list[tuple[float, float, float]]] = {label: [] for label, *_ in rows}
    for n in range(1, rounds + 1):
        print(f"round {n}: each page in turn with the floor and the signed-in floor")
        for label, action, count in rows:
            floor, signed, ms = in_turn([floor_get, signed_get, action])
            ratios[label].append((ms, ms / floor, ms / signed))
            print(
                f"  {label:<48} {ms:6.2f} ms  {ms / floor:5.2f}× floor ({floor:.2f} ms)  "
                f"{ms / signed:5.2f}× signed-in floor ({signed:.2f} ms)  {count:>2} queries"
            )
    width = max(len(label) for label in ratios)
    print(
        f"\nover {rounds} rounds: cost as a multiple of the floor (1 indexed query, 20-row "
        "template), lowest–highest; its inverse is the throughput"
    )
    print(f"{'page':<{width}}  {'median':>9}  {'cost×floor':>11}  {'thru×floor':>11}  queries")
    for label, _, count in rows:
        values = ratios[label]
        ms = statistics.median(v[0] for v in values)
        lo, hi = min(v[1] for v in values), max(v[1] for v in values)
        thru = f"{1 / hi:>5.2f}–{1 / lo:<4.2f}×"
        print(f"{label:<{width}}  {ms:>6.2f} ms  {lo:>5.2f}–{hi:<4.2f}×  {thru}  {count:>7}")
