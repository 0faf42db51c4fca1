"""The national conditions rule for 专科（高职）院校 (R23 basic conditions, R24 cards).

Source: 《普通高等学校基本办学条件指标（试行）》(教发〔2004〕2号), 附件 表一 (合格), 表二
(限制招生), 表三 (监测办学条件指标) and its 测算办法. The values and where each came from are
in ``fixtures/statedata/conditions-2004.json``; a value that could not be found there is null
and the indicator is then shown but not judged (``Level.UNJUDGED``) — never guessed.

Pure functions: no database, no Django. Figures in, indicators out; indicators in, levels and
a card out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from statedata.services.conditions_exact import _exact, _ExactLater

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "statedata" / "conditions-2004.json"


class SchoolCategory(StrEnum):
    """The document's school categories (学校类别)."""

    COMPREHENSIVE = "comprehensive"
    ENGINEERING = "engineering"
    MEDICAL = "medical"
    LANGUAGE_FINANCE_LAW = "language_finance_law"
    SPORTS = "sports"
    ARTS = "arts"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    SchoolCategory.COMPREHENSIVE: "综合、师范、民族院校",
    SchoolCategory.ENGINEERING: "工科、农、林院校",
    SchoolCategory.MEDICAL: "医学院校",
    SchoolCategory.LANGUAGE_FINANCE_LAW: "语文、财经、政法院校",
    SchoolCategory.SPORTS: "体育院校",
    SchoolCategory.ARTS: "艺术院校",
}


class Card(StrEnum):
    """The school's card for a year."""

    QUALIFIED = "qualified"
    WARNING = "warning"  # some indicator below 合格, none below 限制招生
    YELLOW = "yellow"  # 限制招生
    RED = "red"  # 暂停招生

    @property
    def label(self) -> str:
        return CARD_LABELS[self]


CARD_LABELS = {
    Card.QUALIFIED: "合格",
    Card.WARNING: "预警",
    Card.YELLOW: "黄牌（限制招生）",
    Card.RED: "红牌（暂停招生）",
}


CARD_ORDER = {Card.RED: 0, Card.YELLOW: 1, Card.WARNING: 2, Card.QUALIFIED: 3}


class Level(StrEnum):
    """Where one indicator stands against the tables."""

    MEETS = "meets"
    BELOW_QUALIFIED = "below_qualified"
    BELOW_RESTRICTED = "below_restricted"
    UNJUDGED = "unjudged"  # no figure, or no table value to judge by

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]


LEVEL_LABELS = {
    Level.MEETS: "达到合格",
    Level.BELOW_QUALIFIED: "低于合格",
    Level.BELOW_RESTRICTED: "低于限制招生",
    Level.UNJUDGED: "未判定",
}


BASIC = (
    "student_teacher_ratio",
    "postgraduate_share",
    "teaching_admin_area",
    "equipment_value",
    "books",
)


MONITORING = (
    "senior_title_share",
    "land_area",
    "dormitory_area",
    "computers_per_100",
    "multimedia_seats_per_100",
    "new_equipment_share",
    "books_added_per_student",
)


ALL_INDICATORS = BASIC + MONITORING


# Base figures a school reports (the import template's rows), by key.
STUDENT_KINDS = (
    "regular",
    "master",
    "doctoral",
    "international",
    "preparatory",
    "further_study",
    "adult_full_time",
    "evening",
    "correspondence",
)


FIGURES = (
    *(f"students_{kind}" for kind in STUDENT_KINDS),
    "full_time_teachers",
    "external_teachers",
    "postgraduate_teachers",
    "senior_teachers",
    "teaching_area",
    "admin_area",
    "equipment_total",
    "equipment_added",
    "books_total",
    "books_added",
    "land_area",
    "dormitory_area",
    "teaching_computers",
    "multimedia_seats",
)


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit: str
    direction: str  # "max": the value must not be above; "min": must not be below
    formula: str


