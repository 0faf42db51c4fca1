"""R5: the 附件3 report's character limits, and how characters are counted.

Pure functions: forms, the Excel import, the PDF and the tests all call these.
"""

from __future__ import annotations

OVERVIEW_LIMIT = 500  # 一、自我诊改工作概述（500 字以内）
OPINION_LIMIT = 500  # 自我诊断意见：总体不超过 500 字
MEASURES_LIMIT = 200  # 改进措施：总体不超过 200 字
EFFECTS_LIMIT = 200  # 改进成效：总体不超过 200 字

# The three columns of 附件3's table: field name, heading, limit.
ELEMENT_FIELDS: tuple[tuple[str, str, int], ...] = (
    ("opinion", "自我诊断意见", OPINION_LIMIT),
    ("measures", "改进措施", MEASURES_LIMIT),
    ("effects", "改进成效", EFFECTS_LIMIT),
)


# The whitespace trimmed from a text's ends: every character Python counts as a space plus
# U+FEFF (a byte-order mark pasted from Word). static/js/charcount.js trims the same set,
# so the page's live counter and the server never disagree (tested in node).
EDGE_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def normalize_text(text: str | None) -> str:
    """Browsers send line breaks as CRLF; store and count them as one character each."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip(EDGE_SPACE)


def char_count(text: str | None) -> int:
    """R5: a text's characters, one per code point (a Chinese character is one)."""
    return len(normalize_text(text))


def over_limit(text: str | None, limit: int) -> str | None:
    """A Chinese message when ``text`` is over ``limit`` characters, else None."""
    count = char_count(text)
    if count > limit:
        return f"不能超过 {limit} 字（当前 {count} 字，多了 {count - limit} 字）"
    return None
