"""Early warning (预警): every indicator, the card and the trend warnings per school and year.

A fixed number of queries however many schools: read which figure version is current for
every year of the schools asked for and the stored results' input hashes, compute in memory
(the pure rule in ``conditions``, its tables looked up once per category) only the schools
whose inputs changed, upsert the changed rows in one statement per 1,000, and write a notice
for each yellow or red card and each new trend warning through the notices' idempotent
writer. Running it twice changes nothing the second time, and writes nothing.

A year's result depends on its figures, the school's category, the tables, and the two
years before it (their cards and values): its input hash chains those, so a new version of
one year recomputes that year and the years after it.
"""

from __future__ import annotations

import hashlib
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
from statedata import events
from statedata.models import FigureSet, FigureVersion, StateDataProfile, YearResult
from statedata.services import conditions, conditions_plan
from statedata.services.conditions import ALL_INDICATORS, Card, Level, SchoolCategory

DEFAULT_CATEGORY = SchoolCategory.COMPREHENSIVE
BATCH = 1000
# Bump when the way a result is computed changes: every stored result is then recomputed.
COMPUTE_VERSION = "2"
_WARNING_LEVELS = (Level.BELOW_QUALIFIED, Level.BELOW_RESTRICTED)


@dataclass
class ComputeResult:
    results: int = 0  # school-years with an up-to-date result (computed now or before)
    notices: int = 0
    written: int = 0  # rows computed now because their inputs changed (or forced)


def category_of(profiles: dict[int, str], school_id: int) -> SchoolCategory:
    return SchoolCategory(profiles.get(school_id, DEFAULT_CATEGORY))


_PLANS: dict[int, tuple[conditions.Standards, conditions_plan.Plan]] = {}


def _plan(standards: conditions.Standards) -> conditions_plan.Plan:
    """The tables compiled once per loaded standards (they are cached, so by identity)."""
    cached = _PLANS.get(id(standards))
    if cached is None or cached[0] is not standards:
        cached = _PLANS[id(standards)] = (standards, conditions_plan.Plan(standards))
    return cached[1]


def inputs_hash(prefix: str, version_id: int, before: tuple[str | None, str | None]) -> str:
    """What a year's result is computed from: the tables, category, its version, and the
    two years before (by their own hashes, so the chain of cards is in it)."""
    key = f"{prefix}|{version_id}|{before[0] or '-'}|{before[1] or '-'}"
    return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


def recompute(
    *, school_ids: Iterable[int] | None = None, notify: bool = True, force: bool = False
) -> ComputeResult:
    """Recompute every year of the given schools (all schools when None); idempotent.

    Years whose inputs are unchanged since the stored result are skipped unless ``force``.
    """
    standards = conditions.load_standards()
    plan = _plan(standards)
    sets = FigureSet.objects.filter(current__isnull=False)
    profiles_qs = StateDataProfile.objects.all()
    results_qs = YearResult.objects.all()
    if school_ids is not None:
        school_ids = list(school_ids)
        sets = sets.filter(school_id__in=school_ids)
        profiles_qs = profiles_qs.filter(school_id__in=school_ids)
        results_qs = results_qs.filter(school_id__in=school_ids)
    with transaction.atomic():
        rows = list(sets.values_list("school_id", "year", "current_id"))
        profiles = dict(profiles_qs.values_list("school_id", "category"))
        stored_fields = ("school_id", "year", "inputs_hash") + (
            ("card", "warnings") if notify else ()
        )
        stored = {(r[0], r[1]): r[2:] for r in results_qs.values_list(*stored_fields)}

        by_school: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for school_id, year, version_id in rows:
            by_school[school_id].append((year, version_id))

        # Which schools have a year whose inputs changed (hashes only: no figures read).
        todo: dict[int, tuple[SchoolCategory, list, dict[int, str]]] = {}
        for school_id, years in by_school.items():
            years.sort()
            category = category_of(profiles, school_id)
            prefix = f"{COMPUTE_VERSION}|{plan.digest}|{category.value}"
            hashes: dict[int, str] = {}
            changed = force
            for year, version_id in years:
                hashes[year] = inputs_hash(
                    prefix, version_id, (hashes.get(year - 2), hashes.get(year - 1))
                )
                old = stored.get((school_id, year))
                changed = changed or old is None or old[0] != hashes[year]
            if changed:
                todo[school_id] = (category, years, hashes)

        figures_of: dict[int, dict] = {}
        if todo:
            version_ids = [v for _, years, _ in todo.values() for _, v in years]
            figures_of = dict(
                FigureVersion.objects.filter(pk__in=version_ids).values_list("pk", "figures")
            )
        out: list[dict] = []
        for school_id, (category, years, hashes) in todo.items():
            for row in _school_rows(school_id, years, category, plan, figures_of):
                old = stored.get((school_id, row["year"]))
                if force or old is None or old[0] != hashes[row["year"]]:
                    row["inputs_hash"] = hashes[row["year"]]
                    out.append(row)
        now = timezone.now()
        _upsert(out, now, standards.version)
        if out:
            events.results_computed.send(sender=YearResult, written=len(out))
        created = 0
        if notify and out:
            dues = _dues(out, {k: v[1:] for k, v in stored.items()})
            if dues:
                created = write_notices(dues)
    return ComputeResult(results=len(rows), notices=created, written=len(out))


