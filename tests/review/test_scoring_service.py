"""Scoring to verdict to sanctions against the database (R11–R17)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from review.models import (
    Cycle,
    Recheck,
    Sanction,
    SanctionEntry,
    SanctionMeasure,
    VerdictRecord,
)
from review.selectors import verdicts_in_force
from review.services import publication, rectification, scoring
from review.services.scoring import FindingInput
from review.services.verdict import Verdict
from tests.conftest import ELEMENT_CODES, school_checks_the_draft, score_and_publish

pytestmark = pytest.mark.django_db


def _new_round(recheck, year=2027, month=5):
    last = Recheck.objects.filter(cycle=recheck.cycle, school=recheck.school).order_by("-round")[0]
    new = Recheck.objects.create(
        cycle=recheck.cycle,
        school=recheck.school,
        planned_year=year,
        round=last.round + 1,
        start_date=date(year, month, 10),
        end_date=date(year, month, 12),
    )
    for assignment in recheck.assignments.all():
        assignment.pk = None
        assignment.recheck = new
        assignment.findings_submitted_at = None
        assignment.save()
    return new


def test_r12_inconsistent_finding_needs_a_reason(recheck_a, panel_of_three):
    assignment = recheck_a.assignments.get(is_lead=True)
    with pytest.raises(ValidationError) as excinfo:
        scoring.save_findings(
            assignment=assignment,
            user=panel_of_three[0],
            findings={"1.1": FindingInput(False, " ")},
        )
    assert "f1.1-reason" in excinfo.value.message_dict


def test_uncertified_expert_cannot_score(recheck_a, panel_of_three):
    assignment = recheck_a.assignments.get(is_lead=True)
    assignment.certified_at = None
    assignment.save()
    with pytest.raises(ValidationError, match="无利益冲突"):
        scoring.save_findings(
            assignment=assignment, user=panel_of_three[0], findings={"1.1": FindingInput(True)}
        )


def test_submission_requires_all_15_and_the_rating(recheck_a, panel_of_three):
    assignment = recheck_a.assignments.get(is_lead=True)
    with pytest.raises(ValidationError) as excinfo:
        scoring.save_findings(
            assignment=assignment,
            user=panel_of_three[0],
            findings={"1.1": FindingInput(True)},
            submit=True,
        )
    errors = excinfo.value.message_dict
    assert "f5.4-consistent" in errors and "measures_rating" in errors


def test_consolidation_waits_for_every_expert(recheck_a, panel_of_three):
    findings = {code: FindingInput(True, "相符") for code in ELEMENT_CODES}
    with pytest.raises(ValidationError, match="还有专家未提交评议"):
        scoring.save_consolidation(
            recheck=recheck_a,
            user=panel_of_three[0],
            findings=findings,
            measures_rating="strong",
            measures_reason="好",
            report="报告",
            submit=True,
        )


def test_only_the_lead_consolidates(recheck_a, panel_of_three):
    with pytest.raises(ValidationError, match="只有专家组组长"):
        scoring.save_consolidation(
            recheck=recheck_a,
            user=panel_of_three[1],
            findings={},
            measures_rating="",
            measures_reason="",
            report="",
        )


def test_disagreements_and_majority(recheck_a, panel_of_three):
    for i, user in enumerate(panel_of_three):
        findings = {code: FindingInput(True) for code in ELEMENT_CODES}
        if i == 2:
            findings["3.2"] = FindingInput(False, "材料显示师资诊改未形成常态")
        scoring.save_findings(
            assignment=recheck_a.assignments.get(expert__user=user),
            user=user,
            findings=findings,
            measures_rating="strong",
            measures_reason="理由",
            submit=True,
        )
    assert scoring.disagreements(recheck_a) == {"3.2"}
    assert scoring.majority(recheck_a)["3.2"] is True


@pytest.mark.parametrize(
    ("matched", "rating", "expected"),
    [(12, "strong", Verdict.EFFECTIVE), (11, "strong", Verdict.NEEDS_IMPROVEMENT),
     (9, "weak", Verdict.ABNORMAL), (12, "adequate", Verdict.NEEDS_IMPROVEMENT)],
)  # fmt: skip
def test_r14_published_verdict_follows_the_rule(
    recheck_a, panel_of_three, province, matched, rating, expected
):
    record = score_and_publish(recheck_a, panel_of_three, province, matched=matched, rating=rating)
    assert (record.verdict, record.matched) == (expected, matched)
    assert len(record.comparison) == 15
    assert record.comparison[14]["consistent"] is (matched >= 15)


def test_r11_rectification_is_due_one_year_after_the_end(recheck_a, panel_of_three, province):
    record = score_and_publish(recheck_a, panel_of_three, province, matched=13, rating="strong")
    assert record.rectification.due == date(2027, 5, 22)
    assert record.rectification.items.count() == 15


def test_published_verdict_cannot_be_published_twice(recheck_a, panel_of_three, province):
    score_and_publish(recheck_a, panel_of_three, province, matched=13, rating="strong")
    with pytest.raises(ValidationError, match="已经发布"):
        publication.publish_verdict(recheck=recheck_a, user=province)


def test_correction_is_a_new_linked_record(recheck_a, panel_of_three, province):
    record = score_and_publish(recheck_a, panel_of_three, province, matched=12, rating="strong")
    with pytest.raises(ValidationError):
        publication.correct_verdict(
            record=record, user=province, reason="", matched=11, measures_rating="strong"
        )
    correction = publication.correct_verdict(
        record=record,
        user=province,
        reason="5.4 合议结果录入有误",
        matched=11,
        measures_rating="strong",
    )
    record.refresh_from_db()
    assert record.verdict == Verdict.EFFECTIVE  # the original is untouched
    assert correction.corrects == record and correction.verdict == Verdict.NEEDS_IMPROVEMENT
    assert list(verdicts_in_force(school=recheck_a.school)) == [correction]


def test_r15_not_diagnosed_in_time_is_abnormal_and_sanctioned(cycle_2026, school_a, province):
    with pytest.raises(ValidationError):
        publication.record_not_diagnosed(cycle=cycle_2026, school=school_a, user=province, note="")
    record = publication.record_not_diagnosed(
        cycle=cycle_2026, school=school_a, user=province, note="截至 2026-12-31 未开展自主诊改"
    )
    assert record.verdict == Verdict.ABNORMAL and not record.diagnosed_on_time
    assert record.matched is None
    assert Sanction.objects.get(school=school_a).opened_by == record


def test_r17_abnormal_opens_a_sanction_with_three_measures_for_the_year(
    recheck_a, panel_of_three, province
):
    record = score_and_publish(recheck_a, panel_of_three, province, matched=8, rating="weak")
    sanction = Sanction.objects.get()
    assert sanction.opened_by == record and sanction.closed_on is None
    year = sanction.opened_on.year
    assert set(SanctionEntry.objects.values_list("year", "measure")) == {
        (year, m) for m in SanctionMeasure.values
    }


def test_r17_second_needs_improvement_in_a_row_opens_a_sanction(
    recheck_a, panel_of_three, province, time_machine
):
    time_machine.move_to("2026-06-01 10:00 +0800")
    score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="strong")
    assert not Sanction.objects.exists()  # one 待改进 is not enough
    time_machine.move_to("2027-06-01 10:00 +0800")  # published after its last day
    second = _new_round(recheck_a)
    record = score_and_publish(second, panel_of_three, province, matched=10, rating="adequate")
    assert record.verdict == Verdict.NEEDS_IMPROVEMENT
    assert Sanction.objects.get().opened_by == record


def test_r17_sanction_closed_by_the_next_effective_and_yearly_entries_stop(
    recheck_a, panel_of_three, province, time_machine
):
    time_machine.move_to("2026-06-01 10:00 +0800")
    score_and_publish(recheck_a, panel_of_three, province, matched=5, rating="weak")
    sanction = Sanction.objects.get()
    assert publication.record_sanction_years(sanction=sanction, through_year=2027) == 3
    assert (
        publication.record_sanction_years(sanction=sanction, through_year=2027) == 0
    )  # idempotent
    time_machine.move_to("2028-03-01 10:00 +0800")
    second = _new_round(recheck_a, year=2028, month=2)
    record = score_and_publish(second, panel_of_three, province, matched=14, rating="strong")
    sanction.refresh_from_db()
    assert sanction.closed_by == record and sanction.closed_on == date(2028, 3, 1)
    publication.record_sanction_years(sanction=sanction, through_year=2030)
    assert sorted({e.year for e in sanction.entries.all()}) == [2026, 2027, 2028]


def test_r17_correcting_the_verdict_that_opened_a_sanction_closes_it(
    recheck_a, panel_of_three, province
):
    record = score_and_publish(recheck_a, panel_of_three, province, matched=8, rating="weak")
    publication.correct_verdict(
        record=record, user=province, reason="合议计数有误", matched=12, measures_rating="strong"
    )
    assert Sanction.objects.get().closed_on is not None


def test_r16_reapply_only_after_the_improvement_period(
    recheck_a, panel_of_three, province, alice, time_machine
):
    time_machine.move_to("2026-06-01 10:00 +0800")
    record = score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="strong")
    with pytest.raises(ValidationError, match="改进期至 2027 年 6 月 1 日"):
        rectification.reapply(record=record, user=alice)
    time_machine.move_to("2027-06-01 09:00 +0800")
    application = rectification.reapply(record=record, user=alice, note="已完成整改")
    with pytest.raises(ValidationError, match="已经提交过"):
        rectification.reapply(record=record, user=alice)
    recheck = rectification.accept_reapplication(reapplication=application, user=province)
    assert recheck.school == recheck_a.school and recheck.round == 2
    assert recheck.cycle == Cycle.objects.get(start_year=2026)


def test_r16_effective_school_cannot_reapply(recheck_a, panel_of_three, province, alice):
    record = score_and_publish(recheck_a, panel_of_three, province, matched=15, rating="strong")
    with pytest.raises(ValidationError, match="同一周期内不再复核"):
        rectification.reapply(record=record, user=alice)


def test_rectification_items_saved_with_history(recheck_a, panel_of_three, province, alice):
    record = score_and_publish(recheck_a, panel_of_three, province, matched=12, rating="adequate")
    changed = rectification.save_rectification(
        rectification=record.rectification,
        user=alice,
        items={"5.4": {"plan": "凝练海洋特色", "progress": "已完成调研"}},
    )
    item = record.rectification.items.get(element__code="5.4")
    assert changed == 1 and item.plan == "凝练海洋特色"
    assert item.history.latest().history_user == alice
    assert VerdictRecord.objects.count() == 1


def test_r11_rectification_completed_only_when_every_inconsistent_element_is_written(
    recheck_a, panel_of_three, province, alice, time_machine
):
    time_machine.move_to("2026-06-01 10:00 +0800")
    record = score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="strong")
    plan = record.rectification
    inconsistent = ELEMENT_CODES[11:]  # the four elements found 不相符
    rectification.save_rectification(
        rectification=plan,
        user=alice,
        items={inconsistent[0]: {"plan": "措施", "progress": "进展"}},
    )
    with pytest.raises(ValidationError) as excinfo:
        rectification.complete_rectification(rectification=plan, user=alice)
    missing = " ".join(excinfo.value.messages)
    assert inconsistent[1] in missing and inconsistent[0] not in missing
    assert "1.2 组织构架" not in missing  # 相符: a plan is allowed, not required
    rectification.save_rectification(
        rectification=plan,
        user=alice,
        items={code: {"plan": "措施", "progress": "进展"} for code in inconsistent},
    )
    time_machine.move_to("2027-05-23 09:00 +0800")  # a day after the due date
    rectification.complete_rectification(rectification=plan, user=alice)
    plan.refresh_from_db()
    assert plan.completed_by == alice and plan.completed_late is True
    with pytest.raises(ValidationError, match="已经标记为完成"):
        rectification.complete_rectification(rectification=plan, user=alice)


def _new_version_in_force(version="fujian-next"):
    """A new indicator version (same codes, new rows) comes into force, as staff would do it."""
    import json

    from indicators.models import IndicatorSystem
    from indicators.services.loading import load_indicator_system
    from zhengai import fixtures

    data = json.loads(fixtures.INDICATOR_FILES[0].read_text(encoding="utf-8"))
    data |= {"version": version, "name": "新版", "title": "新版指标体系", "in_force": False}
    system = load_indicator_system(data=data)
    IndicatorSystem.objects.update(in_force=False)
    IndicatorSystem.objects.filter(pk=system.pk).update(in_force=True)
    return system


def test_r1_recheck_keeps_its_version_when_a_new_one_comes_into_force(
    recheck_a, panel_of_three, province
):
    old = recheck_a.system
    assert old.in_force and old.version == "fujian-revised"
    findings = {code: FindingInput(True, "相符") for code in ELEMENT_CODES}
    for user in panel_of_three:
        scoring.save_findings(
            assignment=recheck_a.assignments.get(expert__user=user),
            user=user,
            findings=findings,
            measures_rating="strong",
            measures_reason="理由",
            submit=True,
        )
    # The lead's draft is saved under the old version, then a new version comes into force.
    scoring.save_consolidation(
        recheck=recheck_a,
        user=panel_of_three[0],
        findings=findings,
        measures_rating="strong",
        measures_reason="意见",
        report="报告",
    )
    new = _new_version_in_force()
    recheck_a.refresh_from_db()
    assert recheck_a.system == old
    assert {e.project.system_id for e in scoring.elements_of(recheck_a)} == {old.pk}
    scoring.save_consolidation(
        recheck=recheck_a,
        user=panel_of_three[0],
        findings=findings,
        measures_rating="strong",
        measures_reason="意见",
        report="报告",
        submit=True,
    )
    assert scoring.consolidated_matched(recheck_a.consolidation) == 15
    school_checks_the_draft(recheck_a, province)
    record = publication.publish_verdict(recheck=recheck_a, user=province)
    assert record.matched == 15 and record.verdict == Verdict.EFFECTIVE
    assert len(record.comparison) == 15
    items = record.rectification.items.select_related("element__project")
    assert {i.element.project.system_id for i in items} == {old.pk} and items.count() == 15
    # A re-check opened now is judged on the new version.
    later = Recheck.objects.create(
        cycle=recheck_a.cycle, school=recheck_a.school, planned_year=2027, round=2
    )
    assert later.system == new


def test_r1_matched_counts_only_the_rechecks_own_version(recheck_a, panel_of_three):
    """Findings stored on another version's elements never push matched above 15."""
    from review.models import ConsolidatedFinding, Consolidation

    new = _new_version_in_force()
    consolidation = Consolidation.objects.create(recheck=recheck_a)
    from indicators.models import Element

    for system in (recheck_a.system, new):
        for element in Element.objects.filter(project__system=system):
            ConsolidatedFinding.objects.create(
                consolidation=consolidation, element=element, consistent=True, reason="相符"
            )
    assert scoring.consolidated_matched(consolidation) == 15


