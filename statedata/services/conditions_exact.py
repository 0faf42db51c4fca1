"""Exact arithmetic for the conditions rule: the figures as the decimals a person typed.

``standards`` below is a ``conditions.Standards`` (typed loosely: that module imports this one).

Floats decide almost every comparison; where a float lands on a table value (or on last
year's value) the decision is taken again here, in fractions, so 4,000.000 per student is
exactly 4,000 and qualifies.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from functools import lru_cache
from typing import Any


def _exact(value) -> Fraction:
    """A figure or constant as the decimal a person typed: 0.1 is exactly one tenth."""
    return Fraction(str(value))


# Each indicator as (numerator, denominator, scale) over figures and the derived terms below:
# the same formulas as ``_formulas``, one indicator at a time (a test holds them together).
_PARTS = {
    "student_teacher_ratio": ("equivalent", "teachers", 1),
    "postgraduate_share": ("postgraduate_teachers", "full_time_teachers", 100),
    "teaching_admin_area": ("teaching_admin", "full_time", 1),
    "equipment_value": ("equipment_total", "equivalent", 1),
    "books": ("books_total", "equivalent", 1),
    "senior_title_share": ("senior_teachers", "full_time_teachers", 100),
    "land_area": ("land_area", "full_time", 1),
    "dormitory_area": ("dormitory_area", "full_time", 1),
    "computers_per_100": ("teaching_computers", "full_time", 100),
    "multimedia_seats_per_100": ("multimedia_seats", "full_time", 100),
    "new_equipment_share": ("equipment_added", "equipment_before", 100),
    "books_added_per_student": ("books_added", "equivalent", 1),
}


def _sum(fractions) -> Fraction:
    """Sum without starting from Fraction(0) (one normalisation fewer per term)."""
    total = None
    for fraction in fractions:
        total = fraction if total is None else total + fraction
    return Fraction(0) if total is None else total


@lru_cache(maxsize=256)
def _exact_constant(value) -> Fraction:
    return _exact(value)


class _ExactLater:
    """Exact indicators of one set of figures, each computed on first need only (most rows
    never need one: only a float at a table value, or equal to last year's, does)."""

    __slots__ = ("figures", "standards", "terms", "values")

    def __init__(self, figures: Mapping, standards: Any):
        self.figures, self.standards = figures, standards
        self.terms: dict[str, Fraction] = {}
        self.values: dict[str, Fraction | None] = {}

    def term(self, name: str) -> Fraction:
        value = self.terms.get(name)
        if value is None:
            value = self.terms[name] = self._term(name)
        return value

    def _term(self, name: str) -> Fraction:
        standards, term = self.standards, self.term
        figures = self.figures
        # Kinds of student a school does not have (most of them) cost no fraction arithmetic.
        if name == "equivalent":
            return _sum(
                term(f"students_{kind}")
                if weight == 1
                else term(f"students_{kind}") * _exact_constant(weight)
                for kind, weight in standards.weights.items()
                if figures.get(f"students_{kind}")
            )
        if name == "full_time":
            kinds = standards.full_time_kinds
            return _sum(term(f"students_{k}") for k in kinds if figures.get(f"students_{k}"))
        if name == "teachers":
            weight = _exact_constant(standards.external_weight)
            return term("full_time_teachers") + weight * term("external_teachers")
        if name == "teaching_admin":
            return term("teaching_area") + term("admin_area")
        if name == "equipment_before":
            return term("equipment_total") - term("equipment_added")
        value = self.figures.get(name)
        if value is None:
            return Fraction(0)
        if type(value) is int:
            return Fraction(value)
        if type(value) is float and value.is_integer() and abs(value) < 2**53:
            return Fraction(int(value))  # what str() would give, without parsing it
        return _exact(value)

    def value(self, code: str) -> Fraction | None:
        if code not in self.values:
            numerator, denominator, scale = _PARTS[code]
            below = self.term(denominator)
            if below > 0:
                above = self.term(numerator)
                # One normalisation instead of two (× scale, then ÷ below): the same fraction.
                self.values[code] = Fraction(
                    above.numerator * scale * below.denominator,
                    above.denominator * below.numerator,
                )
            else:
                self.values[code] = None
        return self.values[code]

    def of(self, code: str):
        return lambda: self.value(code)
