"""Reads of the state data for pages and for the scoring page / report editor beside elements."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max
from django.urls import reverse
from django.utils.http import urlencode

from schools.models import School
from statedata.exporters.workbook import LABELS, UNITS
from statedata.models import FigureSet, StateDataProfile, YearResult
from statedata.services import conditions
from statedata.services.conditions import (
    ALL_INDICATORS,
    BASIC,
    CARD_ORDER,
    Card,
    Level,
    SchoolCategory,
)

LEVEL_CLASS = {
    Level.MEETS: "ok",
    Level.BELOW_QUALIFIED: "warn",
    Level.BELOW_RESTRICTED: "bad",
    Level.UNJUDGED: "muted",
}


def indicator_meta() -> list[dict]:
    standards = conditions.load_standards()
    return [
        {
            "code": code,
            "label": standards.indicators[code].label,
            "unit": standards.indicators[code].unit,
            "basic": code in BASIC,
            "direction": standards.indicators[code].direction,
        }
        for code in ALL_INDICATORS
    ]


def category_of(school: School) -> tuple[SchoolCategory, bool]:
    """(category, registered?) — unregistered schools are judged as 综合 until staff set it."""
    value = (
        StateDataProfile.objects.filter(school=school).values_list("category", flat=True).first()
    )
    return SchoolCategory(value or SchoolCategory.COMPREHENSIVE), value is not None


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _indicator_rows(result: YearResult, category: str) -> list[dict]:
    standards = conditions.load_standards()
    rows = []
    for meta in indicator_meta():
        code = meta["code"]
        level = Level(result.levels.get(code, Level.UNJUDGED))
        table = "qualified" if meta["basic"] else "monitoring"
        rows.append(
            meta
            | {
                "value": result.indicators.get(code),
                "shown": _fmt(result.indicators.get(code)),
                "qualified": _fmt(standards.threshold(table, category, code)),
                "restricted": _fmt(standards.threshold("restricted", category, code))
                if meta["basic"]
                else "",
                "level": level,
                "level_label": level.label,
                "css": LEVEL_CLASS[level],
            }
        )
    return rows


def school_years(school: School) -> list[dict]:
    """Every year of the school, newest first: card, indicators, warnings, current version."""
    results = {r.year: r for r in YearResult.objects.filter(school=school)}
    sets = (
        FigureSet.objects.filter(school=school)
        .select_related("current__uploaded_by")
        .prefetch_related("versions__uploaded_by")
        .order_by("-year")
    )
    years = []
    for figure_set in sets:
        result = results.get(figure_set.year)
        version = figure_set.current
        years.append(
            {
                "year": figure_set.year,
                "result": result,
                "card": Card(result.card) if result else None,
                "card_label": Card(result.card).label if result else "计算中",
                "indicators": _indicator_rows(result, result.category) if result else [],
                "warnings": result.warnings if result else [],
                "version": version,
                "versions": list(figure_set.versions.all()),
                "figures": [
                    {"label": LABELS[k], "unit": UNITS[k], "value": _fmt(v)}
                    for k, v in (version.figures if version else {}).items()
                    if k in LABELS
                ],
                "tables": sorted(
                    (version.tables if version else {}).items(), key=lambda kv: _code_key(kv[0])
                ),
            }
        )
    return years


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(p) for p in code.split(".") if p.isdigit())


@dataclass
class Distribution:
    code: str
    label: str
    unit: str
    n: int
    low: float | None
    q1: float | None
    median: float | None
    q3: float | None
    high: float | None
    mark: float | None = None  # the school's own value, when one is shown

    def texts(self) -> dict:
        return {k: _fmt(getattr(self, k)) for k in ("low", "q1", "median", "q3", "high", "mark")}

    def svg(self, width: int = 320) -> dict:
        """Coordinates of a box plot on a 0…width scale (drawn by the template)."""
        if not self.n:
            return {}
        span = (self.high - self.low) or 1.0
        pad = 10

        def x(v):
            return round(pad + (v - self.low) / span * (width - 2 * pad), 1)

        return {
            "width": width,
            "low": x(self.low),
            "q1": x(self.q1),
            "median": x(self.median),
            "q3": x(self.q3),
            "high": x(self.high),
            "box": round(x(self.q3) - x(self.q1), 1),
            "mark": x(min(max(self.mark, self.low), self.high)) if self.mark is not None else None,
        }


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


def distributions(year: int, *, school: School | None = None) -> list[Distribution]:
    """Each indicator across the province's schools for the year; one query."""
    rows = list(YearResult.objects.filter(year=year).values_list("school_id", "indicators"))
    own = next((ind for sid, ind in rows if school and sid == school.pk), None)
    out = []
    for meta in indicator_meta():
        values = sorted(ind[meta["code"]] for _, ind in rows if ind.get(meta["code"]) is not None)
        mark = own.get(meta["code"]) if own else None
        if values:
            q1, median, q3 = _quartiles(values)
            out.append(
                Distribution(
                    meta["code"],
                    meta["label"],
                    meta["unit"],
                    len(values),
                    values[0],
                    q1,
                    median,
                    q3,
                    values[-1],
                    mark,
                )
            )
        else:
            out.append(
                Distribution(
                    meta["code"], meta["label"], meta["unit"], 0, None, None, None, None, None
                )
            )
    return out


