"""The report editor against the floor page, in one run, served the same way (issue 14).

The floor is the least a page of this portal can cost: one indexed query and one small
template, behind the same middleware (sessions, authentication, CSP, locale…) and the same
login as the editor. The editor is the school's edit page of a full-length report (15
elements, every text at its limit, ten saved versions). Both are fetched by Django's test
client without the test runner's instrumentation, with DEBUG off and no debug toolbar.

Prints each page's median cost and query count, and the ratio (the target: at most 5×). The two
pages are fetched in turn, run after run, so a machine busy with other work slows both alike;
the CPU time this process spends per request (the database's work not included) is printed too.
Run: ``DATABASE_URL=postgres://… python bench/bench_editor.py``.
"""

import os
import statistics
import sys
import time
import types

os.environ["DEBUG"] = "false"  # production-like: no query log, no debug pages

from django.db import connection as _connection  # noqa: E402
from harness import analyze, test_database  # noqa: E402

# A database of its own (never the test runner's test_<name>, which a run may be using).
_connection.settings_dict.setdefault("TEST", {})["NAME"] = (
    "bench_editor_" + _connection.settings_dict["NAME"].rsplit("/", 1)[-1]
)

RUNS = int(os.environ.get("BENCH_RUNS", "40"))

with test_database():
    from django.conf import settings
    from django.contrib.auth.decorators import login_required
    from django.core.management import call_command
    from django.db import connection
    from django.http import HttpResponse
    from django.template import engines
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import clear_url_caches, path

    from review.exporters.samples import full_length_report
    from review.services import self_diagnosis as service
    from review.services.self_diagnosis import TextEdit
    from schools.models import School
    from schools.roles import Role
    from schools.services.people import upsert_person

    assert not settings.DEBUG
    assert "debug_toolbar" not in settings.INSTALLED_APPS

    call_command("load_fixtures", verbosity=0)
    school = School.objects.get(name="厦门海洋职业技术学院")
    user = upsert_person(
        username="bench",
        display_name="基准",
        role=Role.SCHOOL_STAFF,
        password="x" * 12,
        school=school,
    )
    report = service.open_self_diagnosis(school=school, year=2026, user=user)
    sample = full_length_report()
    for version in range(10):
        report.refresh_from_db()
        entries = {e.element.code: e for e in report.entries.select_related("element")}
        service.save_draft(
            self_diagnosis=report,
            user=user,
            overview=TextEdit({"overview": sample.overview[: 490 + version]}, report.revision),
            entries={
                row.element_code: TextEdit(
                    {
                        "opinion": row.opinion[: 490 + version],
                        "measures": row.measures,
                        "effects": row.effects,
                    },
                    entries[row.element_code].revision,
                )
                for row in sample.rows
            },
        )
    analyze()

    small = engines["django"].from_string("<!doctype html><title>floor</title><p>{{ name }}</p>")

    @login_required
    def floor(request):
        # One indexed query (primary key), one small template.
        name = School.objects.only("name").get(pk=school.pk).name
        return HttpResponse(small.render({"name": name}))

    urls = types.ModuleType("bench_editor_urls")
    from zhengai import urls as project_urls

    urls.urlpatterns = [path("bench-floor/", floor), *project_urls.urlpatterns]
    sys.modules[urls.__name__] = urls
    settings.ROOT_URLCONF = urls.__name__
    clear_url_caches()

    client = Client()
    client.force_login(user)
    editor_url, floor_url = f"/self-diagnosis/{report.pk}/", "/bench-floor/"
    for url in (editor_url, floor_url):
        assert client.get(url).status_code == 200, url
    counts = {}
    for url in (editor_url, floor_url):
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts[url] = len(queries)
    size = len(client.get(editor_url).content)
    # Interleaved: each run fetches the floor, then the editor, so both see the same load
    # (measured one after the other, a busy machine made the ratio swing from 4× to 20×).
    for _ in range(3):
        client.get(floor_url), client.get(editor_url)
    walls, cpus = {floor_url: [], editor_url: []}, {floor_url: [], editor_url: []}
    for _ in range(RUNS):
        for url in (floor_url, editor_url):
            wall, cpu = time.perf_counter(), time.process_time()
            client.get(url)
            cpus[url].append((time.process_time() - cpu) * 1000)
            walls[url].append((time.perf_counter() - wall) * 1000)
    floor_ms, editor_ms = (statistics.median(walls[u]) for u in (floor_url, editor_url))
    floor_cpu, editor_cpu = (statistics.median(cpus[u]) for u in (floor_url, editor_url))
    print(
        f"floor page ({counts[floor_url]} queries): median {floor_ms:.1f} ms "
        f"(CPU {floor_cpu:.1f} ms) over {RUNS} runs ({connection.vendor})"
    )
    print(
        f"report editor, 15 full elements, {size // 1024} KiB ({counts[editor_url]} queries): "
        f"median {editor_ms:.1f} ms (CPU {editor_cpu:.1f} ms), interleaved with the floor"
    )
    if os.environ.get("PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(10):
            client.get(editor_url)
        profiler.disable()
        stats = pstats.Stats(profiler).strip_dirs()
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
    print(
        f"ratio editor / floor: {editor_ms / floor_ms:.1f}× (target ≤ 5×); "
        f"in this process's CPU time {editor_cpu / floor_cpu:.1f}×"
    )
