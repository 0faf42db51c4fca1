"""Workbenches and the heatmap at province scale, against a floor page served the same way.

1,500 schools, a full cycle: every school's report of the year (a mix of states) and its
implementation rules (most), a third of the schools re-checked with a panel of five, each
panel's findings consolidated and the verdict published with a rectification plan; a few
sanctions and failed e-mails. Each workbench's median and query count is printed beside the
floor: one indexed query and one small template behind the same middleware and session, and
the ratio to it (target ≤ 3×).
"""

from datetime import date, timedelta

from harness import analyze, measure, test_database

with test_database():
    import random

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.http import HttpResponse
    from django.template import engines
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import clear_url_caches, path
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

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

    # The floor: one indexed query and one small template, behind the same stack and session.
    floor_template = engines["django"].from_string("<!doctype html><p>{{ school.name }}</p>")

    def floor(request):
        found = School.objects.filter(pk=school.pk).first()
        return HttpResponse(floor_template.render({"school": found}, request))

    from zhengai import urls as project_urls

    project_urls.urlpatterns.append(path("bench-floor/", floor))
    clear_url_caches()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    def client_for(user):
        client = Client()
        client.force_login(user)
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, confirmed=True, defaults={"name": "基准"}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    pages = [
        ("floor page (1 indexed query, tiny template)", staff, "/bench-floor/"),
        ("province workbench", staff, "/"),
        ("committee workbench", committee, "/"),
        ("heatmap, province", staff, "/workbench/heatmap/"),
        ("school workbench", school_user, "/"),
        ("school heatmap row", school_user, "/workbench/heatmap/"),
        ("expert workbench", expert_user, "/"),
    ]
    import os

    if os.environ.get("BENCH_PROFILE"):  # e.g. BENCH_PROFILE=heatmap: where the time goes
        import cProfile
        import pstats

        for label, user, url in pages:
            if os.environ["BENCH_PROFILE"] in label:
                client = client_for(user)
                client.get(url)
                profile = cProfile.Profile()
                profile.runcall(lambda client=client, url=url: [client.get(url) for _ in range(3)])
                print(f"== {label}")
                lines = int(os.environ.get("BENCH_PROFILE_LINES", "30"))
                pstats.Stats(profile).sort_stats("cumulative").print_stats(lines)
    floor_ms = None
    for label, user, url in pages:
        client = client_for(user)
        response = client.get(url)
        assert response.status_code == 200, (label, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        if os.environ.get("BENCH_SQL") and os.environ["BENCH_SQL"] in label:
            for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:8]:
                print(f"  {float(q['time']) * 1000:.1f} ms  {q['sql'][:300]}")
        median = measure(
            f"GET {label}, 1,500 schools ({len(queries)} queries)",
            lambda client=client, url=url: client.get(url),
            runs=15,
        )
        if floor_ms is None:
            floor_ms = median
        else:
            print(f"    → {median / floor_ms:.1f}× the floor (target ≤ 3×)")
