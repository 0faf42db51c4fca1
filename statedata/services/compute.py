"""Early warning (预警): every indicator, the card and the trend warnings per school and year.

A fixed number of queries however many schools: read the current figures of every year of
the schools asked for, compute in memory (the pure rule in ``conditions``), upsert the
results in bulk, and write a notice for each yellow or red card and each new trend warning
through the notices' idempotent writer. Running it twice changes nothing the second time.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from notices.models import NoticeKind, Stage
from notices.services.scan import Due, write_notices
from schools.models import School
from statedata.models import FigureSet, StateDataProfile, YearResult
from statedata.services import conditions
from statedata.services.conditions import ALL_INDICATORS, Card, Level, SchoolCategory

DEFAULT_CATEGORY = SchoolCategory.COMPREHENSIVE
BATCH = 1000


@dataclass
class ComputeResult:
    results: int = 0
    notices: int = 0


def category_of(profiles: dict[int, str], school_id: int) -> SchoolCategory:
    return SchoolCategory(profiles.get(school_id, DEFAULT_CATEGORY))


def recompute(*, school_ids: Iterable[int] | None = None, notify: bool = True) -> ComputeResult:
    """Recompute every year of the given schools (all schools when None); idempotent."""
    standards = conditions.load_standards()
    sets = FigureSet.objects.filter(current__isnull=False)
    profiles_qs = StateDataProfile.objects.all()
    results_qs = YearResult.objects.all()
    if school_ids is not None:
        school_ids = list(school_ids)
        sets = sets.filter(school_id__in=school_ids)
        profiles_qs = profiles_qs.filter(school_id__in=school_ids)
        results_qs = results_qs.filter(school_id__in=school_ids)
    with transaction.atomic():
        rows = list(sets.values_list("school_id", "year", "current_id", "current__figures"))
        profiles = dict(profiles_qs.values_list("school_id", "category"))
        before = {
            (school_id, year): (card, warnings)
            for school_id, year, card, warnings in results_qs.values_list(
                "school_id", "year", "card", "warnings"
            )
        }
        by_school: dict[int, list[tuple[int, int, dict]]] = defaultdict(list)
        for school_id, year, version_id, figures in rows:
            by_school[school_id].append((year, version_id, figures or {}))

        now = timezone.now()
        results: list[YearResult] = []
        for school_id, years in by_school.items():
            results += _school_results(
                school_id, sorted(years), category_of(profiles, school_id), standards, now
            )
        _upsert(results)
        created = 0
        if notify:
            dues = _dues(results, before)
            if dues:
                created = write_notices(dues)
    return ComputeResult(results=len(results), notices=created)


_FIELDS = (
    "version_id",
    "category",
    "standards_version",
    "indicators",
    "levels",
    "card",
    "warnings",
    "computed_at",
)
_UPSERT_SQL = """
INSERT INTO statedata_yearresult
    (school_id, year, version_id, category, standards_version, indicators, levels, card,
     warnings, computed_at)
SELECT r.school_id, r.year, r.version_id, r.category, r.standards_version, r.indicators,
       r.levels, r.card, r.warnings, %s
FROM jsonb_to_recordset(%s::jsonb) AS r(
    school_id integer, year integer, version_id integer, category text,
    standards_version text, indicators jsonb, levels jsonb, card text, warnings jsonb)
ON CONFLICT (school_id, year) DO UPDATE SET
    version_id = EXCLUDED.version_id, category = EXCLUDED.category,
    standards_version = EXCLUDED.standards_version, indicators = EXCLUDED.indicators,
    levels = EXCLUDED.levels, card = EXCLUDED.card, warnings = EXCLUDED.warnings,
    computed_at = EXCLUDED.computed_at