def position_word(dist: Distribution, direction: str) -> str:
    """Where the school's value sits, in words, without naming any other school."""
    if dist.mark is None or not dist.n:
        return "无数据"
    better_high = direction == "min"
    if dist.mark >= dist.q3:
        return "全省前四分之一" if better_high else "全省后四分之一"
    if dist.mark <= dist.q1:
        return "全省后四分之一" if better_high else "全省前四分之一"
    return "全省中间一半"


TREND = "trend"  # the province list filtered to schools with an indicator worse 3 years running
SHOW = {
    Card.RED.value: "暂停招生（红牌）的学校",
    Card.YELLOW.value: "限制招生（黄牌）的学校",
    Card.WARNING.value: "办学条件预警的学校",
    TREND: "有指标连续三年变差的学校",
}


def _has_trend(warnings) -> bool:
    return any(w.get("kind") == TREND for w in warnings or [])


def province_overview(year: int, show: str | None = None) -> dict:
    """The province's schools by card for a year (worst first), and the counts; ``show`` (a
    card, or ``trend``) keeps only those schools in the list (the counts stay whole)."""
    results = list(
        YearResult.objects.filter(year=year).select_related("school").order_by("school__name")
    )
    counts = Counter(r.card for r in results)
    if show == TREND:
        results = [r for r in results if _has_trend(r.warnings)]
    elif show in SHOW:
        results = [r for r in results if r.card == show]
    results.sort(key=lambda r: (CARD_ORDER[Card(r.card)], r.school.name))
    missing = School.objects.exclude(statedata_results__year=year).order_by("name")
    return {
        "rows": [
            {
                "school": r.school,
                "card": Card(r.card),
                "card_label": Card(r.card).label,
                "warnings": r.warnings,
            }
            for r in results
        ],
        "counts": [(card, card.label, counts.get(card.value, 0)) for card in Card],
        "missing": missing,
    }


def result_years() -> list[int]:
    return list(YearResult.objects.order_by("-year").values_list("year", flat=True).distinct())


def attention(year: int | None = None) -> list[dict]:
    """For the workbenches of provincial staff and the committee: the year's (the latest by
    default) schools on a red or yellow card, on a warning, and with an indicator worse three
    years running — each a count with the province list filtered to them. Two queries."""
    if year is None:
        year = YearResult.objects.aggregate(latest=Max("year"))["latest"]
        if year is None:
            return []
    counts: Counter = Counter()
    for card, warnings in YearResult.objects.filter(year=year).values_list("card", "warnings"):
        counts[card] += 1
        counts[TREND] += _has_trend(warnings)
    base = reverse("statedata:index")
    return [
        {
            "label": f"{year} 年{label}",
            "count": counts[key],
            "url": f"{base}?{urlencode({'year': year, 'show': key})}",
        }
        for key, label in SHOW.items()
        if counts[key]
    ]


# ------------------------------------------------------------- beside each element (review)


def _covers(ref: str, code: str) -> bool:
    """附件1's ref ("8", "8.1", "7.1-7.6") covers table ``code``."""
    if "-" in ref:
        start, _, end = ref.partition("-")
        try:
            return _code_key(start) <= _code_key(code) <= _code_key(end)
        except ValueError:
            return False
    return code == ref or code.startswith(ref + ".")


def years_before(year: int, count: int = 3) -> list[int]:
    """The state-data years a report or a re-check of ``year`` rests on: the ``count`` school
    years before it (a 2027 re-check reads 2024–2026, as its materials 3 and 4 do)."""
    return list(range(year - count, year))


