"""The self-diagnosis services against the database (R1, R2, R4, R5, R6)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from indicators.models import Element, IndicatorSystem
from review.models import EditConflict, ElementEntry, Reopening, ReportStatus, SchoolPoint
from review.services import self_diagnosis as service
from review.services.self_diagnosis import TextEdit
from tests.conftest import panel_members

pytestmark = pytest.mark.django_db


def _edit(revision=0, **values):
    base = {"opinion": "", "measures": "", "effects": ""}
    return TextEdit(values=base | values, revision=revision)


def _entry(report, code="1.1") -> ElementEntry:
    return report.entries.get(element__code=code)


def _fill(report, user):
    """A complete draft: overview, all 15 elements, a valid panel."""
    service.save_draft(
        self_diagnosis=report,
        user=user,
        overview=TextEdit(
            values={"overview": "本年度自我诊改工作概述。"}, revision=report.revision
        ),
        entries={
            e.element.code: _edit(
                e.revision,
                opinion=f"{e.element.code}意见",
                measures="措施",
                effects="已实施，见效。",
            )
            for e in report.entries.select_related("element")
        },
    )
    service.save_panel(self_diagnosis=report, user=user, members=panel_members())


def test_r1_report_is_tied_to_the_version_in_force_and_has_15_entries(report_a):
    assert report_a.system == IndicatorSystem.objects.get(in_force=True)
    assert report_a.entries.count() == 15
    assert report_a.status == ReportStatus.DRAFT
    assert _entry(report_a).history.count() == 1


def test_r1_a_new_version_in_force_does_not_move_an_open_report(report_a, alice, school_a):
    IndicatorSystem.objects.update(in_force=False)
    IndicatorSystem.objects.create(version="next", name="新版", title="新版", in_force=True)
    assert service.open_self_diagnosis(school=school_a, year=2026, user=alice) == report_a
    report_a.refresh_from_db()
    assert report_a.system.version == "fujian-revised"


def test_r6_new_school_cannot_open_a_self_diagnosis(alice, school_a):
    school_a.is_new = True
    school_a.save()
    with pytest.raises(ValidationError, match="需先接受人才培养工作评估"):
        service.open_self_diagnosis(school=school_a, year=2026, user=alice)


def test_save_draft_saves_and_records_who_and_why(report_a, alice):
    result = service.save_draft(
        self_diagnosis=report_a, user=alice, entries={"1.1": _edit(opinion="我校质量目标明确。")}
    )
    assert result.saved == 1 and result.conflicts == []
    entry = _entry(report_a)
    assert entry.opinion == "我校质量目标明确。" and entry.revision == 1
    latest = entry.history.latest()
    assert latest.history_user == alice
    assert latest.history_change_reason == "review.self_diagnosis.saved"


def test_r5_over_limit_saves_nothing_and_names_each_field(report_a, alice):
    with pytest.raises(ValidationError) as excinfo:
        service.save_draft(
            self_diagnosis=report_a,
            user=alice,
            overview=TextEdit(values={"overview": "概" * 501}, revision=0),
            entries={
                "1.1": _edit(opinion="好" * 500, measures="措" * 201),
                "1.2": _edit(effects="效" * 300),
            },
        )
    errors = excinfo.value.message_dict
    assert set(errors) == {"overview", "e1.1-measures", "e1.2-effects"}
    assert "1.1 改进措施不能超过 200 字（当前 201 字" in errors["e1.1-measures"][0]
    report_a.refresh_from_db()
    assert report_a.overview == "" and _entry(report_a).opinion == ""


def test_stale_save_of_the_same_field_keeps_both_texts(report_a, alice, carol):
    service.save_draft(
        self_diagnosis=report_a, user=alice, entries={"1.1": _edit(opinion="甲的文字")}
    )
    result = service.save_draft(
        self_diagnosis=report_a, user=carol, entries={"1.1": _edit(0, opinion="丙的文字")}
    )
    assert result.saved == 0
    [conflict] = result.conflicts
    assert _entry(report_a).opinion == "甲的文字"  # never silently overwritten
    assert conflict.texts == {"opinion": "丙的文字"}
    assert conflict.author == carol and conflict.saved_revision == 1


def test_stale_save_of_another_field_merges(report_a, alice, carol):
    service.save_draft(
        self_diagnosis=report_a, user=alice, entries={"1.1": _edit(opinion="甲的意见")}
    )
    result = service.save_draft(
        self_diagnosis=report_a, user=carol, entries={"1.1": _edit(0, measures="丙的措施")}
    )
    assert result.conflicts == []
    entry = _entry(report_a)
    assert (entry.opinion, entry.measures, entry.revision) == ("甲的意见", "丙的措施", 2)


def test_stale_overview_conflict(report_a, alice, carol):
    service.save_draft(
        self_diagnosis=report_a,
        user=alice,
        overview=TextEdit(values={"overview": "甲"}, revision=0),
    )
    result = service.save_draft(
        self_diagnosis=report_a,
        user=carol,
        overview=TextEdit(values={"overview": "丙"}, revision=0),
    )
    report_a.refresh_from_db()
    assert report_a.overview == "甲"
    assert result.conflicts[0].element is None and result.conflicts[0].texts == {"overview": "丙"}


def test_resolving_a_conflict(report_a, alice, carol):
    service.save_draft(self_diagnosis=report_a, user=alice, entries={"1.1": _edit(opinion="甲")})
    [conflict] = service.save_draft(
        self_diagnosis=report_a, user=carol, entries={"1.1": _edit(0, opinion="丙")}
    ).conflicts
    assert "还有 1 处编辑冲突尚未处理。" in service.submission_problems(report_a)
    service.resolve_conflict(conflict=conflict, user=carol)
    assert EditConflict.objects.get().resolved_at is not None


def test_r4_panel_is_refused_and_nothing_saved(report_a, alice):
    with pytest.raises(ValidationError) as excinfo:
        service.save_panel(self_diagnosis=report_a, user=alice, members=panel_members(9, 4))
    assert "还差 1 人" in excinfo.value.messages[0]
    assert report_a.panel.count() == 0
    service.save_panel(self_diagnosis=report_a, user=alice, members=panel_members(9, 5))
    assert report_a.panel.count() == 9


def test_r4_the_same_person_cannot_be_counted_twice(report_a, alice):
    """Nine rows, but 专家01 of 外校 twice (spacing differs): eight people, refused."""
    members = panel_members(9, 5)
    members[1] = {"name": " 专家 01", "employer": "外\u3000校 ", "external": True}
    with pytest.raises(ValidationError) as excinfo:
        service.save_panel(self_diagnosis=report_a, user=alice, members=members)
    assert any("重复填写" in m and "专家 01" in m for m in excinfo.value.messages)
    assert report_a.panel.count() == 0
    # The same name at another employer is another person.
    members[1] = {"name": "专家01", "employer": "另一所学校", "external": True}
    service.save_panel(self_diagnosis=report_a, user=alice, members=members)
    assert report_a.panel.count() == 9


def test_r4_submission_refuses_an_invalid_panel(report_a, alice):
    _fill(report_a, alice)
    report_a.panel.filter(position=9).delete()
    with pytest.raises(ValidationError) as excinfo:
        service.submit(
            self_diagnosis=report_a, user=alice, principal_name="王校长", signed_on=date(2026, 6, 1)
        )
    assert "专家组现有 8 人，还差 1 人（不少于 9 人）。" in excinfo.value.messages


def test_submission_lists_what_is_missing(report_a, alice):
    problems = service.submission_problems(report_a)
    assert "尚未填写“自我诊改工作概述”。" in problems
    assert "1.1 质量保证理念：尚未填写自我诊断意见、改进措施、改进成效。" in problems


def test_submit_locks_a_snapshot(report_a, alice):
    _fill(report_a, alice)
    service.submit(
        self_diagnosis=report_a, user=alice, principal_name="王校长", signed_on=date(2026, 6, 1)
    )
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.SUBMITTED
    assert report_a.snapshot["rows"][0]["opinion"] == "1.1意见"
    assert report_a.snapshot["principal_name"] == "王校长"
    with pytest.raises(ValidationError, match="已提交并锁定"):
        service.save_draft(
            self_diagnosis=report_a, user=alice, entries={"1.1": _edit(1, opinion="改")}
        )
    with pytest.raises(ValidationError, match="已提交并锁定"):
        service.save_panel(self_diagnosis=report_a, user=alice, members=panel_members())


def test_r6_evaluated_school_files_instead_of_submitting(bob, school_b):
    """Within the 2017–2020 plan an evaluated school files its report (备案)."""
    report = service.open_self_diagnosis(school=school_b, year=2020, user=bob)
    _fill(report, bob)
    service.submit(
        self_diagnosis=report, user=bob, principal_name="李校长", signed_on=date(2020, 6, 1)
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.FILED


def test_r6_exemption_covers_the_2017_2020_plan_only(bob, school_b):
    """An evaluated school's 2026 report is submitted (已提交), not filed (已备案)."""
    assert school_b.files_self_diagnosis
    report = service.open_self_diagnosis(school=school_b, year=2026, user=bob)
    _fill(report, bob)
    service.submit(
        self_diagnosis=report, user=bob, principal_name="李校长", signed_on=date(2026, 6, 1)
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_reopen_needs_a_reason_and_is_recorded(report_a, alice, province):
    _fill(report_a, alice)
    service.submit(
        self_diagnosis=report_a, user=alice, principal_name="王校长", signed_on=date(2026, 6, 1)
    )
    with pytest.raises(ValidationError):
        service.reopen(self_diagnosis=report_a, user=province, reason="  ")
    service.reopen(self_diagnosis=report_a, user=province, reason="3.2 与附件数据不一致")
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.DRAFT and report_a.snapshot is None
    reopening = Reopening.objects.get()
    assert (reopening.by, reopening.previous_status) == (province, ReportStatus.SUBMITTED)
    assert report_a.history.latest().history_change_reason == "review.self_diagnosis.reopened"
    # The texts survive reopening: only the lock is lifted.
    assert _entry(report_a).opinion == "1.1意见"


def test_import_rows_changes_only_what_differs_and_is_in_history(report_a, alice):
    rows = {
        e.element.code: {"opinion": "导入意见", "measures": "", "effects": ""}
        for e in report_a.entries.select_related("element")
    }
    rows["1.1"]["opinion"] = ""  # unchanged from the empty draft
    revisions = {code: 0 for code in rows}  # exported from the fresh draft
    result = service.import_rows(
        self_diagnosis=report_a, user=alice, rows=rows, revisions=revisions
    )
    assert (result.saved, result.conflicts) == (14, [])
    assert _entry(report_a, "1.2").history.latest().history_change_reason == (
        "review.self_diagnosis.imported"
    )


def test_r2_school_points_are_added_under_a_fixed_element(report_a, alice):
    element = Element.objects.get(code="5.4", project__system=report_a.system)
    point = service.add_school_point(
        self_diagnosis=report_a, user=alice, element=element, name="海洋特色质量文化"
    )
    assert SchoolPoint.objects.get().element.code == "5.4"
    assert report_a.entries.count() == 15  # the elements for the verdict stay fixed
    with pytest.raises(ValidationError):
        service.add_school_point(self_diagnosis=report_a, user=alice, element=element, name=" ")
    service.remove_school_point(point=point, user=alice)
    assert not SchoolPoint.objects.exists()


def test_r1_every_element_list_of_a_report_stays_on_its_own_version(report_a, alice):
    """A new version comes into force mid-draft: the edit page, submission and snapshot keep 15."""
    import json

    from indicators.services.loading import load_indicator_system
    from review.selectors import edit_page
    from zhengai import fixtures

    data = json.loads(fixtures.INDICATOR_FILES[0].read_text(encoding="utf-8"))
    new = load_indicator_system(data=data | {"version": "fujian-next", "in_force": False})
    IndicatorSystem.objects.update(in_force=False)
    IndicatorSystem.objects.filter(pk=new.pk).update(in_force=True)
    page = edit_page(report_a)
    elements = [form.element for _, forms in page["projects"] for form in forms]
    assert len(elements) == 15
    own = Element.objects.filter(pk__in=[e.pk for e in elements], project__system=report_a.system)
    assert own.count() == 15  # the editor's (cached) tree is the report's own version
    _fill(report_a, alice)
    service.submit(
        self_diagnosis=report_a, user=alice, principal_name="王校长", signed_on=date(2026, 6, 1)
    )
    report_a.refresh_from_db()
    assert len(report_a.snapshot["rows"]) == 15
    assert report_a.system.version == "fujian-revised"
