"""The daily deadline scan over 1,500 schools with a full cycle of data (target ≤ 2 s).

Every school has a staff account, a self-diagnosis in the cycle (a third not submitted),
implementation rules for half; a third are re-checked with five experts each, verdicts
published with rectification plans, some sanctions open. Measured on a day when the R20
reminders fire for the schools that have not filed, so the scan really writes notices.
"""

import statistics
import time
from datetime import date, timedelta

from harness import analyze, measure, test_database

with test_database():
    import random

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from indicators.models import IndicatorSystem
    from notices.models import Notice
    from notices.services.scan import scan
    from review.models import (
        ImplementationRules,
        PanelAssignment,
        Recheck,
        Rectification,
        ReportStatus,
        Sanction,
        SelfDiagnosis,
        VerdictRecord,
    )
    from review.services.rechecks import create_cycle
    from schools.models import City, Expert, ExpertKind, School, SchoolUserObjectPermission, User
    from schools.roles import Role
    from schools.services.people import ensure_role_groups, upsert_person
    from zhengai.celery import app

    app.conf.task_default_queue = "bench-scan"  # nothing reaches a real worker
    call_command("load_fixtures", verbosity=0)
    ensure_role_groups()
    rng = random.Random(6)
    system = IndicatorSystem.objects.get(in_force=True)
    staff = upsert_person(
        username="bench-staff", display_name="省", role=Role.PROVINCIAL_STAFF, password="x" * 12,
        email="staff@bench.invalid",
    )  # fmt: skip
    cycle = create_cycle(start_year=2026, user=staff)
    with transaction.atomic():
        School.objects.bulk_create(
            School(name=f"基准职业技术学院{i:04d}", city=rng.choice(City.values))
            for i in range(1500 - School.objects.count())
        )
        schools = list(School.objects.all())
        users = User.objects.bulk_create(
            User(username=f"s{s.pk}", email=f"s{s.pk}@bench.invalid") for s in schools
        )
        from django.contrib.auth.models import Group

        group = Group.objects.get(name=Role.SCHOOL_STAFF)
        group.user_set.add(*users)
        from django.contrib.auth.models import Permission

        perm = Permission.objects.get(codename="act_for_school")
        SchoolUserObjectPermission.objects.bulk_create(
            SchoolUserObjectPermission(user=u, permission=perm, content_object=s)
            for u, s in zip(users, schools, strict=True)
        )
        SelfDiagnosis.objects.bulk_create(
            SelfDiagnosis(
                school=s, year=2026, system=system,
                status=ReportStatus.SUBMITTED if i % 3 else ReportStatus.DRAFT,
                principal_name="校长", signed_on=date(2026, 3, 1), snapshot={"rows": []},
            )
            for i, s in enumerate(schools)
        )  # fmt: skip
        ImplementationRules.objects.bulk_create(
            ImplementationRules(
                school=s, year=2026, token=f"t{s.pk}", original_name="细则.pdf", kind="pdf",
                size=1, sha256="0" * 64, uploaded_by=staff,
            )
            for s in schools[::2]
        )  # fmt: skip
        experts = Expert.objects.bulk_create(
            Expert(name=f"专家{i}", employer="单位", kind=rng.choice(ExpertKind.values))
            for i in range(300)
        )
        start = date(2026, 6, 1)
        rechecks = Recheck.objects.bulk_create(
            Recheck(
                cycle=cycle, school=s, planned_year=2026,
                start_date=start + timedelta(days=i % 200),
                end_date=start + timedelta(days=i % 200 + 2),
            )
            for i, s in enumerate(schools[::3])
        )  # fmt: skip
        PanelAssignment.objects.bulk_create(
            PanelAssignment(recheck=r, expert=e, assigned_by=staff)
            for r in rechecks
            for e in rng.sample(experts, 5)
        )
        now = timezone.now()
        verdicts = VerdictRecord.objects.bulk_create(
            VerdictRecord(
                school=r.school, cycle=cycle, recheck=r, published_by=staff,
                verdict=rng.choice(["effective", "needs_improvement", "abnormal"]),
                matched=10, measures_rating="adequate", published_at=now - timedelta(days=340),
                ranks_at=now - timedelta(days=340),
            )
            for r in rechecks[:200]
        )  # fmt: skip
        Rectification.objects.bulk_create(
            Rectification(verdict=v, due=date(2026, 6, 5)) for v in verdicts
        )
        Sanction.objects.bulk_create(
            Sanction(school=v.school, opened_by=v, opened_on=date(2025, 12, 1))
            for v in verdicts
            if v.verdict == "abnormal"
        )
    analyze()
    today = date(2026, 5, 27)
    with CaptureQueriesContext(connection) as queries:
        first = scan(today=today)
    print(f"first scan wrote {first.created} notices in {len(queries)} queries")

    timings = []
    for _ in range(5):
        Notice.objects.all().delete()
        began = time.perf_counter()
        result = scan(today=today)
        timings.append(time.perf_counter() - began)
    print(
        f"scan writing {result.created} notices (1,500 schools): median "
        f"{statistics.median(timings) * 1000:.0f} ms, min {min(timings) * 1000:.0f} ms, "
        f"max {max(timings) * 1000:.0f} ms over 5 runs ({connection.vendor})"
    )
    measure(
        "scan with nothing new (idempotent re-run)", lambda: scan(today=today), runs=5, warmup=1
    )
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("bench-scan")