def figures_for_elements(
    *, school: School, years: Iterable[int], elements: Iterable
) -> dict[str, dict]:
    """For each element: its points' figures and warnings for ``years``, by 附件1's table refs.

    ``elements`` are ``indicators.models.Element`` rows (prefetch ``points`` to save a query
    per element), or any objects with ``code`` and ``points`` (each with ``name`` and
    ``platform_refs``); an iterable that is read only when there is state data to show.
    Returns ``{element.code: {"years": [...], "points": [{"name", "refs",
    "indicators": [{label, unit, cells: [{year, shown, level_label, css}]}],
    "tables": [{code, title, years: [...]}]}], "warnings": [{year, text}]}}``.
    Two queries for the state data, whatever the number of elements.
    """
    years = sorted(set(years))
    standards = conditions.load_standards()
    results = {r.year: r for r in YearResult.objects.filter(school=school, year__in=years)}
    tables_by_year = dict(
        FigureSet.objects.filter(school=school, year__in=years, current__isnull=False).values_list(
            "year", "current__tables"
        )
    )
    if not results and not tables_by_year:
        return {}  # nothing uploaded for these years: nothing to show, and no points read
    table_codes = sorted({c for t in tables_by_year.values() for c in (t or {})}, key=_code_key)
    out: dict[str, dict] = {}
    for element in elements:
        points = []
        warnings = []
        seen_warnings = set()
        element_points = element.points
        for point in element_points.all() if hasattr(element_points, "all") else element_points:
            refs = [str(r) for r in point.platform_refs]
            codes = [
                code
                for code in ALL_INDICATORS
                if any(
                    _covers(ref, table)
                    for ref in refs
                    for table in standards.platform_tables.get(code, ())
                )
            ]
            indicators = []
            for code in codes:
                cells = []
                for year in years:
                    result = results.get(year)
                    value = result.indicators.get(code) if result else None
                    level = (
                        Level(result.levels.get(code, Level.UNJUDGED)) if result else Level.UNJUDGED
                    )
                    cells.append(
                        {
                            "year": year,
                            "shown": _fmt(value),
                            "level_label": level.label,
                            "css": LEVEL_CLASS[level],
                        }
                    )
                    for warning in result.warnings if result else []:
                        key = (year, warning["indicator"], warning["kind"])
                        if warning["indicator"] == code and key not in seen_warnings:
                            seen_warnings.add(key)
                            warnings.append({"year": year, "text": warning["text"]})
                indicators.append(
                    {
                        "code": code,
                        "label": standards.indicators[code].label,
                        "unit": standards.indicators[code].unit,
                        "cells": cells,
                    }
                )
            tables = [
                {
                    "code": code,
                    "title": next(
                        (t[code]["title"] for t in tables_by_year.values() if code in (t or {})), ""
                    ),
                    "years": [y for y in years if code in (tables_by_year.get(y) or {})],
                }
                for code in table_codes
                if any(_covers(ref, code) for ref in refs)
            ]
            points.append(
                {"name": point.name, "refs": refs, "indicators": indicators, "tables": tables}
            )
        out[element.code] = {
            "has_data": bool(results) or bool(tables_by_year),
            "years": years,
            "points": points,
            "warnings": warnings,
            "cards": [
                {"year": y, "label": Card(results[y].card).label if y in results else "无数据"}
                for y in years
            ],
        }
    return out


def warnings_by_school(year: int) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for school_id, warnings in YearResult.objects.filter(year=year).values_list(
        "school_id", "warnings"
    ):
        out[school_id] = warnings
    return out


def element_figures_html(
    *, school: School, years: Iterable[int], codes: Iterable[str], elements
) -> dict[str, str]:
    """``figures_for_elements`` drawn (``statedata/_element_figures.html``) for each element
    with data, kept until the state data, the indicators' refs or the elements change
    (``statedata/signals.py`` moves the stamp): the report editor shows them on every load.

    ``elements`` is a callable giving what ``figures_for_elements`` takes, called only when
    the drawing is not kept; the key is the school, the years and the elements' ``codes``.
    """
    from django.template.loader import render_to_string

    from zhengai import stampcache

    years = sorted(set(years))

    def draw() -> dict[str, str]:
        figures = figures_for_elements(school=school, years=years, elements=elements())
        return {
            code: render_to_string("statedata/_element_figures.html", {"block": block})
            for code, block in figures.items()
            if block.get("has_data")
        }

    key = stampcache.key_of("statedata-figures", school.pk, years, sorted(codes))
    return stampcache.cached(key, draw, stamps=(STAMP,))


# The stamp the kept drawings depend on (moved by statedata/signals.py).
STAMP = "statedata"
