"""The report as plain data: what the PDF and Excel renderers take (no database here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class ElementRow:
    """One row of 附件3's table: an element and the school's three texts."""

    project_code: str  # "1"
    project_name: str  # "体系总体构架"
    element_code: str  # "1.1"
    element_name: str  # as 附件3 writes it (report_name): "质量保证理念", "组织构架", …
    opinion: str = ""  # 自我诊断意见 (≤ 500)
    measures: str = ""  # 改进措施 (≤ 200)
    effects: str = ""  # 改进成效 (≤ 200)


@dataclass(frozen=True)
class ReportData:
    """A self-diagnosis report in the 附件3 shape."""

    school_name: str
    year: int
    overview: str
    rows: list[ElementRow] = field(default_factory=list)  # 15, in 附件1's order
    principal_name: str = ""  # 校长（签字）; empty on a draft
    signed_on: date | None = None
    status_label: str = "草稿"  # 草稿 / 已提交 / 已备案: drafts are marked as such on the PDF
    indicator_version: str = "修订版"


@dataclass(frozen=True)
class ComparisonRow:
    """One element of a published verdict: the school's diagnosis beside the panel's finding."""

    project_code: str
    project_name: str
    element_code: str
    element_name: str
    school_opinion: str  # the school's 自我诊断意见 (from its submitted report), may be ""
    consistent: bool  # 相符 or not (R12)
    reason: str  # the panel's written reason


@dataclass(frozen=True)
class VerdictReportData:
    """A published re-check verdict and report (复核结论与复核报告)."""

    school_name: str
    cycle_name: str
    recheck_start: date | None
    recheck_end: date | None
    verdict_label: str  # 有效 / 异常 / 待改进
    matched: int | None  # None for an R15 verdict (no re-check took place)
    measures_label: str  # R13 rating label, "" for R15
    measures_reason: str
    explanation: list[str]  # explain_verdict(): why the rule gives this verdict
    rows: list[ComparisonRow]  # 15 (empty for R15)
    report: str  # the panel's 复核报告 text, may have line breaks
    panel: list[str]  # expert names, the lead first, e.g. ["王一（组长）", "李二", …]
    published_on: date
    rectification_due: date | None  # R11
    improvement_period_end: date | None  # R16, None for 有效
    number: str = ""  # the column's registration number of the published verdict, "2026-0007"
    correction_of: str = ""  # "更正 2026-06-01 发布的结论：原因…" when this record corrects another
