"""Pure rule tests for the self-diagnosis: R4, R5, R6, R20."""

from datetime import UTC, datetime

import pytest

from review.services.limits import (
    EFFECTS_LIMIT,
    MEASURES_LIMIT,
    OPINION_LIMIT,
    OVERVIEW_LIMIT,
    char_count,
    over_limit,
)
from review.services.rules import (
    effects_hint,
    filed_on_time,
    may_start_self_diagnosis,
    opinion_hint,
    panel_problems,
    rules_deadline,
)


def test_r4_nine_experts_five_external_is_a_valid_panel():
    assert panel_problems(total=9, external=5) == []


def test_r4_exactly_half_external_is_enough():
    assert panel_problems(total=10, external=5) == []


def test_r4_eight_experts_is_one_short():
    problems = panel_problems(total=8, external=8)
    assert problems == ["专家组现有 8 人，还差 1 人（不少于 9 人）。"]


def test_r4_nine_experts_four_external_needs_one_more_external():
    problems = panel_problems(total=9, external=4)
    assert len(problems) == 1
    assert "校外专家现有 4 人" in problems[0] and "还差 1 人" in problems[0]


def test_r4_both_missing_says_how_many_externals_fix_it():
    problems = panel_problems(total=6, external=1)
    assert "还差 3 人（不少于 9 人）" in problems[0]
    assert "至少需要 3 名校外专家，还差 2 人" in problems[1]
    # Adding externals only: need n+x >= 9 and 2(1+x) >= 6+x, so x = 4.
    assert problems[2] == "例如再增加 4 名校外专家即可满足要求。"


def test_r4_empty_panel():
    assert panel_problems(total=0, external=0)[0].startswith("专家组现有 0 人，还差 9 人")


@pytest.mark.parametrize(
    ("limit", "expected"),
    [(OVERVIEW_LIMIT, 500), (OPINION_LIMIT, 500), (MEASURES_LIMIT, 200), (EFFECTS_LIMIT, 200)],
)
def test_r5_limits_are_the_annex3_numbers(limit, expected):
    assert limit == expected


def test_r5_limit_boundary_counts_chinese_characters_as_one():
    assert over_limit("诊" * 500, 500) is None
    assert over_limit("诊" * 501, 500) == "不能超过 500 字（当前 501 字，多了 1 字）"


def test_r5_line_breaks_count_once_and_edges_are_trimmed():
    assert char_count("一\r\n二\r\n") == 3
    assert char_count("  改进  ") == 2
    assert char_count("𠀀") == 1  # a character outside the BMP is still one character


def test_r5_hint_when_problems_and_causes_are_missing():
    opinion = "学校质量目标明确，达成度较高。" * 6
    assert "未看到“存在问题”和“原因分析”" in opinion_hint(opinion)


def test_r5_no_hint_when_problems_and_causes_take_about_half():
    opinion = (
        "学校质量目标明确，达成度较高。" * 3
        + "存在问题：专业诊改覆盖面不足。原因分析：数据平台应用不够。" * 2
    )
    assert opinion_hint(opinion) is None


def test_r5_hint_when_problems_are_a_small_tail():
    opinion = "学校质量目标明确，达成度较高，成绩显著。" * 8 + "存在问题：少。"
    assert "明显少于一半篇幅" in opinion_hint(opinion)


def test_r5_effects_hint_unless_it_says_whether_measures_are_carried_out():
    assert "如果措施尚未实施，请加说明" in effects_hint("学生满意度提高。")
    assert effects_hint("措施已实施一年，学生满意度提高 5%。") is None
    assert effects_hint("措施尚未实施，预计下学期开始。") is None
    assert effects_hint("") is None


def test_r6_new_school_may_not_start_self_diagnosis():
    assert may_start_self_diagnosis(is_new=True) is False
    assert may_start_self_diagnosis(is_new=False) is True


def test_r20_deadline_is_30_may_of_the_year():
    assert rules_deadline(2026).isoformat() == "2026-05-30"


def test_r20_on_time_is_judged_by_the_date_in_fujian():
    # 2026-05-30 23:30 in Fujian is 15:30 UTC: on time.
    assert filed_on_time(datetime(2026, 5, 30, 15, 30, tzinfo=UTC), 2026)
    # 2026-05-30 16:30 UTC is already 31 May 00:30 in Fujian: late.
    assert not filed_on_time(datetime(2026, 5, 30, 16, 30, tzinfo=UTC), 2026)
    # Filing the 2027 rules in 2026 is early, hence on time.
    assert filed_on_time(datetime(2026, 12, 1, tzinfo=UTC), 2027)


def test_r6_filing_exemption_covers_the_2017_2020_plan_only():
    from review.services.rules import files_instead_of_submitting

    assert files_instead_of_submitting(evaluated_before_2020=True, year=2020)
    assert not files_instead_of_submitting(evaluated_before_2020=True, year=2026)
    assert not files_instead_of_submitting(evaluated_before_2020=False, year=2019)
