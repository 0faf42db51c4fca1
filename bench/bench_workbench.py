"""Workbenches and the heatmap at province scale against the floor, as production serves them.

Data: 1,500 schools, a full cycle: every school's report of the year (a mix of states) and
its implementation rules (most), a third of the schools re-checked with a panel of five, each
panel's findings consolidated and the verdict published with a rectification plan; a few
sanctions and failed e-mails.

How (as ``bench_pages.py``): production settings when ``DATABASE_URL`` and ``REDIS_URL`` are
set, Django's WSGI handler called in this process with each person's session cookie, no test
client. Two floors (``floor.py``: one indexed query, a twenty-row template, same middleware):
as a visitor, and as a signed-in person (the session, the person and the two-factor device are
read: what every signed-in page pays before its own work). Each page is requested for about a
second (at least 20 times) in turn with the two floors, so that each ratio is taken over the
same moments of a busy machine; ``BENCH_ROUNDS`` rounds (default 3) are run and the min–max of
each ratio printed. "after a change" rows: the workbench's stored numbers are made out of date
before every request (what the first request after a change costs).

``BENCH_PROFILE="school home"``: a cProfile of that page instead.
"""

from __future__ import annotations

import os
import sys
from datetime import date, timedelta

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
    "bench_workbench_" + _connection.settings_dict["NAME"].rsplit("/", 1)[-1]
)