_UPSERT_SQL = """
INSERT INTO statedata_yearresult
    (school_id, year, version_id, category, standards_version, indicators, levels, card,
     warnings, inputs_hash, computed_at)
SELECT r.school_id, r.year, r.version_id, r.category, %s, r.indicators,
       r.levels, r.card, r.warnings, r.inputs_hash, %s
FROM jsonb_to_recordset(%s::jsonb) AS r(
    school_id integer, year integer, version_id integer, category text,
    indicators jsonb, levels jsonb, card text, warnings jsonb, inputs_hash text)
ON CONFLICT (school_id, year) DO UPDATE SET
    version_id = EXCLUDED.version_id, category = EXCLUDED.category,
    standards_version = EXCLUDED.standards_version, indicators = EXCLUDED.indicators,
    levels = EXCLUDED.levels, card = EXCLUDED.card, warnings = EXCLUDED.warnings,
    inputs_hash = EXCLUDED.inputs_hash, computed_at = EXCLUDED.computed_at
"""


def _upsert(rows: list[dict], now, standards_version: str) -> None:
    """Insert or update the changed rows: one statement per 1,000 rows."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        # One JSON parameter per batch: Django's bulk upsert sends JSON columns as escaped
        # text arrays, which costs more than the computation itself at 4,500 rows.
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH):
                payload = json.dumps(rows[start : start + BATCH], ensure_ascii=False)
                cursor.execute(_UPSERT_SQL, [standards_version, now, payload])
        return
    objects = [
        YearResult(**row, standards_version=standards_version, computed_at=now) for row in rows
    ]
    fields = [
        "version",
        "category",
        "standards_version",
        "indicators",
        "levels",
        "card",
        "warnings",
        "inputs_hash",
        "computed_at",
    ]
    for start in range(0, len(objects), BATCH):
        YearResult.objects.bulk_create(
            objects[start : start + BATCH],
            update_conflicts=True,
            unique_fields=["school", "year"],
            update_fields=fields,
        )


def _school_rows(school_id, years, category, plan, figures_of) -> list[dict]:
    """One school's years in order, as plain dicts: each card depends on the two before."""
    standards = plan.standards
    indicators_meta = standards.indicators
    rows: list[dict] = []
    cards: dict[int, Card] = {}
    values: dict[int, dict] = {}
    exact: dict[int, conditions_plan._ExactLater] = {}
    for year, version_id in years:
        figures = figures_of.get(version_id) or {}
        indicators = conditions.all_indicators(figures, standards)
        basic, monitoring = plan.judge(category.value, indicators, figures)
        # "Three years in a row": only the two years just before count, both present.
        previous = (
            [cards[year - 2], cards[year - 1]] if year - 2 in cards and year - 1 in cards else ()
        )
        card = conditions.card_for(basic, previous)
        cards[year] = card
        values[year] = indicators
        exact[year] = conditions_plan._ExactLater(figures, standards)
        levels = {**basic, **monitoring}
        warnings = [
            {
                "kind": level.value,
                "indicator": code,
                "text": f"{indicators_meta[code].label}{level.label}",
            }
            for code, level in levels.items()
            if level in _WARNING_LEVELS
        ]
        if year - 2 in values and year - 1 in values:
            earlier, last = values[year - 2], values[year - 1]
            for code in ALL_INDICATORS:
                series = (earlier[code], last[code], indicators[code])
                lazies = [exact[y].of(code) for y in (year - 2, year - 1, year)]
                if conditions.worsening(series, plan.direction[code], lazies):
                    warnings.append(
                        {
                            "kind": "trend",
                            "indicator": code,
                            "text": f"{indicators_meta[code].label}连续三年变差",
                        }
                    )
        rows.append(
            {
                "school_id": school_id,
                "year": year,
                "version_id": version_id,
                "category": category.value,
                "indicators": {
                    k: (round(v, 4) if v is not None else None) for k, v in indicators.items()
                },
                "levels": {k: v.value for k, v in levels.items()},
                "card": card.value,
                "warnings": warnings,
            }
        )
    return rows


def _dues(results: list[dict], before: dict) -> list[Due]:
    """A notice for each yellow/red card and each trend warning not there before."""
    names = dict(
        School.objects.filter(pk__in={r["school_id"] for r in results}).values_list("pk", "name")
    )
    url = reverse("statedata:index")
    dues: list[Due] = []
    for result in results:
        name = names.get(result["school_id"], "")
        due = date(result["year"], 12, 31)
        old_card, old_warnings = before.get((result["school_id"], result["year"]), (None, []))
        if result["card"] in (Card.YELLOW, Card.RED):
            label = Card(result["card"]).label
            dues.append(
                Due(
                    kind=NoticeKind.CONDITIONS_CARD,
                    subject=f"statedata:{result['school_id']}:{result['year']}:{result['card']}",
                    due=due,
                    stage=Stage.EVENT,
                    title=f"{name}：{result['year']} 年办学条件为{label}",
                    body=_card_body(result),
                    url=url,
                    school_id=result["school_id"],
                )
            )
        old_trends = {w["indicator"] for w in old_warnings or [] if w.get("kind") == "trend"}
        for warning in result["warnings"]:
            if warning["kind"] != "trend" or warning["indicator"] in old_trends:
                continue
            dues.append(
                Due(
                    kind=NoticeKind.CONDITIONS_TREND,
                    subject=f"statedata:{result['school_id']}:{result['year']}:{warning['indicator']}"[
                        :60
                    ],
                    due=due,
                    stage=Stage.EVENT,
                    title=f"{name}：{warning['text']}（{result['year']} 年）",
                    body="该指标已连续三年变差，请在自我诊断中分析原因并提出改进措施。",
                    url=url,
                    school_id=result["school_id"],
                )
            )
    return dues


def _card_body(result: dict) -> str:
    standards = conditions.load_standards()
    below = [
        standards.indicators[code].label
        for code, level in result["levels"].items()
        if level == Level.BELOW_RESTRICTED
    ]
    return (
        "按《普通高等学校基本办学条件指标（试行）》，以下基本办学条件指标低于限制招生标准："
        + "、".join(below)
        + "。"
    )
