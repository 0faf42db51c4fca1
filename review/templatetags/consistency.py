"""Showing the consistency figures: shares as percentages, kappa with its band in words."""

from __future__ import annotations

from django import template

register = template.Library()

# Landis, J. R. & Koch, G. G. (1977). The measurement of observer agreement for categorical
# data. Biometrics, 33(1), 159–174: the usual bands for reading a kappa, in words.
_BANDS = [
    (0.0, "低于随机水平"),
    (0.20, "轻微一致"),
    (0.40, "一般一致"),
    (0.60, "中等一致"),
    (0.80, "较高一致"),
    (1.0, "几乎完全一致"),
]


@register.filter
def pct(value: float | None) -> str:
    """0.3333 → "33.3%"; None → "—"."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


@register.filter
def kappa(value: float | None) -> str:
    """A kappa to two decimals; None (everyone agreed, or too few findings) → "—"."""
    if value is None:
        return "—"
    return f"{value:.2f}"


@register.filter
def kappa_words(value: float | None) -> str:
    """The kappa's band in words (Landis & Koch 1977)."""
    if value is None:
        return "无法计算"
    if value < 0:
        return _BANDS[0][1]
    for upper, words in _BANDS[1:]:
        if value <= upper:
            return words
    return _BANDS[-1][1]


@register.filter
def pvalue(value: float) -> str:
    """A p-value to four places; below that, "< 0.0001" rather than a bare 0.0000."""
    return "< 0.0001" if value < 0.0001 else f"{value:.4f}"
