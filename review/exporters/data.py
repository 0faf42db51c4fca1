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
