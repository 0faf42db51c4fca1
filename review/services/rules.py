"""Self-diagnosis rules as pure functions (R4, R5 hints, R6, R20): no database here."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from review.services.limits import ELEMENT_FIELDS, char_count, normalize_text

PANEL_MINIMUM = 9  # R4: 自主诊改聘请的专家人数不少于 9 人
EXTERNAL_SHARE = 0.5  # R4: 校外专家人数不少于专家总数的 1/2
RULES_DEADLINE_MONTH_DAY = (5, 30)  # R20: 实施细则于 5 月 30 日前备案
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def panel_problems(*, total: int, external: int) -> list[str]:
    """R4: what a panel lacks, in Chinese; an empty list means the panel is valid."""
    problems = []
    if total < PANEL_MINIMUM:
        problems.append(f"专家组现有 {total} 人，还差 {PANEL_MINIMUM - total} 人（不少于 9 人）。")
    needed_external = math.ceil(total * EXTERNAL_SHARE)
    if external < needed_external:
        problems.append(
            f"校外专家现有 {external} 人，{total} 人的专家组至少需要 {needed_external} 名"
            f"校外专家，还差 {needed_external - external} 人（校外专家不少于总数的 1/2）。"
        )
    if problems:
        # Adding only external experts fixes both at once; say how many that takes.
        fix = max(PANEL_MINIMUM - total, total - 2 * external, 0)
        if fix and len(problems) == 2:
            problems.append(f"例如再增加 {fix} 名校外专家即可满足要求。")
    return problems


def person_key(name: str, employer: str) -> tuple[str, str]:
    """R4: who a panel member is: name and employer, whitespace (full-width too) ignored."""
    return ("".join(name.split()).casefold(), "".join(employer.split()).casefold())


def duplicate_members(members: list[tuple[str, str]]) -> list[str]:
    """R4: the same person (name and employer) listed twice counts once: say who, in Chinese."""
    seen: set[tuple[str, str]] = set()
    problems = []
    for name, employer in members:
        key = person_key(name, employer)
        if key in seen:
            problems.append(
                f"{name.strip()}（{employer.strip()}）重复填写：同一位专家只能计算一次。"
            )
        seen.add(key)
    return problems


def rules_deadline(year: int) -> date:
    """R20: the implementation rules of ``year`` are due on 30 May of that year."""
    return date(year, *RULES_DEADLINE_MONTH_DAY)


def filed_on_time(filed_at: datetime, year: int) -> bool:
    """R20: filed on or before 30 May, by the date in Fujian."""
    return filed_at.astimezone(LOCAL_TZ).date() <= rules_deadline(year)


ANNEX2_PLAN_LAST_YEAR = 2020  # R6/R7: the 2017–2020 plan of 附件2


def files_instead_of_submitting(*, evaluated_before_2020: bool, year: int) -> bool:
    """R6: a school evaluated before 2020 files (备案) its self-diagnosis of the 2017–2020 plan.

    The exemption covers that plan only: from 2021 its report is submitted like every
    other school's, and the school may be picked for re-check (R8).
    """
    return evaluated_before_2020 and year <= ANNEX2_PLAN_LAST_YEAR


def exempt_from_recheck(*, evaluated_before_2020: bool, annex2_cycle: bool) -> bool:
    """R6: in the 2017–2020 plan an evaluated school files its self-diagnosis, not re-checked.

    From 2020 on every school may be sampled (R8), evaluated or not.
    """
    return evaluated_before_2020 and annex2_cycle


def recheck_took_place(
    *, end_date: date | None, planned_year: int, annex2: bool, has_verdict: bool, today: date
) -> bool:
    """R8's "longest without a re-check": only a re-check that was held counts.

    Held means its last day has passed or its verdict is out. 附件2's 2017–2020 plan is
    loaded as history without dates: a row of a past year counts as held (R7).
    A re-check picked but never scheduled, or still ahead, does not count.
    """
    if has_verdict or (end_date is not None and end_date <= today):
        return True
    return annex2 and end_date is None and planned_year < today.year


def may_start_self_diagnosis(*, is_new: bool) -> bool:
    """R6: a new school must pass the talent-training evaluation before starting 诊改."""
    return not is_new


# R5 hints (附件3 notes 2 and 4). Gentle: they never block a save or a submission.
_PROBLEM_MARKERS = ("存在问题", "存在的问题", "问题", "不足", "短板", "差距", "原因")
_CARRIED_OUT_MARKERS = re.compile(
    r"已实施|已经实施|实施以来|实施后|已落实|已完成|已开展|已建立|已初步|正在实施|"
    r"尚未实施|未实施|尚未开展|尚未|正在推进|正在开展|已显现|初见成效"
)


def opinion_hint(opinion: str) -> str | None:
    """附件3 note 2: problems and causes should be about half of an opinion."""
    text = normalize_text(opinion)
    if char_count(text) < 60:
        return None  # too short to judge yet
    positions = [text.find(marker) for marker in _PROBLEM_MARKERS if marker in text]
    if not positions:
        return "未看到“存在问题”和“原因分析”：附件3要求二者约占自我诊断意见一半篇幅。"
    share = (len(text) - min(positions)) / len(text)
    if share < 0.3:
        return f"“存在问题”和“原因分析”约占 {share:.0%}，明显少于一半篇幅（附件3要求约占一半）。"
    return None


def effects_hint(effects: str) -> str | None:
    """附件3 note 4: effects are what has shown; say so if the measures are not carried out."""
    text = normalize_text(effects)
    if not text or _CARRIED_OUT_MARKERS.search(text):
        return None
    return "改进成效应写措施实施后已经显现的实际效果；如果措施尚未实施，请加说明（附件3注4）。"


def problems_of(report, *, panel: list, entries: list, open_conflicts: int) -> list[str]:
    """What stands between a draft report and its submission, in Chinese (R4, R5).

    A rule on rows already loaded — the report, its panel members, its element entries — so
    the edit page (a read) and the submission (a write) judge a report the same way.
    """
    return [
        text
        for text, _ in checklist_of(
            report, panel=panel, entries=entries, open_conflicts=open_conflicts
        )
    ]


def checklist_of(
    report, *, panel: list, entries: list, open_conflicts: int
) -> list[tuple[str, str]]:
    """``problems_of`` with where each is fixed: a field id on the edit page, or "panel".

    Conflicts point at the first element (or the overview) that holds one: "conflict".
    """
    items = [
        (text, "panel")
        for text in panel_problems(total=len(panel), external=sum(m.external for m in panel))
    ]
    if not report.overview:
        items.append(("尚未填写“自我诊改工作概述”。", "id_overview"))
    labels = {name: label for name, label, _ in ELEMENT_FIELDS}
    for row in entries:
        missing = [name for name, _, _ in ELEMENT_FIELDS if not getattr(row, name)]
        if missing:
            element = row.element
            text = (
                f"{element.code} {element.name}：尚未填写{'、'.join(labels[n] for n in missing)}。"
            )
            items.append((text, f"e{element.code}-{missing[0]}"))
    if open_conflicts:
        items.append((f"还有 {open_conflicts} 处编辑冲突尚未处理。", "conflict"))
    return items
