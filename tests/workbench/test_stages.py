"""The stage bar and the expert's next action (pure)."""

from datetime import date

from workbench.services.stages import (
    CURRENT,
    DONE,
    NEXT,
    SKIPPED,
    AssignmentFacts,
    RoundFacts,
    next_action,
    stage_bar,
)

TODAY = date(2026, 4, 1)


def _facts(**kw):
    base = dict(
        year=2026, rules_filed=True, rules_due=date(2026, 5, 30), report_status="submitted",
        report_due=date(2028, 12, 31), recheck_year=2026, recheck_start=date(2026, 5, 20),
        recheck_end=date(2026, 5, 22), publish_by=date(2026, 4, 20), submit_by=date(2026, 5, 5),
        materials_missing=("学校满意度调查",),
    )  # fmt: skip
    return RoundFacts(**{**base, **kw})


def test_stage_bar_marks_done_current_next_and_the_nearest_deadline():
    bar = stage_bar(_facts(), today=TODAY)
    states = {s.name: s.state for s in bar.steps}
    assert states["实施细则"] == DONE and states["自诊报告"] == DONE
    assert states["复核材料"] == CURRENT and states["公示"] == NEXT
    assert bar.deadline == date(2026, 4, 20) and bar.days_left == 19
    assert bar.missing == ["未上传：学校满意度调查"]


def test_a_school_not_picked_has_the_recheck_steps_not_applicable():
    bar = stage_bar(_facts(recheck_year=None, rules_filed=False), today=TODAY)
    assert [s.state for s in bar.steps][2:] == [SKIPPED] * 7
    assert bar.current.name == "实施细则" and bar.deadline == date(2026, 5, 30)


def test_an_overdue_step_shows_negative_days_left():
    bar = stage_bar(_facts(materials_missing=()), today=date(2026, 4, 25))
    assert bar.current.name == "公示" and bar.days_left == -5


def test_effective_verdict_needs_no_improvement_period():
    bar = stage_bar(
        _facts(materials_missing=(), published=True, submitted=True, verdict_label="有效",
               verdict_effective=True, rectification_due=date(2027, 5, 22)),
        today=date(2026, 6, 1),
    )  # fmt: skip
    assert bar.steps[-1].state == SKIPPED and bar.current.name == "整改"


def _assignment(**kw):
    base = dict(certified=True, submitted=False, is_lead=False, consolidated=False,
                concluded=False, start=date(2026, 5, 20), end=date(2026, 5, 22))  # fmt: skip
    return AssignmentFacts(**{**base, **kw})


def test_expert_next_action_declare_read_score_consolidate():
    assert next_action(_assignment(certified=False), today=TODAY)[0] == "声明无利益冲突"
    assert next_action(_assignment(), today=TODAY)[:2] == ("阅读复核材料", "recheck")
    assert next_action(_assignment(), today=date(2026, 5, 20))[1] == "score"
    lead = _assignment(submitted=True, is_lead=True)
    assert next_action(lead, today=date(2026, 5, 21))[1] == "consolidate"
    assert next_action(_assignment(concluded=True), today=TODAY)[0] == "结论已发布"
