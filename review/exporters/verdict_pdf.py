"""A published re-check verdict and report (复核结论与复核报告) as a PDF, with WeasyPrint.

The companion of review/exporters/pdf.py (附件3): same font, same shared font configuration
and render lock, same fast block layout (no table/flex/grid boxes for the long texts) and the
same look, so the school's report and the province's verdict read as one set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.template.loader import render_to_string

from review.exporters.data import ComparisonRow, VerdictReportData
from review.exporters.pdf import _paragraphs, _render_lock, _shared_font_config, find_font
from review.services.verdict import ELEMENT_COUNT

TITLE = "福建省高等职业院校内部质量保证体系诊断与改进复核结论与复核报告"
# The title breaks after 诊断与改进: two balanced lines instead of one word left over.
TITLE_LINES = ("福建省高等职业院校内部质量保证体系诊断与改进", "复核结论与复核报告")
RUNNING_TITLE = "高职院校诊改复核结论与复核报告"
TEMPLATE = "review/verdict_pdf.html"
# Who issues the verdict: 实施方案四(一) "省教育厅组织专家进校复核" (the society organises it).
ISSUER = "福建省教育厅"
# GB/T 9704 style: the title in a 黑体 (sans) face, the text in a 宋体 (Ming) face; both are
# TrueType from Debian (fonts-wqy-microhei, fonts-arphic-uming), subset and embedded.
HEITI_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
CONSISTENT_LABEL = "相符"
INCONSISTENT_LABEL = "不相符"
EFFECTIVE_LABEL = "有效"

# Verdict label → CSS class (the verdict box's colour); unknown labels print in black.
_VERDICT_CLASSES = {"有效": "effective", "待改进": "needs-improvement", "异常": "abnormal"}
# explain_verdict() cites the portal's rule numbers, "（R14）"; a published verdict does not.
_RULE_REFERENCE = re.compile(r"\s*[（(]R\d+[)）]")
_CHINESE_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class _Element:
    code: str
    name: str
    opinion: list[str]
    consistent: bool
    reason: list[str]


@dataclass
class _Project:
    code: str
    name: str
    elements: list[_Element]


def chinese_date(day: date) -> str:
    """``day`` as an official document writes it: 2026 年 5 月 20 日."""
    return f"{day.year} 年 {day.month} 月 {day.day} 日"


def date_range(start: date | None, end: date | None) -> str:
    """The re-check's dates, "2026 年 5 月 20 日至 5 月 22 日" (the year once if shared)."""
    if start is None or end is None:
        return chinese_date(start or end) if (start or end) else ""
    if start == end:
        return chinese_date(start)
    if start.year == end.year:
        return f"{chinese_date(start)}至 {end.month} 月 {end.day} 日"
    return f"{chinese_date(start)}至 {chinese_date(end)}"


def _without_rule_references(line: str) -> str:
    """An explanation line without the portal's rule numbers: "…有效（R14）。" → "…有效。"."""
    return _RULE_REFERENCE.sub("", line).strip()


def _projects(rows: list[ComparisonRow]) -> list[_Project]:
    """Comparison rows grouped by 诊断项目, keeping their order."""
    projects: list[_Project] = []
    for row in rows:
        if not projects or projects[-1].code != row.project_code:
            projects.append(_Project(row.project_code, row.project_name, []))
        projects[-1].elements.append(
            _Element(
                code=row.element_code,
                name=row.element_name,
                opinion=_paragraphs(row.school_opinion),
                consistent=row.consistent,
                reason=_paragraphs(row.reason),
            )
        )
    return projects


def _requirements(report: VerdictReportData) -> list[str]:
    """R11 rectification and R16 improvement period, as the sentences the school must act on."""
    lines: list[str] = []
    if report.rectification_due:
        lines.append(
            "整改完成期限（自复核工作结束之日起一年）：学校须根据本复核报告制定整改方案，"
            "在复核工作结束后一年内完成整改任务，"
            f"须于 {chinese_date(report.rectification_due)}前完成整改。"
        )
    if report.improvement_period_end:
        lines.append(
            "改进期（自本结论发布之日起一年）："
            f"复核结论为“{report.verdict_label}”，改进期至 "
            f"{chinese_date(report.improvement_period_end)}，期满后须重新提出复核申请。"
        )
    elif report.verdict_label == EFFECTIVE_LABEL:
        lines.append("复核结论为“有效”，同一周期内可不再接受复核。")
    return lines


def explanation_in_words(report: VerdictReportData) -> list[str]:
    """Why the rule gives this verdict, as the public reads it (no rule numbers)."""
    return [line for line in map(_without_rule_references, report.explanation) if line]


def requirements(report: VerdictReportData) -> list[str]:
    """The rectification and improvement dates, each saying where it counts from."""
    return _requirements(report)


def _headings(*sections: tuple[str, bool]) -> dict[str, str]:
    """Section key → its number ("一、"), counting only the sections that are printed."""
    headings: dict[str, str] = {}
    for key, shown in sections:
        if shown:
            headings[key] = f"{_CHINESE_NUMERALS[len(headings)]}、"
    return headings


def verdict_html(report: VerdictReportData, font_path: Path) -> str:
    """The verdict as HTML for WeasyPrint (split out so layouts can be inspected in a browser)."""
    projects = _projects(report.rows)
    inconsistent = [row for row in report.rows if not row.consistent]
    requirements = _requirements(report)
    report_paragraphs = _paragraphs(report.report)
    numbers = _headings(
        ("verdict", True),
        ("comparison", bool(projects)),
        ("report", bool(report_paragraphs)),
        ("requirements", bool(requirements)),
        ("panel", bool(report.panel)),
    )
    return render_to_string(
        TEMPLATE,
        {
            "report": report,
            "title_lines": TITLE_LINES,
            "running_title": RUNNING_TITLE,
            "font_url": font_path.as_uri(),
            "title_font_url": (HEITI_FONT if HEITI_FONT.is_file() else font_path).as_uri(),
            "issuer": ISSUER,
            "recheck_dates": date_range(report.recheck_start, report.recheck_end),
            "verdict_class": _VERDICT_CLASSES.get(report.verdict_label, "other"),
            "rechecked": report.matched is not None,
            "element_count": ELEMENT_COUNT,
            "unmatched": ELEMENT_COUNT - (report.matched or 0),
            "inconsistent": inconsistent,
            "explanation": [
                line for line in map(_without_rule_references, report.explanation) if line
            ],
            "measures_reason": _paragraphs(report.measures_reason),
            "projects": projects,
            "report_paragraphs": report_paragraphs,
            "requirements": requirements,
            "numbers": numbers,
            "published_on": chinese_date(report.published_on),
            "consistent_label": CONSISTENT_LABEL,
            "inconsistent_label": INCONSISTENT_LABEL,
        },
    )


def verdict_filename(report: VerdictReportData) -> str:
    """The download name: the school and the document's title."""
    return f"{report.school_name}-复核结论与复核报告.pdf"


def render_verdict_pdf(report: VerdictReportData) -> tuple[str, str, bytes]:
    """(filename, content type, PDF bytes) of a published re-check verdict and its report."""
    # Imported here: WeasyPrint loads Pango and friends, which most requests never need.
    from weasyprint import HTML

    html = verdict_html(report, find_font())
    with _render_lock:
        pdf = HTML(string=html).write_pdf(font_config=_shared_font_config())
    return verdict_filename(report), "application/pdf", pdf