"""


def _upsert(results: list[YearResult]) -> None:
    """Insert or update the rows in batches: one statement per 1,000 rows."""
    if connection.vendor == "postgresql":
        # One JSON parameter per batch: Django's bulk upsert sends JSON columns as escaped
        # text arrays, which costs more than the computation itself at 4,500 rows.
        with connection.cursor() as cursor:
            for start in range(0, len(results), BATCH):
                rows = [
                    {
                        "school_id": r.school_id,
                        "year": r.year,
                        "version_id": r.version_id,
                        "category": r.category,
                        "standards_version": r.standards_version,
                        "indicators": r.indicators,
                        "levels": r.levels,
                        "card": r.card,
                        "warnings": r.warnings,
                    }
                    for r in results[start : start + BATCH]
                ]
                cursor.execute(_UPSERT_SQL, [results[0].computed_at, json.dumps(rows)])
        return
    for start in range(0, len(results), BATCH):
        YearResult.objects.bulk_create(
            results[start : start + BATCH],
            update_conflicts=True,
            unique_fields=["school", "year"],
            update_fields=[f.removesuffix("_id") for f in _FIELDS],
        )


def _school_results(school_id, years, category, standards, now) -> list[YearResult]:
    """One school's years in order: each year's card depends on the two before it."""
    results: list[YearResult] = []
    cards: dict[int, Card] = {}
    values: dict[int, dict] = {}
    for year, version_id, figures in years:
        indicators = conditions.all_indicators(figures, standards)
        # "Three years in a row": only the two years just before count, both present.
        previous = (
            [cards[y] for y in (year - 2, year - 1)] if {year - 2, year - 1} <= set(cards) else []
        )
        assessment = conditions.assess(
            category, indicators, previous, figures=figures, standards=standards
        )
        cards[year] = assessment.card
        values[year] = indicators
        levels = {**assessment.levels, **assessment.monitoring}
        warnings = [
            {
                "kind": level.value,
                "indicator": code,
                "text": f"{standards.indicators[code].label}{level.label}",
            }
            for code, level in levels.items()
            if level in (Level.BELOW_QUALIFIED, Level.BELOW_RESTRICTED)
        ]
        for code in ALL_INDICATORS:
            series = [values.get(y, {}).get(code) for y in (year - 2, year - 1, year)]
            if conditions.worsening(series, standards.indicators[code].direction):
                warnings.append(
                    {
                        "kind": "trend",
                        "indicator": code,
                        "text": f"{standards.indicators[code].label}连续三年变差",
                    }
                )
        results.append(
            YearResult(
                school_id=school_id,
                year=year,
                version_id=version_id,
                category=category.value,
                standards_version=standards.version,
                indicators={
                    k: (round(v, 4) if v is not None else None) for k, v in indicators.items()
                },
                levels={k: v.value for k, v in levels.items()},
                card=assessment.card.value,
                warnings=warnings,
                computed_at=now,
            )
        )
    return results


def _dues(results: list[YearResult], before: dict) -> list[Due]:
    """A notice for each yellow/red card and each trend warning not there before."""
    names = dict(
        School.objects.filter(pk__in={r.school_id for r in results}).values_list("pk", "name")
    )
    url = reverse("statedata:index")
    dues: list[Due] = []
    for result in results:
        name = names.get(result.school_id, "")
        due = date(result.year, 12, 31)
        old_card, old_warnings = before.get((result.school_id, result.year), (None, []))
        if result.card in (Card.YELLOW, Card.RED):
            label = Card(result.card).label
            dues.append(
                Due(
                    kind=NoticeKind.CONDITIONS_CARD,
                    subject=f"statedata:{result.school_id}:{result.year}:{result.card}",
                    due=due,
                    stage=Stage.EVENT,
                    title=f"{name}：{result.year} 年办学条件为{label}",
                    body=_card_body(result),
                    url=url,
                    school_id=result.school_id,
                )
            )
        old_trends = {w["indicator"] for w in old_warnings or [] if w.get("kind") == "trend"}
        for warning in result.warnings:
            if warning["kind"] != "trend" or warning["indicator"] in old_trends:
                continue
            dues.append(
                Due(
                    kind=NoticeKind.CONDITIONS_TREND,
                    subject=f"statedata:{result.school_id}:{result.year}:{warning['indicator']}"[
                        :60
                    ],
                    due=due,
                    stage=Stage.EVENT,
                    title=f"{name}：{warning['text']}（{result.year} 年）",
                    body="该指标已连续三年变差，请在自我诊断中分析原因并提出改进措施。",
                    url=url,
                    school_id=result.school_id,
                )
            )
    return dues


def _card_body(result: YearResult) -> str:
    standards = conditions.load_standards()
    below = [
        standards.indicators[code].label
        for code, level in result.levels.items()
        if level == Level.BELOW_RESTRICTED
    ]
    return (
        "按《普通高等学校基本办学条件指标（试行）》，以下基本办学条件指标低于限制招生标准："
        + "、".join(below)
        + "。"
    )
