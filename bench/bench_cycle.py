"""Cycle planning at province scale: the overview of 1,500 schools, and proposing 90 panels.

Builds 1,500 schools with a self-diagnosis each, a 3-year cycle with a third of them picked
and scheduled, and a pool of 300 experts; then measures the overview page (and its query
count) and the whole proposal service (reads, the R19 algorithm, writes, guardian grants).
"""

from datetime import date, timedelta

from harness import analyze, measure, test_database

with test_database():
    import random

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from indicators.models import IndicatorSystem
    from review.models import PanelAssignment, Recheck, ReportStatus, SelfDiagnosis
    from review.services import panel_assignments
    from review.services import rechecks as service
    from schools.models import City, Expert, ExpertKind, School
    from schools.roles import Role
    from schools.services.people import upsert_person

    call_command("load_fixtures", verbosity=0)
    rng = random.Random(1)
    system = IndicatorSystem.objects.get(in_force=True)
    with transaction.atomic():
        School.objects.bulk_create(
            School(name=f"基准职业技术学院{i:04d}", city=rng.choice(City.values))
            for i in range(1500 - School.objects.count())
        )
        schools = list(School.objects.all())
        SelfDiagnosis.objects.bulk_create(
            SelfDiagnosis(
                school=s,
                year=2026 + rng.randrange(3),
                system=system,
                status=rng.choice([ReportStatus.DRAFT, ReportStatus.DRAFT]),
            )
            for s in schools
        )
    staff = upsert_person(
        username="bench", display_name="基准", role=Role.PROVINCIAL_STAFF, password="x" * 12
    )
    cycle = service.create_cycle(start_year=2026, user=staff)
    picked = rng.sample(schools, 500)
    start = date(2026, 3, 2)
    Recheck.objects.bulk_create(
        Recheck(
            cycle=cycle,
            school=s,
            planned_year=(start + timedelta(days=2 * i)).year,
            start_date=start + timedelta(days=2 * i),
            end_date=start + timedelta(days=2 * i + 2),
        )
        for i, s in enumerate(picked)
    )
    analyze()
    client = Client()
    client.force_login(staff)
    url = f"/cycles/{cycle.pk}/"
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    measure(f"GET cycle overview, 1,500 schools ({len(queries)} queries)", lambda: client.get(url))
    export = f"/cycles/{cycle.pk}/overview.xlsx"
    measure("GET cycle overview as .xlsx, 1,500 schools", lambda: client.get(export), runs=5)

    # The proposal service for 90 re-checks from 300 experts, writes included.
    kinds = [ExpertKind.VOCATIONAL_COLLEGE] * 4 + [ExpertKind.EDUCATION_RESEARCH] * 3
    kinds += [ExpertKind.INDUSTRY_ENTERPRISE] * 3
    Expert.objects.bulk_create(
        Expert(
            name=f"基准专家{i}",
            employer="单位",
            kind=kinds[i % 10],
            school=rng.choice(schools) if i % 3 == 0 else None,
        )
        for i in range(300)
    )
    small = service.create_cycle(start_year=2029, user=staff)
    for i, s in enumerate(rng.sample(schools, 90)):
        day = date(2029, 3, 1) + timedelta(days=3 * i)
        Recheck.objects.create(
            cycle=small,
            school=s,
            planned_year=day.year,
            start_date=day,
            end_date=day + timedelta(2),
        )

    def propose_and_undo():
        with transaction.atomic():
            panel_assignments.propose_for_cycle(cycle=small, user=staff)
            assert PanelAssignment.objects.filter(recheck__cycle=small).count() == 450
            transaction.set_rollback(True)

    measure(
        "propose_for_cycle (90 re-checks, 300 experts, writes included)", propose_and_undo, runs=5
    )
