"""The conditions rule for many schools at once: one lookup per category, exact only at a boundary.

The same decisions as ``conditions.assess`` (a test holds them together), for the
province-wide recompute: floats first, exact fractions only where a float lands on a
table value or on last year's value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from statedata.services.conditions import (
    BASIC,
    MONITORING,
    Level,
    SchoolCategory,
    Standards,
    _exception_met,
    level_of,
)
from statedata.services.conditions_exact import _ExactLater


class Plan:
    """The tables looked up once per category, to judge many years of many schools fast.

    Gives the same levels as ``assess`` (a test holds them together) without a lookup per
    indicator and row.
    """

    def __init__(self, standards: Standards):
        self.standards = standards
        # Of every value a result depends on: a changed table value recomputes every result.
        self.digest = hashlib.sha256(
            json.dumps(
                [
                    standards.version,
                    {c: [m.direction, m.label] for c, m in standards.indicators.items()},
                    standards.qualified,
                    standards.restricted,
                    standards.monitoring_qualified,
                    standards.weights,
                    standards.full_time_kinds,
                    standards.external_weight,
                    standards.exceptions,
                ],
                sort_keys=True,
            ).encode()
        ).hexdigest()[:16]
        self.direction = {code: meta.direction for code, meta in standards.indicators.items()}
        self.basic = {
            category.value: tuple(
                (
                    code,
                    self.direction[code],
                    standards.threshold("qualified", category, code),
                    standards.threshold("restricted", category, code),
                )
                for code in BASIC
            )
            for category in SchoolCategory
        }
        self.monitoring = {
            category.value: tuple(
                (code, self.direction[code], standards.threshold("monitoring", category, code))
                for code in MONITORING
            )
            for category in SchoolCategory
        }

    def judge(
        self, category: str, indicators: Mapping, figures: Mapping
    ) -> tuple[dict[str, Level], dict[str, Level]]:
        """(the basic indicators' levels, the monitoring indicators' levels)."""
        later = _ExactLater(figures, self.standards)
        basic = {
            code: level_of(
                indicators[code],
                direction=direction,
                qualified=qualified,
                restricted=restricted,
                exact=later.of(code),
            )
            for code, direction, qualified, restricted in self.basic[category]
        }
        monitoring = {}
        for code, direction, qualified in self.monitoring[category]:
            level = level_of(
                indicators[code],
                direction=direction,
                qualified=qualified,
                restricted=None,
                exact=later.of(code),
            )
            if level == Level.BELOW_QUALIFIED and _exception_met(code, figures, self.standards):
                level = Level.MEETS
            monitoring[code] = level
        return basic, monitoring
