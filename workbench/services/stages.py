"""A school's round as a stage bar, and an expert's next action: pure, no database.

实施细则 → 自诊报告 → 复核材料 → 公示 → 报送 → 复核 → 结论 → 整改 → 改进期 / 再申请.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

DONE, CURRENT, NEXT, LATER, SKIPPED = "done", "current", "next", "later", "skipped"
STATE_LABELS = {
    DONE: "已完成",
    CURRENT: "当前",
    NEXT: "下一步",
    LATER: "待办",
    SKIPPED: "不适用",
}


@dataclass(frozen=True)
class RoundFacts:
    """What the database says about a school's current round (read by the selector)."""

    year: int
    rules_filed: bool
    rules_due: date
    report_status: str | None  # None: not started
    report_due: date | None  # the cycle's self-diagnosis due day
    recheck_year: int | None = None  # None: not picked for re-check in this cycle
    recheck_start: date | None = None
    recheck_end: date | None = None
    publish_by: date | None = None
    submit_by: date | None = None
    materials_missing: tuple[str, ...] = ()
    published: bool = False
    submitted: bool = False
    verdict_label: str | None = None
    verdict_effective: bool = False
    rectification_due: date | None = None
    rectification_done: bool = False
    improvement_end: date | None = None
    reapplied: bool = False


@dataclass
class Step:
    name: str
    state: str = LATER
    due: date | None = None
    missing: list[str] = field(default_factory=list)
    url_name: str = ""  # which page does it: the view picks the address

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass
class StageBar:
    steps: list[Step]
    current: Step | None
    next: Step | None
    deadline: date | None
    days_left: int | None
    missing: list[str] = field(default_factory=list)  # of every open step, in order


def stage_bar(facts: RoundFacts, *, today: date) -> StageBar:
    """The ten steps, each done, current, next, later or not applicable to this round."""
    report_done = facts.report_status in ("submitted", "filed")
    picked = facts.recheck_year is not None
    concluded = facts.verdict_label is not None
    steps = [
        Step(
            "实施细则",
            DONE if facts.rules_filed else LATER,
            facts.rules_due,
            [] if facts.rules_filed else [f"{facts.year} 年实施细则尚未备案"],
            url_name="rules",
        ),
        Step(
            "自诊报告",
            DONE if report_done else LATER,
            facts.report_due,
            [] if report_done else ["自我诊断与改进报告尚未提交"],
            url_name="report",
        ),
    ]
    if picked:
        ended = bool(facts.recheck_end and facts.recheck_end < today)
        steps += [
            Step(
                "复核材料",
                DONE if not facts.materials_missing or facts.published else LATER,
                facts.publish_by,
                [] if facts.published else [f"未上传：{m}" for m in facts.materials_missing],
                url_name="recheck",
            ),
            Step("公示", DONE if facts.published else LATER, facts.publish_by, url_name="recheck"),
            Step("报送", DONE if facts.submitted else LATER, facts.submit_by, url_name="recheck"),
            Step(
                "复核",
                DONE if ended or concluded else LATER,
                facts.recheck_start,
                [] if facts.recheck_start else ["省里尚未排定复核日期"],
                url_name="recheck",
            ),
            Step("结论", DONE if concluded else LATER, url_name="verdict"),
            Step(
                "整改",
                DONE if facts.rectification_done else LATER,
                facts.rectification_due,
                url_name="rectification",
            ),
        ]
        if concluded and facts.verdict_effective:
            steps.append(Step("改进期 / 再申请", SKIPPED, url_name="verdict"))
        else:
            steps.append(
                Step(
                    "改进期 / 再申请",
                    DONE if facts.reapplied else LATER,
                    facts.improvement_end,
                    url_name="verdict",
                )
            )
    else:
        for name in ("复核材料", "公示", "报送", "复核", "结论", "整改", "改进期 / 再申请"):
            steps.append(Step(name, SKIPPED))
    open_steps = [s for s in steps if s.state == LATER]
    current = open_steps[0] if open_steps else None
    following = open_steps[1] if len(open_steps) > 1 else None
    if current:
        current.state = CURRENT
    if following:
        following.state = NEXT
    # The most urgent open date: an overdue one first (negative days left), else the nearest.
    deadline = min((s.due for s in open_steps if s.due), default=None)
    return StageBar(
        steps=steps,
        current=current,
        next=following,
        deadline=deadline,
        days_left=(deadline - today).days if deadline else None,
        missing=[m for s in open_steps for m in s.missing],
    )


@dataclass(frozen=True)
class AssignmentFacts:
    certified: bool
    submitted: bool
    is_lead: bool
    consolidated: bool
    concluded: bool
    start: date | None
    end: date | None


def next_action(facts: AssignmentFacts, *, today: date) -> tuple[str, str, date | None]:
    """(what to do, which page: recheck/score/consolidate/verdict, by when) for one assignment.

    declare → read materials → score → consolidate (the lead), then wait for the verdict.
    """
    if facts.concluded:
        return "结论已发布", "recheck", None
    if not facts.certified:
        return "声明无利益冲突", "recheck", facts.start
    if not facts.submitted:
        if facts.start is None or today < facts.start:
            return "阅读复核材料", "recheck", facts.start
        return "在线评议（逐项判断是否相符）", "score", facts.end
    if facts.is_lead and not facts.consolidated:
        return "汇总专家组意见（组长合议）", "consolidate", facts.end
    return "等待省里发布结论", "recheck", None