@dataclass(frozen=True)
class Standards:
    """One version of the tables, as loaded from the fixture (or built by a test)."""

    version: str
    indicators: Mapping[str, Indicator]
    qualified: Mapping[str, Mapping[str, float | None]]  # category → indicator → value
    restricted: Mapping[str, Mapping[str, float | None]]
    monitoring_qualified: Mapping[str, Mapping[str, float | None]]
    weights: Mapping[str, float]
    full_time_kinds: tuple[str, ...]
    external_weight: float
    exceptions: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    platform_tables: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def threshold(self, table: str, category: str, code: str) -> float | None:
        rows = {
            "qualified": self.qualified,
            "restricted": self.restricted,
            "monitoring": self.monitoring_qualified,
        }[table]
        return rows.get(str(category), {}).get(code)


@lru_cache(maxsize=4)
def load_standards(path: str = str(FIXTURE)) -> Standards:
    """The tables from the versioned fixture (cached: the file is part of the release)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))

    def values(rows: Mapping) -> dict[str, dict[str, float | None]]:
        return {
            category: {k: v for k, v in row.items() if k != "source"}
            for category, row in rows.items()
        }

    indicators = {}
    for part in ("basic", "monitoring"):
        for code, meta in data[part]["indicators"].items():
            indicators[code] = Indicator(
                code, meta["label"], meta["unit"], meta["direction"], meta["formula"]
            )
    definitions = data["definitions"]
    return Standards(
        version=data["version"],
        indicators=indicators,
        qualified=values(data["basic"]["qualified"]),
        restricted=values(data["basic"]["restricted"]),
        monitoring_qualified=values(data["monitoring"]["qualified"]),
        weights=definitions["equivalent_students"]["weights"],
        full_time_kinds=tuple(definitions["full_time_students"]["kinds"]),
        external_weight=definitions["total_teachers"]["external_weight"],
        exceptions=data["monitoring"].get("exceptions", {}),
        platform_tables={
            k: tuple(v) for k, v in data["platform_tables"].items() if isinstance(v, list)
        },
    )


# ---------------------------------------------------------------------------- figures


def _num(figures: Mapping[str, float | int | None], key: str) -> float:
    value = figures.get(key)
    return float(value) if value is not None else 0.0


def equivalent_students(figures: Mapping, standards: Standards | None = None) -> float:
    """折合在校生数: each kind of student weighted as the 测算办法 says."""
    standards = standards or load_standards()
    return sum(
        _num(figures, f"students_{kind}") * weight for kind, weight in standards.weights.items()
    )


def full_time_students(figures: Mapping, standards: Standards | None = None) -> float:
    """全日制在校生数."""
    standards = standards or load_standards()
    return sum(_num(figures, f"students_{kind}") for kind in standards.full_time_kinds)


def total_teachers(figures: Mapping, standards: Standards | None = None) -> float:
    """教师总数 = 专任教师 + 聘请校外教师 × the document's weight."""
    standards = standards or load_standards()
    return _num(figures, "full_time_teachers") + standards.external_weight * _num(
        figures, "external_teachers"
    )


def _formulas(get, standards: Standards, zero, convert) -> dict:
    """Every indicator from base figures, in one number type (float, or Fraction for exact).

    ``get(key)`` reads a figure as that type, ``convert`` turns a fixture constant into it.
    """
    equivalent = sum(
        (get(f"students_{kind}") * convert(weight) for kind, weight in standards.weights.items()),
        zero,
    )
    full_time = sum((get(f"students_{kind}") for kind in standards.full_time_kinds), zero)
    full_time_teachers = get("full_time_teachers")
    teachers = full_time_teachers + convert(standards.external_weight) * get("external_teachers")
    total, added = get("equipment_total"), get("equipment_added")

    def ratio(numerator, denominator, scale=1):
        return numerator * scale / denominator if denominator > 0 else None

    return {
        "student_teacher_ratio": ratio(equivalent, teachers),
        "postgraduate_share": ratio(get("postgraduate_teachers"), full_time_teachers, 100),
        "teaching_admin_area": ratio(get("teaching_area") + get("admin_area"), full_time),
        "equipment_value": ratio(total, equivalent),
        "books": ratio(get("books_total"), equivalent),
        "senior_title_share": ratio(get("senior_teachers"), full_time_teachers, 100),
        "land_area": ratio(get("land_area"), full_time),
        "dormitory_area": ratio(get("dormitory_area"), full_time),
        "computers_per_100": ratio(get("teaching_computers"), full_time, 100),
        "multimedia_seats_per_100": ratio(get("multimedia_seats"), full_time, 100),
        "new_equipment_share": ratio(added, total - added, 100),
        "books_added_per_student": ratio(get("books_added"), equivalent),
    }


