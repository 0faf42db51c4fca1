"""Re-check planning against the database: R7, R8, R9, R10, R19."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from guardian.core import ObjectPermissionChecker

from notices.models import Notice, NoticeKind
from review.models import (
    Cycle,
    CycleKind,
    Material,
    MaterialKind,
    PanelAssignment,
    Recheck,
    RecheckDateChange,
    RecheckUserObjectPermission,
)
from review.services import materials, panel_assignments
from review.services import rechecks as service
from schools.models import (
    ConflictKind,
    Expert,
    ExpertAvailability,
    ExpertConflict,
    ExpertKind,
    School,
)
from tests.uploads import tiny_pdf

pytestmark = pytest.mark.django_db


def _pdf(name="材料.pdf"):
    return SimpleUploadedFile(name, tiny_pdf(name), content_type="application/pdf")


def _pool(n_each=4):
    experts = []
    for kind in ExpertKind:
        for i in range(n_each):
            experts.append(
                Expert.objects.create(name=f"{kind.label}{i}", employer="单位", kind=kind)
            )
    return experts


def test_r7_annex2_plan_is_a_cycle_with_35_planned_rechecks(seeded):
    cycle = Cycle.objects.get(kind=CycleKind.ANNEX2)
    years = list(cycle.rechecks.values_list("planned_year", flat=True))
    assert len(years) == 35
    assert {y: years.count(y) for y in set(years)} == {2017: 23, 2018: 6, 2019: 3, 2020: 3}
    assert cycle.selection_closed_at is not None


def test_r8_cycles_are_three_years_from_2020(province):
    cycle = service.create_cycle(start_year=2023, user=province)
    assert (cycle.start_year, cycle.end_year) == (2023, 2025)
    with pytest.raises(ValidationError, match="三年周期从 2020 年起"):
        service.create_cycle(start_year=2019, user=province)
    with pytest.raises(ValidationError, match="重叠"):
        service.create_cycle(start_year=2024, user=province)


def test_r8_selection_cannot_close_below_a_third(cycle_2026, province):
    schools = list(School.objects.filter(is_new=False).order_by("pk")[:14])
    service.set_selection(cycle=cycle_2026, school_ids={s.pk for s in schools}, user=province)
    with pytest.raises(ValidationError) as excinfo:
        service.close_selection(cycle=cycle_2026, user=province)
    assert "抽样 14 所，少于全省 43 所的 1/3（至少 15 所），还差 1 所。" in excinfo.value.messages
    extra = School.objects.exclude(pk__in=[s.pk for s in schools]).first()
    service.set_selection(
        cycle=cycle_2026, school_ids={s.pk for s in schools} | {extra.pk}, user=province
    )
    service.close_selection(cycle=cycle_2026, user=province)
    cycle_2026.refresh_from_db()
    assert cycle_2026.selection_closed_at is not None
    with pytest.raises(ValidationError, match="抽样已经确认"):
        service.set_selection(cycle=cycle_2026, school_ids=set(), user=province)


def test_r6_new_schools_cannot_be_picked(cycle_2026, province, school_a):
    school_a.is_new = True
    school_a.save()
    with pytest.raises(ValidationError, match="新建院校"):
        service.set_selection(cycle=cycle_2026, school_ids={school_a.pk}, user=province)


def test_r6_evaluated_schools_are_exempt_in_the_annex2_plan_only(cycle_2026, school_b):
    annex2 = Cycle.objects.get(kind=CycleKind.ANNEX2)
    assert "备案免复核" in service.selection_refusal(annex2, school_b)
    assert service.selection_refusal(cycle_2026, school_b) is None


def test_r8_suggestion_puts_the_never_rechecked_first_and_is_reproducible(cycle_2026):
    first = service.suggest_sample(cycle=cycle_2026, seed=7)
    assert len(first) == 15
    never = set(School.objects.filter(annex2_year__isnull=True).values_list("pk", flat=True))
    assert set(first[: len(never)]) == never
    assert service.suggest_sample(cycle=cycle_2026, seed=7) == first
    assert service.suggest_sample(cycle=cycle_2026, seed=8) != first
    cycle_2026.refresh_from_db()
    assert cycle_2026.sample_seed == 8


def test_r10_scheduling_and_rescheduling_records_why(cycle_2026, school_a, province):
    recheck = Recheck.objects.create(cycle=cycle_2026, school=school_a, planned_year=2026)
    service.schedule(recheck=recheck, start=date(2026, 5, 20), end=date(2026, 5, 22), user=province)
    recheck.refresh_from_db()
    assert recheck.deadlines.publish_by == date(2026, 4, 20)
    assert recheck.deadlines.submit_by == date(2026, 5, 5)
    with pytest.raises(ValidationError) as excinfo:
        service.schedule(
            recheck=recheck, start=date(2026, 6, 1), end=date(2026, 6, 3), user=province
        )
    assert "reason" in excinfo.value.message_dict
    service.schedule(
        recheck=recheck,
        start=date(2026, 6, 1),
        end=date(2026, 6, 3),
        user=province,
        reason="与学校期末考试冲突",
    )
    recheck.refresh_from_db()
    assert recheck.deadlines.publish_by == date(2026, 5, 2)
    change = RecheckDateChange.objects.first()
    assert (change.old_start, change.new_start, change.reason) == (
        date(2026, 5, 20),
        date(2026, 6, 1),
        "与学校期末考试冲突",
    )


def test_r10_dates_must_be_in_order_and_in_the_cycle(recheck_a, province):
    with pytest.raises(ValidationError) as excinfo:
        service.schedule(
            recheck=recheck_a,
            start=date(2030, 5, 20),
            end=date(2030, 5, 1),
            user=province,
            reason="x",
        )
    assert set(excinfo.value.message_dict) == {"start_date", "end_date"}


def test_r19_never_the_experts_own_school(recheck_a, province, school_a):
    insider = Expert.objects.create(
        name="本校专家", employer=school_a.name, kind=ExpertKind.VOCATIONAL_COLLEGE, school=school_a
    )
    with pytest.raises(ValidationError) as excinfo:
        panel_assignments.assign_expert(
            recheck=recheck_a, expert=insider, user=province, reason="试"
        )
    assert "任职" in " ".join(excinfo.value.messages)
    assert not recheck_a.assignments.exists()


@pytest.mark.parametrize("kind", list(ConflictKind))
def test_r19_never_a_declared_conflict(recheck_a, province, school_a, kind):
    coach = Expert.objects.create(
        name="辅导专家", employer="外单位", kind=ExpertKind.EDUCATION_RESEARCH
    )
    ExpertConflict.objects.create(
        expert=coach,
        school=school_a,
        kind=kind,
        started_on=date(2019, 1, 1),
        ended_on=date(2019, 6, 1),
    )
    with pytest.raises(ValidationError, match="利益冲突"):
        panel_assignments.assign_expert(recheck=recheck_a, expert=coach, user=province, reason="试")


def test_r19_unavailable_year_and_overlapping_rechecks(recheck_a, cycle_2026, school_b, province):
    busy = Expert.objects.create(
        name="忙碌专家", employer="企业", kind=ExpertKind.INDUSTRY_ENTERPRISE
    )
    other = Recheck.objects.create(
        cycle=cycle_2026,
        school=school_b,
        planned_year=2026,
        start_date=date(2026, 5, 22),
        end_date=date(2026, 5, 24),
    )
    panel_assignments.assign_expert(recheck=other, expert=busy, user=province, reason="先派")
    with pytest.raises(ValidationError, match="已有其他复核任务"):
        panel_assignments.assign_expert(
            recheck=recheck_a, expert=busy, user=province, reason="再派"
        )
    away = Expert.objects.create(
        name="出访专家", employer="研究院", kind=ExpertKind.EDUCATION_RESEARCH
    )
    ExpertAvailability.objects.create(expert=away, year=2026, available=False)
    with pytest.raises(ValidationError, match="2026 年不可参加复核"):
        panel_assignments.assign_expert(recheck=recheck_a, expert=away, user=province, reason="试")


def test_the_first_expert_needs_no_reason_a_later_change_does(recheck_a, province):
    first = Expert.objects.create(name="甲", employer="乙", kind=ExpertKind.EDUCATION_RESEARCH)
    second = Expert.objects.create(name="丙", employer="丁", kind=ExpertKind.EDUCATION_RESEARCH)
    assignment = panel_assignments.assign_expert(recheck=recheck_a, expert=first, user=province)
    assert assignment.is_lead
    with pytest.raises(ValidationError, match="须填写原因"):
        panel_assignments.assign_expert(recheck=recheck_a, expert=second, user=province)


def test_assignment_grants_and_removal_revokes_the_object_permission(
    assigned_expert, expert, recheck_a, province
):
    assert ObjectPermissionChecker(expert).has_perm("review_recheck", recheck_a)
    panel_assignments.remove_expert(assignment=assigned_expert, user=province, reason="调整")
    assert not ObjectPermissionChecker(expert).has_perm("review_recheck", recheck_a)
    assert not RecheckUserObjectPermission.objects.exists()


def test_deleting_a_recheck_leaves_no_permission_rows(assigned_expert, recheck_a):
    assert RecheckUserObjectPermission.objects.filter(content_object=recheck_a).exists()
    recheck_a.delete()
    assert not RecheckUserObjectPermission.objects.exists()


def test_r19_declaring_a_conflict_removes_the_expert_and_alerts_staff(
    assigned_expert, expert, recheck_a, province, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        panel_assignments.certify(
            assignment=assigned_expert,
            user=expert,
            no_conflict=False,
            statement="去年为该校做过讲座",
        )
    assert not PanelAssignment.objects.exists()
    assert ExpertConflict.objects.get().school == recheck_a.school
    assert not ObjectPermissionChecker(expert).has_perm("review_recheck", recheck_a)
    [notice] = Notice.objects.filter(recipient=province, kind=NoticeKind.EXPERT_REMOVED)
    assert "去年为该校做过讲座" in notice.body and recheck_a.school.name in notice.title


def test_certifying_no_conflict_is_recorded_once(assigned_expert, expert):
    panel_assignments.certify(assignment=assigned_expert, user=expert, no_conflict=True)
    assigned_expert.refresh_from_db()
    first = assigned_expert.certified_at
    panel_assignments.certify(assignment=assigned_expert, user=expert, no_conflict=True)
    assigned_expert.refresh_from_db()
    assert first is not None and assigned_expert.certified_at == first


def test_r19_proposal_for_a_cycle_has_no_conflicts_and_one_lead_each(cycle_2026, province):
    _pool(4)
    schools = School.objects.filter(is_new=False).order_by("pk")[:6]
    for i, school in enumerate(schools):
        Recheck.objects.create(
            cycle=cycle_2026,
            school=school,
            planned_year=2026,
            start_date=date(2026, 4, 1 + i * 4),
            end_date=date(2026, 4, 3 + i * 4),
        )
    added = panel_assignments.propose_for_cycle(cycle=cycle_2026, user=province)
    assert added == 30
    for recheck in cycle_2026.rechecks.all():
        panel = list(recheck.assignments.select_related("expert"))
        assert len(panel) == 5
        assert sum(a.is_lead for a in panel) == 1
        assert {a.expert.kind for a in panel} == set(ExpertKind.values)
        for a in panel:
            assert panel_assignments.why_not(recheck=recheck, expert=a.expert) == []
    loads = [e.assignments.count() for e in Expert.objects.all()]
    assert max(loads) - min(loads) <= 1


def test_r9_material_is_checked_by_content(recheck_a, alice):
    with pytest.raises(ValidationError, match="文件内容不是允许的类型"):
        materials.upload_material(
            recheck=recheck_a,
            kind=MaterialKind.PLANS,
            upload=SimpleUploadedFile("规划.pdf", b"<html>not a pdf</html>"),
            user=alice,
        )
    material = materials.upload_material(
        recheck=recheck_a, kind=MaterialKind.PLANS, upload=_pdf(), user=alice
    )
    assert len(material.sha256) == 64 and material.disclosed_at is None
    assert material.document.name.startswith(f"materials/{recheck_a.pk}/")
    assert "规划" not in material.document.name


def test_r10_publishing_needs_all_eight_and_discloses_them(recheck_a, alice, time_machine):
    time_machine.move_to("2026-04-10 10:00 +0800")
    for kind in list(MaterialKind)[:7]:
        materials.upload_material(recheck=recheck_a, kind=kind, upload=_pdf(), user=alice)
    with pytest.raises(ValidationError) as excinfo:
        materials.publish_materials(recheck=recheck_a, user=alice)
    assert "（8）学校所在地区的区域经济社会事业发展规划" in excinfo.value.messages
    assert not Material.objects.filter(disclosed_at__isnull=False).exists()
    materials.upload_material(
        recheck=recheck_a, kind=MaterialKind.REGIONAL, upload=_pdf(), user=alice
    )
    materials.publish_materials(recheck=recheck_a, user=alice)
    recheck_a.refresh_from_db()
    assert not recheck_a.published_late
    assert Material.objects.filter(disclosed_at__isnull=True).count() == 0
    late_file = materials.upload_material(
        recheck=recheck_a, kind=MaterialKind.PLANS, upload=_pdf("新版.pdf"), user=alice
    )
    assert late_file.disclosed_at is not None  # the set is public: a new version is too


def test_r10_late_publishing_and_submission_are_recorded_as_late(recheck_a, alice, time_machine):
    for kind in MaterialKind:
        materials.upload_material(recheck=recheck_a, kind=kind, upload=_pdf(), user=alice)
    time_machine.move_to("2026-04-21 09:00 +0800")  # publish-by was 20 April
    materials.publish_materials(recheck=recheck_a, user=alice)
    time_machine.move_to("2026-05-05 23:00 +0800")  # submit-by is 5 May: still on time
    materials.submit_materials(recheck=recheck_a, user=alice)
    recheck_a.refresh_from_db()
    assert recheck_a.published_late is True
    assert recheck_a.submitted_late is False


def test_proposal_names_a_lead_when_the_kept_panel_has_none(recheck_a, province):
    _pool(3)
    vocational = Expert.objects.filter(kind=ExpertKind.VOCATIONAL_COLLEGE)
    first = panel_assignments.assign_expert(
        recheck=recheck_a, expert=vocational[0], user=province, reason="先定"
    )
    panel_assignments.assign_expert(
        recheck=recheck_a, expert=vocational[1], user=province, reason="再定"
    )
    panel_assignments.remove_expert(assignment=first, user=province, reason="另有任务")
    assert not recheck_a.assignments.filter(is_lead=True).exists()
    panel_assignments.propose_for_cycle(cycle=recheck_a.cycle, user=province)
    panel = list(recheck_a.assignments.all())
    assert len(panel) == 5 and sum(a.is_lead for a in panel) == 1


def test_proposed_experts_get_the_object_permission(recheck_a, province, expert):
    _pool(1)  # 3 + the expert with a login: fewer than a panel, so every one is proposed
    panel_assignments.propose_for_cycle(cycle=recheck_a.cycle, user=province)
    assert recheck_a.assignments.filter(expert__user=expert).exists()
    assert ObjectPermissionChecker(expert).has_perm("review_recheck", recheck_a)
    assert recheck_a.assignments.get(expert__user=expert).history.latest().history_user == province


def test_r19_certifying_no_conflict_is_refused_while_a_conflict_is_on_record(
    assigned_expert, expert, recheck_a
):
    ExpertConflict.objects.create(
        expert=assigned_expert.expert, school=recheck_a.school, kind="coached"
    )
    with pytest.raises(ValidationError, match="不能声明无利益冲突"):
        panel_assignments.certify(assignment=assigned_expert, user=expert, no_conflict=True)
    assigned_expert.refresh_from_db()
    assert assigned_expert.certified_at is None


def test_r19_a_conflict_recorded_after_assignment_takes_the_expert_off_and_tells_staff(
    assigned_expert, expert, recheck_a, province, django_capture_on_commit_callbacks
):
    from review.permissions import can_see_materials

    panel_assignments.certify(assignment=assigned_expert, user=expert, no_conflict=True)
    assert can_see_materials(expert, recheck_a)
    with django_capture_on_commit_callbacks(execute=True):
        panel_assignments.record_conflict(
            expert=assigned_expert.expert,
            school=recheck_a.school,
            kind="lectured",
            user=province,
            note="受邀讲座",
        )
    assert not PanelAssignment.objects.filter(recheck=recheck_a).exists()
    assert not ObjectPermissionChecker(expert).has_perm("review_recheck", recheck_a)
    [notice] = Notice.objects.filter(recipient=province, kind=NoticeKind.EXPERT_REMOVED)
    assert recheck_a.school.name in notice.title and "受邀讲座" in notice.body


def test_r19_a_conflict_recorded_anywhere_blocks_the_materials(assigned_expert, expert, recheck_a):
    """Recorded outside the service (e.g. a data fix): the expert still cannot read."""
    from review.permissions import can_see_materials

    panel_assignments.certify(assignment=assigned_expert, user=expert, no_conflict=True)
    ExpertConflict.objects.create(
        expert=assigned_expert.expert, school=recheck_a.school, kind="other", note="兼职"
    )
    assert not can_see_materials(expert, recheck_a)


def test_r19_staff_see_each_assigned_experts_reasons_not_to_sit(
    client, assigned_expert, recheck_a, province, everyone
):
    ExpertConflict.objects.create(
        expert=assigned_expert.expert, school=recheck_a.school, kind="other", note="兼职顾问"
    )
    assert panel_assignments.sitting_problems([assigned_expert]) == {
        assigned_expert.pk: ["已记录与该校的利益冲突（其他：兼职顾问）。"]
    }
    client.force_login(province)
    html = client.get(f"/rechecks/{recheck_a.pk}/").content.decode()
    assert "已记录与该校的利益冲突（其他：兼职顾问）。" in html
    client.force_login(everyone["alice"])  # the school never sees the panel's conflicts
    assert "兼职顾问" not in client.get(f"/rechecks/{recheck_a.pk}/").content.decode()
