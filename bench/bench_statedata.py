"""State data: import one school's workbook (target ≤ 1 s) and recompute every indicator and
card for 1,500 schools × 3 years (target ≤ 2 s on PostgreSQL), with a constant query count."""

import cProfile
import io
import pstats
import random
import sys

from harness import measure, test_database

with test_database():
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from openpyxl import load_workbook

    from schools.models import City, School, User
    from statedata.exporters.workbook import FIRST_ROW, ROWS, template_xlsx
    from statedata.models import FigureSet, FigureVersion, StateDataProfile, YearResult
    from statedata.services.compute import recompute
    from statedata.services.imports import import_workbook

    call_command("load_fixtures", verbosity=0)
    user = User.objects.create(username="bench")
    rng = random.Random(17)

    existing = School.objects.count()
    School.objects.bulk_create(
        [School(name=f"基准学校{i:04d}", city=City.FUZHOU) for i in range(1500 - existing)]
    )
    schools = list(School.objects.order_by("pk"))
    StateDataProfile.objects.bulk_create(
        [
            StateDataProfile(school=s, category=rng.choice(["comprehensive", "engineering"]))
            for s in schools
        ]
    )

    def figures() -> dict:
        students = rng.randint(4000, 14000)
        teachers = int(students / rng.uniform(14, 21))
        return {
            "students_regular": students,
            "full_time_teachers": teachers,
            "external_teachers": teachers // 5,
            "postgraduate_teachers": int(teachers * rng.uniform(0.1, 0.6)),
            "senior_teachers": int(teachers * rng.uniform(0.15, 0.4)),
            "teaching_area": students * rng.uniform(10, 20),
            "admin_area": students * 3,
            "equipment_total": students * rng.uniform(3000, 10000),
            "equipment_added": students * 800,
            "books_total": int(students * rng.uniform(50, 110)),
            "books_added": students * 4,
            "land_area": students * 70,
            "dormitory_area": students * 8,
            "teaching_computers": students // 5,
            "multimedia_seats": students // 2,
        }

    sets = FigureSet.objects.bulk_create(
        [FigureSet(school=s, year=y) for s in schools for y in (2023, 2024, 2025)]
    )
    versions = FigureVersion.objects.bulk_create(
        [
            FigureVersion(
                figure_set=fs, number=1, figures=figures(), size=0, sha256="", uploaded_by=user
            )
            for fs in sets
        ]
    )
    for fs, version in zip(sets, versions, strict=True):
        fs.current = version
    FigureSet.objects.bulk_update(sets, ["current"], batch_size=1000)

    # The workbook: the template filled in, plus two platform tables of 200 rows.
    _, _, blank = template_xlsx()
    book = load_workbook(io.BytesIO(blank))
    sheet = book["基础数据"]
    sample = figures()
    for offset, (key, *_rest) in enumerate(ROWS):
        if key in sample:
            sheet.cell(row=FIRST_ROW + offset, column=3, value=round(sample[key]))
    for code in ("3.4 信息化建设", "6.1 校内专任教师"):
        extra = book.create_sheet(code)
        for i in range(200):
            extra.append([f"第{i}行", i, i * 2, "文字"])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    target = schools[0]

    def do_import():
        import_workbook(school=target, year=2026, data=data, original_name="b.xlsx", user=user)

    measure("import one school's workbook (23 figures + 2 tables × 200 rows)", do_import, runs=10)

    def do_recompute():
        recompute(notify=False, force=True)

    def do_recompute_unchanged():
        recompute(notify=False)

    recompute(notify=False)
    with CaptureQueriesContext(connection) as small:
        recompute(school_ids=[s.pk for s in schools[:10]], notify=False, force=True)
    with CaptureQueriesContext(connection) as large:
        recompute(notify=False, force=True)
    print(
        f"queries: 10 schools {len(small.captured_queries)}, "
        f"1,500 schools {len(large.captured_queries)} (bulk upserts of 1,000 rows)"
    )
    count = YearResult.objects.count()
    # Every row computed and written (as after a change of the tables): the target.
    measure(
        f"recompute every indicator and card, {count} school-years, all rewritten",
        do_recompute,
        runs=5,
        warmup=1,
    )
    # Nothing changed since the last run: hashes compared, no figures read, nothing written.
    measure(
        f"recompute {count} school-years, inputs unchanged (skipped)",
        do_recompute_unchanged,
        runs=5,
        warmup=1,
    )
    if "--profile" in sys.argv:
        # Where the time goes: the top entries of one recompute, by cumulative time.
        profiler = cProfile.Profile()
        profiler.enable()
        do_recompute()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