def all_indicators(figures: Mapping, standards: Standards | None = None) -> dict:
    """Every indicator as floats (for display and for comparisons far from a boundary)."""
    standards = standards or load_standards()
    return _formulas(lambda key: _num(figures, key), standards, 0.0, float)


def exact_indicators(figures: Mapping, standards: Standards | None = None) -> dict:
    """Every indicator as an exact fraction: used where a float lies at a table value."""
    standards = standards or load_standards()

    def get(key: str) -> Fraction:
        value = figures.get(key)
        return _exact(value) if value is not None else Fraction(0)

    return _formulas(get, standards, Fraction(0), _exact)


def basic_indicators(figures: Mapping, standards: Standards | None = None) -> dict:
    """The five basic indicators from base figures; None where a denominator is zero."""
    values = all_indicators(figures, standards)
    return {code: values[code] for code in BASIC}


def monitoring_indicators(figures: Mapping, standards: Standards | None = None) -> dict:
    """The seven monitoring indicators (监测办学条件指标)."""
    values = all_indicators(figures, standards)
    return {code: values[code] for code in MONITORING}


# ---------------------------------------------------------------------------- judgement


def _worse(value: float, limit: float, direction: str) -> bool:
    """True when ``value`` fails ``limit``: the limit itself qualifies."""
    return value > limit if direction == "max" else value < limit


# A float this close to a table value may be off by rounding (29 ÷ 100 × 100 is not 29 in
# binary): the comparison is then made again on exact fractions of the typed figures.
CLOSE = 1e-9


def _fails(value: float, limit: float, direction: str, exact=None) -> bool:
    if exact is not None and abs(value - limit) <= CLOSE * max(1.0, abs(limit)):
        exact_value = exact()
        if exact_value is not None:
            return _worse(exact_value, _exact(limit), direction)
    return _worse(value, limit, direction)


def level_of(
    value: float | None,
    *,
    direction: str,
    qualified: float | None,
    restricted: float | None,
    exact=None,
) -> Level:
    """One indicator against its 合格 and 限制招生 values.

    ``exact`` (optional) returns the indicator as an exact fraction, consulted only when the
    float lies at a table value.
    """
    if value is None:
        return Level.UNJUDGED
    if restricted is not None and _fails(value, restricted, direction, exact):
        return Level.BELOW_RESTRICTED
    if qualified is None:
        return Level.UNJUDGED
    return Level.BELOW_QUALIFIED if _fails(value, qualified, direction, exact) else Level.MEETS


@dataclass(frozen=True)
class Assessment:
    card: Card
    levels: dict[str, Level]  # the five basic indicators
    monitoring: dict[str, Level] = field(default_factory=dict)  # warnings only

    @property
    def below_qualified(self) -> list[str]:
        return [
            code
            for code, level in {**self.levels, **self.monitoring}.items()
            if level in (Level.BELOW_QUALIFIED, Level.BELOW_RESTRICTED)
        ]