with test_database():
    import random

    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from indicators.models import Element, IndicatorSystem
    from notices.models import EmailStatus, Notice
    from review.models import (
        ConsolidatedFinding,
        Consolidation,
        ImplementationRules,
        PanelAssignment,
        Recheck,
        Rectification,
        Sanction,
        SelfDiagnosis,
        VerdictRecord,
    )
    from review.services.rechecks import create_cycle
    from schools.models import City, Expert, ExpertKind, School
    from schools.roles import Role
    from schools.services.people import upsert_person
    from zhengai import stampcache

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    settings.ROOT_URLCONF = "floor"
    if PRODUCTION:
        call_command("collectstatic", interactive=False, verbosity=0)
    call_command("load_fixtures", verbosity=0)
    rng = random.Random(13)
    today = timezone.localdate()
    year = today.year

    def person(username, role, school=None):
        return upsert_person(
            username=username, display_name=username, role=role, password="x" * 12, school=school
        )

    staff = person("bench-staff", Role.PROVINCIAL_STAFF)
    committee = person("bench-committee", Role.COMMITTEE)
    cycle = create_cycle(start_year=year - (year - 2026) % 3, user=staff)
    system = IndicatorSystem.objects.get(in_force=True)
    elements = list(Element.objects.filter(project__system=system))
    now = timezone.now()
    with transaction.atomic():
        School.objects.bulk_create(
            School(name=f"基准职业技术学院{i:04d}", city=rng.choice(City.values))
            for i in range(1500 - School.objects.count())
        )
        schools = list(School.objects.order_by("pk"))
        SelfDiagnosis.objects.bulk_create(
            SelfDiagnosis(school=s, year=year, system=system) for s in schools if rng.random() < 0.8
        )
        ImplementationRules.objects.bulk_create(
            ImplementationRules(
                school=s, year=year, token=f"r{s.pk:031d}", original_name="细则.pdf", kind="pdf",
                size=1, sha256="0" * 64, uploaded_by=staff, document=f"rules/{s.pk}.pdf",
            )
            for s in schools
            if rng.random() < 0.7
        )  # fmt: skip
        kinds = list(ExpertKind)
        experts = Expert.objects.bulk_create(
            Expert(name=f"基准专家{i}", employer="单位", kind=kinds[i % 3]) for i in range(300)
        )
        picked = schools[::3]
        start = date(year, 3, 1)
        rechecks = Recheck.objects.bulk_create(
            Recheck(
                cycle=cycle, school=s, planned_year=year, materials_published_at=now,
                materials_submitted_at=now,
                start_date=start + timedelta(days=i % 200) if i % 25 else None,
                end_date=start + timedelta(days=i % 200 + 2) if i % 25 else None,
            )
            for i, s in enumerate(picked)
        )  # fmt: skip
        PanelAssignment.objects.bulk_create(
            PanelAssignment(
                recheck=r, expert=experts[(i * 5 + k) % 300], is_lead=k == 0, certified_at=now,
                findings_submitted_at=now,
            )
            for i, r in enumerate(rechecks)
            for k in range(5 if i % 10 else 3)
        )  # fmt: skip
        dated = [r for r in rechecks if r.start_date]
        consolidations = Consolidation.objects.bulk_create(
            Consolidation(recheck=r, submitted_at=now, measures_rating="strong") for r in dated
        )
        ConsolidatedFinding.objects.bulk_create(
            ConsolidatedFinding(consolidation=c, element=e, consistent=rng.random() < 0.8)
            for c in consolidations
            for e in elements
        )
        verdicts = VerdictRecord.objects.bulk_create(
            VerdictRecord(
                school=r.school, cycle=cycle, recheck=r, published_by=staff, published_at=now,
                ranks_at=now, verdict=rng.choice(["effective", "needs_improvement", "abnormal"]),
                matched=11, measures_rating="strong",
            )
            for r in dated[20:]
        )  # fmt: skip
        Rectification.objects.bulk_create(
            Rectification(verdict=v, due=today + timedelta(days=(v.pk % 90) - 30)) for v in verdicts
        )
        Sanction.objects.bulk_create(
            Sanction(school=v.school, opened_by=v, opened_on=today)
            for v in verdicts
            if v.verdict == "abnormal"
        )
        Notice.objects.bulk_create(
            Notice(
                recipient=staff, kind="rules_due", subject=f"bench:{i}", due_date=today,
                stage="event", title="通知", body="内容", url="/",
                email_status=EmailStatus.FAILED if i % 4 == 0 else EmailStatus.SENT,
            )
            for i in range(200)
        )  # fmt: skip
    school = picked[len(picked) // 2]
    school_user = person("bench-school", Role.SCHOOL_STAFF, school)
    expert_user = person("bench-expert", Role.EXPERT)
    Expert.objects.filter(pk=experts[7].pk).update(user=expert_user)
    analyze()

    cache.clear()
    print(
        "data: 1,500 schools and a full cycle; settings: "
        + ("production (PostgreSQL, Redis)" if PRODUCTION else "embedded default (no Redis)")
    )

    session_cookie = signed_in_cookie

    get = wsgi_get(HOST)

    def stale() -> None:
        stampcache.bump(stampcache.QUEUES)
        stampcache.bump(stampcache.HEAT)

    cookies = {
        "staff": session_cookie(staff),
        "committee": session_cookie(committee),
        "school": session_cookie(school_user),
        "expert": session_cookie(expert_user),
    }
    pages = [
        ("province home", "/", "staff", False),
        ("province home — after a change", "/", "staff", True),
        ("committee home", "/", "committee", False),
        ("heatmap, province", "/workbench/heatmap/", "staff", False),
        ("heatmap, province — after a change", "/workbench/heatmap/", "staff", True),
        ("school home", "/", "school", False),
        ("school home — after a change", "/", "school", True),
        ("school's heatmap row", "/workbench/heatmap/", "school", False),
        ("expert home", "/", "expert", False),
    ]
    counts = {}
    for label, url, who, fresh in pages:
        status, body = get(url, cookies[who])
        assert status == 200, (label, status, body[:300])
        if fresh:
            stale()
        with CaptureQueriesContext(connection) as captured:
            get(url, cookies[who])
        counts[label] = len(captured)

    if profile := os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        for label, url, who, fresh in pages:
            if profile in label:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(10):
                    if fresh:
                        stale()
                    get(url, cookies[who])
                profiler.disable()
                print(f"== {label}: 10 requests")
                stats = pstats.Stats(profiler).strip_dirs()
                stats.sort_stats("cumulative").print_stats(45)
                stats.sort_stats("tottime").print_stats(20)
        sys.exit(0)

    def interleaved(action) -> list[float]:
        """Medians of the floor, the signed-in floor and the page, requested in turn."""
        floor_get = lambda: get("/bench/floor/")  # noqa: E731
        signed_get = lambda: get("/bench/floor/", cookies["staff"])  # noqa: E731
        return in_turn([floor_get, signed_get, action])

    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    ratios: dict[str, list[tuple[float, float]]] = {label: [] for label, *_ in pages}
    for n in range(1, rounds + 1):
        print(f"round {n}: each page with the floor and the signed-in floor requested in turn")
        for label, url, who, fresh in pages:
            cookie = cookies[who]
            if fresh:
                action = lambda u=url, c=cookie: (stale(), get(u, c))  # noqa: E731
            else:
                action = lambda u=url, c=cookie: get(u, c)  # noqa: E731
            floor, signed, ms = interleaved(action)
            ratios[label].append((ms / floor, ms / signed))
            print(
                f"  {label:<36} {ms:7.2f} ms  {ms / floor:5.2f}× floor ({floor:.2f} ms)  "
                f"{ms / signed:5.2f}× signed-in floor ({signed:.2f} ms)  {counts[label]:>2} queries"
            )
    width = max(len(label) for label in ratios)
    print(f"\nover {rounds} rounds (cost, lower is better; target ≤ 3× the floor)")
    print(f"{'page':<{width}}  {'× floor':>11}  {'× signed-in floor':>17}  queries")
    for label, values in ratios.items():
        lo, hi = min(v[0] for v in values), max(v[0] for v in values)
        slo, shi = min(v[1] for v in values), max(v[1] for v in values)
        print(
            f"{label:<{width}}  {lo:4.2f}–{hi:4.2f}×  {slo:10.2f}–{shi:4.2f}×  {counts[label]:>7}"
        )