def test_r17_correction_takes_the_place_of_the_verdict_it_corrects(
    recheck_a, panel_of_three, province, time_machine
):
    """待改进 (2026), 有效 (2027), then the 2026 verdict corrected to 异常: 有效 stays latest."""
    from disclosure.selectors import search_schools
    from review.selectors import cycle_overview, verdict_history

    time_machine.move_to("2026-06-01 10:00 +0800")
    first = score_and_publish(recheck_a, panel_of_three, province, matched=11, rating="strong")
    time_machine.move_to("2027-03-01 10:00 +0800")
    second = _new_round(recheck_a, year=2027, month=2)
    effective = score_and_publish(second, panel_of_three, province, matched=14, rating="strong")
    time_machine.move_to("2027-07-01 10:00 +0800")
    correction = publication.correct_verdict(
        record=first, user=province, reason="复核计数有误", matched=5, measures_rating="weak"
    )
    assert correction.verdict == Verdict.ABNORMAL
    school = recheck_a.school
    assert list(verdicts_in_force(school=school)) == [correction, effective]
    assert not Sanction.objects.filter(closed_on__isnull=True).exists()
    (history,) = [row for row in verdict_history(filters={}) if row.school == school]
    assert history.latest == effective and history.corrected == [first]
    (row,) = [r for r in cycle_overview(recheck_a.cycle, filters={}) if r.school == school]
    assert row.verdict == "有效"
    assert school.pk in {s.pk for s in search_schools(verdict="effective")}
    assert school.pk not in {s.pk for s in search_schools(verdict="abnormal")}


