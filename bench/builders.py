"""Province-scale data for the page benchmarks: the demo, 1,500 schools and a full cycle.

``build()`` runs ``seed_demo`` (the demo people, the demo school's report and re-check), then
adds schools up to 1,500, a self-diagnosis report for each, 300 experts, and in the demo's
cycle a third of the schools picked and scheduled with a panel of five, all eight materials
disclosed (two versions of one), half of them with a published verdict and its rectification
plan; and twenty published notices in the column. Rows go in with ``bulk_create`` (no
signals, as a data import would), then the planner's statistics are refreshed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

SCHOOLS = 1500


@dataclass
class Built:
    cycle: object
    verdict: object
    report: object
    people: dict


def build() -> Built:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from disclosure.models import ColumnDocument, DocumentKind
    from indicators.models import Element, IndicatorSystem
    from review.models import (
        Material,
        MaterialKind,
        PanelAssignment,
        Recheck,
        Rectification,
        RectificationItem,
        ReportStatus,
        SelfDiagnosis,
        VerdictRecord,
    )
    from schools.models import City, Expert, ExpertKind, School, User

    production = settings.PRODUCTION
    settings.PRODUCTION = False  # seed_demo refuses production; the data is made up (R22)
    try:
        call_command("seed_demo", verbosity=0)
    finally:
        settings.PRODUCTION = production
    rng = random.Random(16)
    people = {u.username: u for u in User.objects.filter(username__in=_LOGINS)}
    province = people["province"]
    demo = (
        Recheck.objects.select_related("cycle", "school")
        .filter(school__name="厦门海洋职业技术学院")
        .order_by("-cycle__start_year")
        .first()
    )
    cycle = demo.cycle
    system = IndicatorSystem.objects.get(in_force=True)
    now = timezone.now()
    elements = list(Element.objects.all())
    with transaction.atomic():
        School.objects.bulk_create(
            School(name=f"基准职业技术学院{i:04d}", city=rng.choice(City.values))
            for i in range(SCHOOLS - School.objects.count())
        )
        schools = list(School.objects.exclude(pk=demo.school_id).order_by("pk"))
        have_report = set(SelfDiagnosis.objects.values_list("school_id", flat=True))
        SelfDiagnosis.objects.bulk_create(
            SelfDiagnosis(
                school=s, year=cycle.start_year + rng.randrange(3), system=system,
                status=ReportStatus.SUBMITTED if submitted else ReportStatus.DRAFT,
                overview="学校诊改工作概述。" * 20,
                principal_name="校长" if submitted else "",
                signed_on=now.date() if submitted else None,
                submitted_at=now if submitted else None,
                snapshot={"overview": "学校诊改工作概述。"} if submitted else None,
            )
            for s in schools
            if s.pk not in have_report and ((submitted := rng.random() < 0.5) or True)
        )  # fmt: skip
        kinds = [ExpertKind.VOCATIONAL_COLLEGE] * 4 + [ExpertKind.EDUCATION_RESEARCH] * 3
        kinds += [ExpertKind.INDUSTRY_ENTERPRISE] * 3
        experts = Expert.objects.bulk_create(
            Expert(name=f"基准专家{i:03d}", employer="单位", kind=kinds[i % 10]) for i in range(300)
        )
        experts += list(Expert.objects.filter(user__isnull=False))
        picked = schools[::3]
        start = date(cycle.start_year, 3, 2)
        rechecks = Recheck.objects.bulk_create(
            Recheck(
                cycle=cycle, school=s, planned_year=(start + timedelta(days=2 * i)).year,
                start_date=start + timedelta(days=2 * i),
                end_date=start + timedelta(days=2 * i + 2), materials_published_at=now,
            )
            for i, s in enumerate(picked)
        )  # fmt: skip
        PanelAssignment.objects.bulk_create(
            PanelAssignment(
                recheck=r, expert=e, is_lead=j == 0, assigned_by=province, certified_at=now
            )
            for r in rechecks
            for j, e in enumerate(rng.sample(experts, 5))
        )
        Material.objects.bulk_create(
            Material(
                recheck=r, kind=k, token=f"b{r.pk}-{k}-{v}", original_name=f"材料{k}.pdf",
                content_kind="pdf", size=1024, sha256=f"{r.pk:032d}{k:016d}{v:016d}",
                uploaded_by=province, disclosed_at=now, document=f"materials/{r.pk}/{k}-{v}.pdf",
            )
            for r in rechecks
            for k in MaterialKind.values
            for v in ((1, 2) if k == MaterialKind.PLANS else (1,))
        )  # fmt: skip
        verdicts = VerdictRecord.objects.bulk_create(
            VerdictRecord(
                school=r.school, cycle=cycle, recheck=r, published_by=province,
                published_at=now - timedelta(minutes=i), ranks_at=now - timedelta(minutes=i),
                verdict=rng.choice(["effective", "needs_improvement", "abnormal"]),
                matched=11, measures_rating="strong", report="复核报告正文。" * 40,
            )
            for i, r in enumerate(rechecks[::2])
        )  # fmt: skip
        plans = Rectification.objects.bulk_create(
            Rectification(verdict=v, due=date(cycle.start_year + 1, 12, 1)) for v in verdicts
        )
        RectificationItem.objects.bulk_create(
            RectificationItem(rectification=p, element=e, plan="整改措施")
            for p in plans
            for e in elements
        )
        ColumnDocument.objects.bulk_create(
            ColumnDocument(
                kind=DocumentKind.NOTICE, slug=f"bench-notice-{i}", title=f"关于诊改工作的通知{i}",
                body="通知正文。" * 100, published_at=now - timedelta(days=i), updated_by=province,
            )
            for i in range(20)
        )  # fmt: skip
    report = SelfDiagnosis.objects.filter(school=demo.school).order_by("-year").first()
    return Built(cycle=cycle, verdict=verdicts[len(verdicts) // 2], report=report, people=people)


_LOGINS = ("province", "school.xmhy", "expert.a", "committee")