def card_for(levels: Mapping[str, Level], previous_cards: Sequence[Card | str] = ()) -> Card:
    """R24: one indicator below 限制招生 → yellow; two or more → red; a third yellow → red.

    ``previous_cards`` are the earlier years' cards, oldest first; the last two count.
    """
    restricted = sum(1 for level in levels.values() if level == Level.BELOW_RESTRICTED)
    if restricted >= 2:
        return Card.RED
    if restricted == 1:
        last_two = [Card(c) for c in previous_cards][-2:]
        if len(last_two) == 2 and all(c == Card.YELLOW for c in last_two):
            return Card.RED
        return Card.YELLOW
    if any(level == Level.BELOW_QUALIFIED for level in levels.values()):
        return Card.WARNING
    return Card.QUALIFIED


def monitoring_levels(
    category: SchoolCategory | str,
    indicators: Mapping[str, float | None],
    figures: Mapping | None = None,
    standards: Standards | None = None,
) -> dict[str, Level]:
    """The monitoring indicators against their 合格 values (表三): warnings, never a card."""
    standards = standards or load_standards()
    later = _ExactLater(figures, standards) if figures else None
    levels = {}
    for code in MONITORING:
        if code not in indicators:
            continue
        level = level_of(
            indicators[code],
            direction=standards.indicators[code].direction,
            qualified=standards.threshold("monitoring", category, code),
            restricted=None,
            exact=later.of(code) if later else None,
        )
        if level == Level.BELOW_QUALIFIED and figures and _exception_met(code, figures, standards):
            level = Level.MEETS
        levels[code] = level
    return levels


def _exception_met(code: str, figures: Mapping, standards: Standards) -> bool:
    """表三's notes: large schools qualify on absolute amounts added."""
    rule = standards.exceptions.get(code)
    if not rule:
        return False
    if code == "new_equipment_share":
        return (
            _num(figures, "equipment_total") > rule["equipment_total_over"]
            and _num(figures, "equipment_added") > rule["added_over"]
        )
    if code == "books_added_per_student":
        return (
            equivalent_students(figures, standards) > rule["students_over"]
            and _num(figures, "books_added") > rule["books_added_over"]
        )
    return False


def assess(
    category: SchoolCategory | str,
    indicators: Mapping[str, float | None],
    previous_cards: Sequence[Card | str] = (),
    *,
    figures: Mapping | None = None,
    standards: Standards | None = None,
) -> Assessment:
    """R23/R24: each basic indicator's level and the school's card for the year.

    ``figures``, when given, are those the indicators were computed from: they settle a
    value that lies at a table value exactly, and the monitoring exceptions.
    """
    standards = standards or load_standards()
    category = SchoolCategory(category)
    later = _ExactLater(figures, standards) if figures else None
    levels = {
        code: level_of(
            indicators.get(code),
            direction=standards.indicators[code].direction,
            qualified=standards.threshold("qualified", category, code),
            restricted=standards.threshold("restricted", category, code),
            exact=later.of(code) if later else None,
        )
        for code in BASIC
    }
    return Assessment(
        card=card_for(levels, previous_cards),
        levels=levels,
        monitoring=monitoring_levels(category, indicators, figures, standards),
    )


def worsening(values: Sequence[float | None], direction: str, exact=None) -> bool:
    """R25: an indicator worse three years running (three values, each worse than the last).

    ``exact`` (optional): for each value, a callable giving it as an exact fraction, used
    when two floats are equal but for rounding.
    """
    if len(values) < 3 or any(v is None for v in values[-3:]):
        return False
    a, b, c = values[-3:]
    if exact is None:
        return _worse(b, a, direction) and _worse(c, b, direction)
    ea, eb, ec = exact[-3:]
    return _worse_pair(a, b, direction, ea, eb) and _worse_pair(b, c, direction, eb, ec)


def _worse_pair(earlier: float, later: float, direction: str, exact_earlier, exact_later) -> bool:
    if abs(later - earlier) <= CLOSE * max(1.0, abs(earlier)):
        return _worse(exact_later(), exact_earlier(), direction)
    return _worse(later, earlier, direction)
