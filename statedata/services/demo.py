"""Made-up state data for the demo schools (R22: nothing here describes a real school)."""

from __future__ import annotations

import random

from django.db import transaction
from django.utils import timezone

from schools.models import School
from statedata.models import FigureSet, StateDataProfile
from statedata.services.compute import recompute
from statedata.services.imports import store_figures

WARNING_SCHOOL = "厦门海洋职业技术学院"  # the demo school that ends on a warning
DEMO_SCHOOLS = 24  # enough schools for the distributions to mean something
# Yearly growth: students slower than teachers, rooms, equipment and books (5 % unless named),
# so every indicator improves by more than rounding moves it and only the warning school
# shows a trend (an equal growth would leave ratios flat and rounding make false trends).
GROWTH = {
    "students_regular": 0.03,
    "students_adult_full_time": 0.03,
    "full_time_teachers": 0.04,
    "external_teachers": 0.04,
    "postgraduate_teachers": 0.07,
    "senior_teachers": 0.07,
    "equipment_added": 0.08,
    "books_added": 0.07,
}


def _figures(rng: random.Random, scale: float) -> dict:
    students = int(rng.uniform(5000, 12000))
    teachers = int(students / rng.uniform(14.5, 17.5))
    return {
        "students_regular": students,
        "students_adult_full_time": int(students * rng.uniform(0, 0.03)),
        "full_time_teachers": teachers,
        "external_teachers": int(teachers * rng.uniform(0.1, 0.25)),
        "postgraduate_teachers": int(teachers * rng.uniform(0.3, 0.6)),
        "senior_teachers": int(teachers * rng.uniform(0.22, 0.4)),
        "teaching_area": round(students * rng.uniform(14, 20)),
        "admin_area": round(students * rng.uniform(2, 4)),
        "equipment_total": round(students * rng.uniform(6000, 12000) * scale),
        "equipment_added": round(students * rng.uniform(700, 1500)),
        "books_total": int(students * rng.uniform(85, 110) * scale),
        "books_added": int(students * rng.uniform(3.2, 5)),
        "land_area": round(students * rng.uniform(60, 90)),
        "dormitory_area": round(students * rng.uniform(7, 10)),
        "teaching_computers": int(students * rng.uniform(0.15, 0.3)),
        "multimedia_seats": int(students * rng.uniform(0.3, 0.6)),
    }


@transaction.atomic
def seed_demo_statedata(*, user) -> int:
    """Three years of figures for the demo schools; idempotent (existing years are kept)."""
    last = timezone.localdate().year - 1
    years = [last - 2, last - 1, last]
    schools = list(School.objects.order_by("name")[:DEMO_SCHOOLS])
    warning = School.objects.filter(name=WARNING_SCHOOL).first()
    if warning and warning not in schools:
        schools.append(warning)
    existing = set(FigureSet.objects.values_list("school_id", "year"))
    added = 0
    for school in schools:
        StateDataProfile.objects.get_or_create(
            school=school,
            defaults={"category": "engineering" if school.pk % 2 else "comprehensive"},
        )
        rng = random.Random(f"demo-{school.name}")
        base = _figures(rng, 1.0)
        for index, year in enumerate(years):
            if (school.pk, year) in existing:
                continue
            figures = {k: round(v * (1 + GROWTH.get(k, 0.05) * index)) for k, v in base.items()}
            if school == warning:
                # Books per student falling each year, the last below 合格 (80 for 综合).
                students = figures["students_regular"] + figures["students_adult_full_time"]
                figures["books_total"] = int(students * (86, 82, 76)[index])
            store_figures(
                school=school,
                year=year,
                figures=figures,
                tables={},
                user=user,
                original_name="演示数据",
                recompute=False,
            )
            added += 1
    if warning:
        StateDataProfile.objects.filter(school=warning).update(category="comprehensive")
    recompute(school_ids=[s.pk for s in schools])
    return added
