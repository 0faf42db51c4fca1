"""The public column at province scale: home page and a school's page (target ≤ 30 ms).

1,500 schools, a third re-checked with all eight materials disclosed (two versions of one),
verdicts published with rectification plans, the plan document and a few notices.
"""

from datetime import date, timedelta

from harness import analyze, measure, test_database

with test_database():
    import random

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from indicators.models import Element
    from review.models import (
        Material,
        MaterialKind,
        Recheck,
        Rectification,
        RectificationItem,
        VerdictRecord,
    )
    from review.services.rechecks import create_cycle
    from schools.models import City, School
    from schools.roles import Role
    from schools.services.people import upsert_person

    call_command("load_fixtures", verbosity=0)
    rng = random.Random(7)
    staff = upsert_person(
        username="bench", display_name="省", role=Role.PROVINCIAL_STAFF, password="x" * 12
    )
    cycle = create_cycle(start_year=2026, user=staff)
    now = timezone.now()
    elements = list(Element.objects.all())
    with transaction.atomic():
        School.objects.bulk_create(
            School(name=f"基准职业技术学院{i:04d}", city=rng.choice(City.values))
            for i in range(1500 - School.objects.count())
        )
        schools = list(School.objects.all())
        rechecks = Recheck.objects.bulk_create(
            Recheck(
                cycle=cycle, school=s, planned_year=2026, materials_published_at=now,
                start_date=date(2026, 12, 1) + timedelta(days=i % 300),
                end_date=date(2026, 12, 3) + timedelta(days=i % 300),
            )
            for i, s in enumerate(schools[::3])
        )  # fmt: skip
        Material.objects.bulk_create(
            Material(
                recheck=r, kind=k, token=f"{r.pk}-{k}-{v}", original_name=f"材料{k}.pdf",
                content_kind="pdf", size=1024, sha256=f"{r.pk:032d}{k:016d}{v:016d}",
                uploaded_by=staff, disclosed_at=now, document=f"materials/{r.pk}/{k}-{v}.pdf",
            )
            for r in rechecks
            for k in MaterialKind.values
            for v in ((1, 2) if k == MaterialKind.PLANS else (1,))
        )  # fmt: skip
        verdicts = VerdictRecord.objects.bulk_create(
            VerdictRecord(
                school=r.school, cycle=cycle, recheck=r, published_by=staff, published_at=now,
                ranks_at=now,
                verdict=rng.choice(["effective", "needs_improvement", "abnormal"]),
                matched=11, measures_rating="strong",
            )
            for r in rechecks
        )  # fmt: skip
        plans = Rectification.objects.bulk_create(
            Rectification(verdict=v, due=date(2027, 12, 1)) for v in verdicts
        )
        RectificationItem.objects.bulk_create(
            RectificationItem(rectification=p, element=e, plan="整改措施")
            for p in plans
            for e in elements
        )
    analyze()
    client = Client()
    school = rechecks[len(rechecks) // 2].school
    for label, url in (
        ("column home", "/column/"),
        ("a school's page", f"/column/schools/{school.pk}/"),
    ):
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        measure(
            f"GET {label}, 1,500 schools ({len(queries)} queries)", lambda url=url: client.get(url)
        )