def test_r17_ledger_years_are_complete_without_the_daily_scan(
    recheck_a, panel_of_three, province, time_machine
):
    time_machine.move_to("2026-06-01 10:00 +0800")
    score_and_publish(recheck_a, panel_of_three, province, matched=5, rating="weak")
    time_machine.move_to("2028-03-01 10:00 +0800")  # no scan ran in 2027 or 2028
    second = _new_round(recheck_a, year=2028, month=2)
    score_and_publish(second, panel_of_three, province, matched=14, rating="strong")
    sanction = Sanction.objects.get()
    assert sanction.closed_on == date(2028, 3, 1)
    years = sorted({e.year for e in sanction.entries.all()})
    assert years == [2026, 2027, 2028]
    assert sanction.entries.count() == 9


def test_r17_a_needs_improvement_after_abnormal_keeps_the_sanction(
    recheck_a, panel_of_three, province, time_machine
):
    time_machine.move_to("2026-06-01 10:00 +0800")
    score_and_publish(recheck_a, panel_of_three, province, matched=5, rating="weak")
    time_machine.move_to("2027-06-01 10:00 +0800")  # published after its last day
    second = _new_round(recheck_a)
    score_and_publish(second, panel_of_three, province, matched=11, rating="strong")
    assert Sanction.objects.get().closed_on is None


