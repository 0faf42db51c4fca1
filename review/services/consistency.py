"""How consistent the panels are: pure arithmetic on counts, nothing of the database.

The selectors (``review/selectors/consistency.py``) count in the database; this module turns
those counts into what the pages show:

- for one re-check, the experts' agreement on each element before the lead consolidated,
  and how the lead resolved each split;
- province-wide, per element, the share of panels that found it 不相符 and the experts'
  agreement as Fleiss' kappa;
- the panels whose 不相符 rate stands out against the rest of the province (an exact
  two-sided binomial test at p < 0.05);
- for each expert, how often their own finding matched their panel's final one.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import comb

# A panel is flagged when its 不相符 count is this unlikely under the rest of the province's
# rate (two-sided). About 1 ordinary panel in 20 is flagged by chance: a reason to look, no more.
OUTLIER_P = 0.05
# Fewer other panels than this and the province's rate is not yet a fair yardstick.
MIN_OTHER_PANELS = 3


def fleiss_kappa(subjects: list[tuple[int, ...]]) -> float | None:
    """Fleiss' kappa for many raters sorting subjects into categories; None if undefined.

    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
    Psychological Bulletin, 76(5), 378–382. doi:10.1037/h0031619

    ``subjects`` holds, for each subject (here: one panel's judgement of one element), how
    many raters chose each category (here: ``(相符, 不相符)``). With n_i raters on subject i
    and n_ij of them choosing category j:

        P_i  = (Σ_j n_ij² − n_i) / (n_i (n_i − 1))      agreement within subject i
        P̄    = (1/N) Σ_i P_i                            mean over the N subjects
        p_j  = Σ_i n_ij / Σ_i n_i                       share of all ratings in category j
        P̄_e  = Σ_j p_j²                                 agreement expected by chance
        κ    = (P̄ − P̄_e) / (1 − P̄_e)

    Fleiss writes it for the same n on every subject; panels differ in size, so n_i is per
    subject (with equal n this is exactly Fleiss' formula). Subjects with fewer than two
    raters carry no agreement and are left out. κ is undefined (None) with no subject left,
    or when every rating falls in one category (P̄_e = 1): everyone agreed, and chance could
    have produced that too. Exact fractions, so a hand-computed value compares exactly.
    """
    rows = [row for row in subjects if sum(row) >= 2]
    if not rows:
        return None
    mean_agreement = Fraction(0)
    totals = [0] * max(len(row) for row in rows)
    for row in rows:
        n = sum(row)
        mean_agreement += Fraction(sum(c * c for c in row) - n, n * (n - 1))
        for j, count in enumerate(row):
            totals[j] += count
    mean_agreement /= len(rows)
    ratings = sum(totals)
    chance = sum(Fraction(t, ratings) ** 2 for t in totals)
    if chance == 1:
        return None
    return float((mean_agreement - chance) / (1 - chance))


def binomial_two_sided_p(k: int, n: int, p: float) -> float:
    """Exact two-sided binomial test of k successes in n trials at rate p.

    The p-value sums the probabilities of every outcome no more likely than the one observed
    (the "minimum likelihood" method of R's ``binom.test`` and SciPy's ``binomtest``), with
    the same small relative tolerance they use so that ties in exact arithmetic count.
    """
    if n == 0:
        return 1.0
    if p <= 0:
        return 1.0 if k == 0 else 0.0
    if p >= 1:
        return 1.0 if k == n else 0.0
    probs = [comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(n + 1)]
    observed = probs[k] * (1 + 1e-7)
    return min(1.0, sum(q for q in probs if q <= observed))


@dataclass(frozen=True)
class PanelRate:
    """One panel's final findings: how many elements it judged and how many 不相符."""

    recheck_id: int
    label: str
    judged: int
    inconsistent: int

    @property
    def rate(self) -> float:
        return self.inconsistent / self.judged if self.judged else 0.0


@dataclass(frozen=True)
class Outlier:
    panel: PanelRate
    others_rate: float  # the rest of the province's 不相符 rate, the yardstick
    p_value: float

    @property
    def direction(self) -> str:
        return "偏高" if self.panel.rate > self.others_rate else "偏低"


def outlier_panels(panels: list[PanelRate]) -> list[Outlier]:
    """Panels whose 不相符 count is unlikely at the rest of the province's rate (p < 0.05).

    Each panel is tested against all the other panels pooled (its own findings left out, so
    one extreme panel does not pull its own yardstick); none is tested while fewer than
    ``MIN_OTHER_PANELS`` others exist.
    """
    if len(panels) - 1 < MIN_OTHER_PANELS:
        return []
    judged = sum(p.judged for p in panels)
    inconsistent = sum(p.inconsistent for p in panels)
    flagged = []
    for panel in panels:
        others_judged = judged - panel.judged
        if not (panel.judged and others_judged):
            continue
        others_rate = (inconsistent - panel.inconsistent) / others_judged
        p_value = binomial_two_sided_p(panel.inconsistent, panel.judged, others_rate)
        if p_value < OUTLIER_P:
            flagged.append(Outlier(panel=panel, others_rate=others_rate, p_value=p_value))
    return sorted(flagged, key=lambda o: o.p_value)


# --- One re-check, before consolidation ---------------------------------------------------------


@dataclass(frozen=True)
class ElementAgreement:
    """The experts' findings on one element before the lead consolidated, and the outcome."""

    code: str
    name: str
    consistent: int  # experts who found it 相符
    inconsistent: int  # experts who found it 不相符
    final: bool | None  # the lead's consolidated finding (None: not yet)

    @property
    def raters(self) -> int:
        return self.consistent + self.inconsistent

    @property
    def split(self) -> bool:
        return self.consistent > 0 and self.inconsistent > 0

    @property
    def majority(self) -> bool | None:
        if self.consistent == self.inconsistent:
            return None
        return self.consistent > self.inconsistent

    @property
    def resolution(self) -> str:
        """How the lead resolved it, in words ("" while not consolidated)."""
        if self.final is None:
            return ""
        verdict = "相符" if self.final else "不相符"
        if not self.split:
            return f"全组一致，合议{verdict}"
        if self.majority is None:
            return f"意见各半，组长合议为{verdict}"
        if self.final == self.majority:
            return f"按多数意见合议为{verdict}"
        return f"未按多数意见，合议为{verdict}（见合议理由）"

    @property
    def pair_agreement(self) -> float | None:
        """Share of expert pairs that agree (Fleiss' P_i for this one element)."""
        n = self.raters
        if n < 2:
            return None
        agreeing = self.consistent * (self.consistent - 1) + self.inconsistent * (
            self.inconsistent - 1
        )
        return agreeing / (n * (n - 1))


@dataclass(frozen=True)
class RecheckAgreement:
    elements: list[ElementAgreement]

    @property
    def splits(self) -> list[ElementAgreement]:
        return [e for e in self.elements if e.split]

    @property
    def unanimous(self) -> int:
        return sum(1 for e in self.elements if e.raters and not e.split)

    @property
    def against_majority(self) -> list[ElementAgreement]:
        return [
            e
            for e in self.splits
            if e.final is not None and e.majority is not None and e.final != e.majority
        ]

    @property
    def pair_agreement(self) -> float | None:
        """Mean share of agreeing expert pairs over the elements judged (Fleiss' P̄)."""
        values = [e.pair_agreement for e in self.elements if e.pair_agreement is not None]
        return sum(values) / len(values) if values else None


# --- Each expert ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpertMatch:
    expert_id: int
    name: str
    panels: int
    compared: int  # findings that have a final panel finding to compare with
    matched: int

    @property
    def rate(self) -> float | None:
        return self.matched / self.compared if self.compared else None
