"""A school's whole story: every step of its 诊改, dated and linked, in a fixed number of reads.

One query per kind of record (reports, reopenings, rules, re-checks, materials, verdicts,
re-applications, sanctions), however long the school's history: the page that shows it
(``/schools/<id>/``) costs the same for a new school and for one with ten years behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby

from django.urls import reverse
from django.utils import timezone

from review.models import (
    ImplementationRules,
    Material,
    Reapplication,
    Recheck,
    Reopening,
    ReportStatus,
    Sanction,
    SelfDiagnosis,
    VerdictRecord,
)
from review.services.rules import filed_on_time
from review.services.verdict import Verdict

TONE = {
    Verdict.EFFECTIVE: "ok",
    Verdict.NEEDS_IMPROVEMENT: "warn",
    Verdict.ABNORMAL: "bad",
}


@dataclass(frozen=True)
class StoryEntry:
    """One dated step of the story, with the page where it is told in full."""

    day: date
    topic: str  # 自我诊断, 实施细则, 复核, 复核材料, 复核结论, 整改, 重新复核, 限制措施, 通知
    text: str
    url: str
    tone: str = ""  # "", "ok", "warn", "bad": the colour of its tag
    at: datetime | None = None  # for ordering within a day

    @property
    def sort_key(self):
        return (self.day, self.at.timestamp() if self.at else 0.0)


@dataclass(frozen=True)
class StoryYear:
    year: int
    entries: list[StoryEntry]


def _local(moment: datetime) -> date:
    return timezone.localdate(moment)


def school_story(school, *, extra: list[StoryEntry] = ()) -> list[StoryYear]:
    """The school's steps, newest year first, newest step first within a year.

    ``extra``: entries the caller adds from elsewhere (the notices the school was sent).
    """
    entries = [
        *_reports(school),
        *_rules(school),
        *_rechecks(school),
        *_materials(school),
        *_verdicts(school),
        *_reapplications(school),
        *_sanctions(school),
        *extra,
    ]
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    return [
        StoryYear(year=year, entries=list(items))
        for year, items in groupby(entries, key=lambda e: e.day.year)
    ]


def _reports(school) -> list[StoryEntry]:
    entries = []
    for report in SelfDiagnosis.objects.filter(school=school).only(
        "pk", "year", "status", "created", "submitted_at", "school_id"
    ):
        url = reverse("review:report", kwargs={"pk": report.pk})
        entries.append(
            StoryEntry(
                _local(report.created),
                "自我诊断",
                f"开始撰写 {report.year} 年自我诊断与改进报告",
                url,
                at=report.created,
            )
        )
        if report.submitted_at:
            filed = report.status == ReportStatus.FILED
            entries.append(
                StoryEntry(
                    _local(report.submitted_at),
                    "自我诊断",
                    f"{report.year} 年自我诊断与改进报告已{'备案' if filed else '提交'}",
                    url,
                    "ok",
                    at=report.submitted_at,
                )
            )
    for reopening in Reopening.objects.filter(self_diagnosis__school=school).select_related(
        "self_diagnosis"
    ):
        entries.append(
            StoryEntry(
                _local(reopening.created),
                "自我诊断",
                f"{reopening.self_diagnosis.year} 年报告被退回修改：{reopening.reason}",
                reverse("review:report", kwargs={"pk": reopening.self_diagnosis_id}),
                "warn",
                at=reopening.created,
            )
        )
    return entries


def _rules(school) -> list[StoryEntry]:
    return [
        StoryEntry(
            _local(rules.created),
            "实施细则",
            f"{rules.year} 年诊改工作实施细则备案"
            + ("" if filed_on_time(rules.created, rules.year) else "（晚于 5 月 30 日）"),
            reverse("review:download_rules", kwargs={"pk": rules.pk}),
            "ok" if filed_on_time(rules.created, rules.year) else "warn",
            at=rules.created,
        )
        for rules in ImplementationRules.objects.filter(school=school).only(
            "pk", "year", "created", "school_id"
        )
    ]


def _rechecks(school) -> list[StoryEntry]:
    entries = []
    for recheck in Recheck.objects.filter(school=school).select_related("cycle"):
        url = reverse("review:recheck", kwargs={"pk": recheck.pk})
        name = f"{recheck.planned_year} 年复核" + (
            f"（第 {recheck.round} 轮）" if recheck.round > 1 else ""
        )
        entries.append(
            StoryEntry(
                _local(recheck.created),
                "复核",
                f"列入复核：{recheck.cycle.name}，{name}",
                url,
                at=recheck.created,
            )
        )
        if recheck.start_date:
            end = f" 至 {recheck.end_date:%Y-%m-%d}" if recheck.end_date else ""
            entries.append(
                StoryEntry(
                    recheck.start_date,
                    "复核",
                    f"{name}开始（{recheck.start_date:%Y-%m-%d}{end}）",
                    url,
                )
            )
        if recheck.materials_published_at:
            entries.append(
                StoryEntry(
                    _local(recheck.materials_published_at),
                    "复核材料",
                    f"{name}材料在专栏公示" + ("（逾期）" if recheck.published_late else ""),
                    url + "#materials",
                    "warn" if recheck.published_late else "ok",
                    at=recheck.materials_published_at,
                )
            )
        if recheck.materials_submitted_at:
            entries.append(
                StoryEntry(
                    _local(recheck.materials_submitted_at),
                    "复核材料",
                    f"{name}材料报送省教育评估研究中心"
                    + ("（逾期）" if recheck.submitted_late else ""),
                    url + "#materials",
                    "warn" if recheck.submitted_late else "ok",
                    at=recheck.materials_submitted_at,
                )
            )
    return entries


def _materials(school) -> list[StoryEntry]:
    entries = []
    rows = (
        Material.objects.filter(recheck__school=school)
        .only(
            "pk", "kind", "original_name", "created", "withdrawn_at", "withdrawn_reason",
            "recheck_id",
        )
        .order_by("recheck_id", "kind", "created", "pk")
    )  # fmt: skip
    version: dict[tuple[int, int], int] = {}
    # A day's uploads to one re-check are one step: "（1）（2）…（7）第 2 版".
    uploads: dict[tuple[int, date], list] = {}
    for material in rows:
        key = (material.recheck_id, material.kind)
        version[key] = version.get(key, 0) + 1
        uploads.setdefault((material.recheck_id, _local(material.created)), []).append(
            (material, version[key])
        )
        if material.withdrawn_at:
            entries.append(
                StoryEntry(
                    _local(material.withdrawn_at),
                    "复核材料",
                    f"专栏撤下（{material.kind}）{material.get_kind_display()}"
                    f"“{material.original_name}”：{material.withdrawn_reason}",
                    _materials_url(material.recheck_id),
                    "warn",
                    at=material.withdrawn_at,
                )
            )
    for (recheck_id, day), items in uploads.items():
        if len(items) == 1:
            material, number = items[0]
            text = (
                f"上传（{material.kind}）{material.get_kind_display()}"
                + (f" 第 {number} 版" if number > 1 else "")
                + f"：{material.original_name}"
            )
        else:
            text = (
                f"上传复核材料 {len(items)} 份："
                + "".join(
                    f"（{m.kind}）" + (f"第 {n} 版 " if n > 1 else "") for m, n in items
                ).rstrip()
            )
        entries.append(
            StoryEntry(
                day,
                "复核材料",
                text,
                _materials_url(recheck_id),
                at=max(m.created for m, _ in items),
            )
        )
    return entries


def _materials_url(recheck_id: int) -> str:
    return reverse("review:recheck", kwargs={"pk": recheck_id}) + "#materials"


def _verdicts(school) -> list[StoryEntry]:
    entries = []
    records = VerdictRecord.objects.filter(school=school).select_related(
        "cycle", "corrects", "rectification"
    )
    for record in records:
        url = reverse("review:verdict", kwargs={"pk": record.pk})
        shown = record.get_verdict_display()
        if record.corrects_id:
            text = (
                f"复核结论更正为“{shown}”（原为“{record.corrects.get_verdict_display()}”）："
                f"{record.correction_reason}"
            )
        elif not record.diagnosed_on_time:
            text = f"{record.cycle.name}内未按时开展诊改，结论为“{shown}”"
        else:
            matched = f"，相符 {record.matched} 项" if record.matched is not None else ""
            text = f"复核结论发布：“{shown}”{matched}"
        entries.append(
            StoryEntry(
                _local(record.published_at), "复核结论", text, url, TONE.get(record.verdict, ""),
                at=record.published_at,
            )
        )  # fmt: skip
        rectification = getattr(record, "rectification", None)
        if rectification is not None and rectification.completed_at:
            entries.append(
                StoryEntry(
                    _local(rectification.completed_at),
                    "整改",
                    "报告整改完成" + ("（逾期）" if rectification.completed_late else ""),
                    reverse("review:rectification", kwargs={"pk": record.pk}),
                    "warn" if rectification.completed_late else "ok",
                    at=rectification.completed_at,
                )
            )
        elif rectification is not None:
            overdue = rectification.due < timezone.localdate()
            entries.append(
                StoryEntry(
                    rectification.due,
                    "整改",
                    f"整改完成期限{'（已逾期，尚未报告完成）' if overdue else '（尚未报告完成）'}",
                    reverse("review:rectification", kwargs={"pk": record.pk}),
                    "bad" if overdue else "warn",
                )
            )
    return entries


def _reapplications(school) -> list[StoryEntry]:
    return [
        StoryEntry(
            _local(application.created),
            "重新复核",
            "改进期满，申请重新复核" + ("，已安排复核" if application.recheck_id else ""),
            reverse("review:recheck", kwargs={"pk": application.recheck_id})
            if application.recheck_id
            else reverse("review:verdict", kwargs={"pk": application.after_id}),
            at=application.created,
        )
        for application in Reapplication.objects.filter(school=school)
    ]


def _sanctions(school) -> list[StoryEntry]:
    entries = []
    for sanction in Sanction.objects.filter(school=school):
        entries.append(
            StoryEntry(
                sanction.opened_on,
                "限制措施",
                "开始执行限制措施：削减招生计划、暂停备案新专业、限制教改项目申报",
                reverse("review:verdict", kwargs={"pk": sanction.opened_by_id}),
                "bad",
            )
        )
        if sanction.closed_on and sanction.closed_by_id:
            entries.append(
                StoryEntry(
                    sanction.closed_on,
                    "限制措施",
                    "限制措施解除",
                    reverse("review:verdict", kwargs={"pk": sanction.closed_by_id}),
                    "ok",
                )
            )
    return entries