def test_r15_not_diagnosed_is_recorded_once_per_school_and_cycle(cycle_2026, school_a, province):
    from django.db import IntegrityError, transaction

    record = publication.record_not_diagnosed(
        cycle=cycle_2026, school=school_a, user=province, note="未提交自我诊断报告"
    )
    with pytest.raises(ValidationError, match="已经记录过"):
        publication.record_not_diagnosed(
            cycle=cycle_2026, school=school_a, user=province, note="再次认定"
        )
    # The database holds the rule too, whatever path writes.
    with pytest.raises(IntegrityError), transaction.atomic():
        record.pk = None
        record.save()
    assert VerdictRecord.objects.filter(school=school_a, diagnosed_on_time=False).count() == 1


def test_consolidation_preview_uses_the_scoring_services_matched(
    client, recheck_a, panel_of_three, monkeypatch
):
    """One count: the page shows what ``scoring.matched`` says, not a count of its own."""
    findings = {code: FindingInput(True, "相符") for code in ELEMENT_CODES}
    for user in panel_of_three:
        scoring.save_findings(
            assignment=recheck_a.assignments.get(expert__user=user),
            user=user,
            findings=findings,
            measures_rating="strong",
            measures_reason="理由",
            submit=True,
        )
    scoring.save_consolidation(
        recheck=recheck_a,
        user=panel_of_three[0],
        findings=findings,
        measures_rating="strong",
        measures_reason="意见",
        report="报告",
    )
    monkeypatch.setattr(scoring, "matched", lambda recheck, values: 7)
    client.force_login(panel_of_three[0])
    response = client.get(f"/rechecks/{recheck_a.pk}/consolidate/")
    assert response.status_code == 200
    assert response.context["matched"] == 7
    assert response.context["preview"]["verdict"] == Verdict.NEEDS_IMPROVEMENT
