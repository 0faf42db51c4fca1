"""Readable history of a report's texts (django-simple-history), with character diffs."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from review.services.limits import ELEMENT_FIELDS

ACTIONS = {
    "review.self_diagnosis.opened": "创建",
    "review.self_diagnosis.saved": "保存",
    "review.self_diagnosis.imported": "Excel 导入",
    "review.self_diagnosis.submitted": "提交",
    "review.self_diagnosis.filed": "备案",
    "review.self_diagnosis.reopened": "退回修改",
}


@dataclass
class FieldDiff:
    label: str
    segments: list[tuple[str, str]]  # ("equal" | "insert" | "delete", text)
    changed: bool


def char_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Character-level diff: Chinese has no spaces, so words are no unit to diff by."""
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    segments = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("equal", old[a0:a1]))
        if op in ("delete", "replace"):
            segments.append(("delete", old[a0:a1]))
        if op in ("insert", "replace"):
            segments.append(("insert", new[b0:b1]))
    return segments


def _history(records, fields: list[tuple[str, str]], a: str | None, b: str | None) -> dict:
    versions = list(records.select_related("history_user").order_by("history_date", "history_id"))
    rows = []
    previous = None
    for record in versions:
        changed = [
            label
            for name, label in fields
            if previous is None or getattr(previous, name) != getattr(record, name)
        ]
        rows.append(
            {
                "record": record,
                "changed": changed if previous is not None else [],
                "action": ACTIONS.get(record.history_change_reason or "", "修改"),
            }
        )
        previous = record
    by_id = {str(r.history_id): r for r in versions}
    newer = by_id.get(b or "") or (versions[-1] if versions else None)
    older = by_id.get(a or "") or (versions[-2] if len(versions) > 1 else newer)
    diffs = []
    if older and newer:
        if older.history_date > newer.history_date:
            older, newer = newer, older
        for name, label in fields:
            old_text, new_text = getattr(older, name) or "", getattr(newer, name) or ""
            diffs.append(
                FieldDiff(
                    label=label,
                    segments=char_diff(old_text, new_text),
                    changed=old_text != new_text,
                )
            )
    return {"versions": list(reversed(rows)), "older": older, "newer": newer, "diffs": diffs}


def entry_history(entry, *, a: str | None = None, b: str | None = None) -> dict:
    """Every saved version of one element's three texts, and the diff of two of them."""
    fields = [(name, label) for name, label, _ in ELEMENT_FIELDS]
    return {"title": f"{entry.element.code} {entry.element.name}"} | _history(
        entry.history.all(), fields, a, b
    )


def overview_history(report, *, a: str | None = None, b: str | None = None) -> dict:
    """Every saved version of the overview (and the report's status), with a diff."""
    fields = [("overview", "自我诊改工作概述")]
    return {"title": "自我诊改工作概述"} | _history(report.history.all(), fields, a, b)
