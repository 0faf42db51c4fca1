"""附件3 as a PDF: a school's self-diagnosis report rendered with WeasyPrint.

Speed matters (R5 bench: a full-length report in ≤ 1 s). What makes it fast:
- the template lays the long texts out in plain blocks (no table/flex/grid boxes);
- one TrueType CJK font from Debian, subset by HarfBuzz in ~0.01 s; no OpenType/CFF CJK
  font (Noto CJK), whose subsetting takes seconds;
- one WeasyPrint font configuration per process, so the font file is copied and registered
  with Fontconfig once rather than on every render.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string

from review.exporters.data import ElementRow, ReportData
from review.services.limits import ELEMENT_FIELDS, normalize_text

TITLE = "学校内部质量保证体系自我诊断与改进工作报告"
DRAFT_LABEL = "草稿"
TEMPLATE = "review/report_pdf.html"

# TrueType CJK fonts, best first: a Ming (宋体-like) face reads like a printed official form.
FONT_CANDIDATES: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),  # fonts-arphic-uming
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),  # fonts-wqy-microhei
)


class ReportFontMissing(RuntimeError):
    """No CJK TrueType font to embed in the report PDF."""


def find_font(candidates: tuple[Path, ...] = FONT_CANDIDATES) -> Path:
    """The first CJK font file that exists, or a clear error naming the packages to install."""
    for path in candidates:
        if path.is_file():
            return path
    tried = ", ".join(str(path) for path in candidates)
    raise ReportFontMissing(
        "找不到用于生成报告 PDF 的中文字体，请安装 fonts-arphic-uming 或 fonts-wqy-microhei。"
        f" No CJK font for the report PDF: install fonts-arphic-uming or fonts-wqy-microhei"
        f" (tried {tried})."
    )


@dataclass(frozen=True)
class _Section:
    heading: str
    paragraphs: list[str]


@dataclass(frozen=True)
class _Element:
    code: str
    name: str
    sections: list[_Section]


@dataclass
class _Project:
    code: str
    name: str
    elements: list[_Element]


def _paragraphs(text: str) -> list[str]:
    """A text's non-empty lines, one paragraph each (schools type line breaks, keep them)."""
    return [line.strip() for line in normalize_text(text).split("\n") if line.strip()]


def _projects(rows: list[ElementRow]) -> list[_Project]:
    """Rows grouped by 诊断项目, keeping 附件1's order."""
    projects: list[_Project] = []
    for row in rows:
        if not projects or projects[-1].code != row.project_code:
            projects.append(_Project(row.project_code, row.project_name, []))
        sections = [
            _Section(heading, _paragraphs(getattr(row, name)))
            for name, heading, _ in ELEMENT_FIELDS
        ]
        projects[-1].elements.append(_Element(row.element_code, row.element_name, sections))
    return projects


def report_html(report: ReportData, font_path: Path) -> str:
    """The report as HTML for WeasyPrint (split out so layouts can be inspected in a browser)."""
    return render_to_string(
        TEMPLATE,
        {
            "report": report,
            "title": TITLE,
            "is_draft": report.status_label == DRAFT_LABEL,
            "font_url": font_path.as_uri(),
            "overview": _paragraphs(report.overview),
            "projects": _projects(report.rows),
        },
    )


# WeasyPrint's FontConfiguration copies an @font-face file (uming.ttc: 21 MB) to a temporary
# folder and registers it with Fontconfig; once per process instead of once per render saves
# that write and ~0.02-0.05 s. Pango's font map is not thread-safe, so renders sharing it are
# serialised.
_font_config = None
_render_lock = threading.Lock()


def _shared_font_config():
    """The process's WeasyPrint font configuration (created on first use)."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def report_filename(report: ReportData) -> str:
    """The download name: school, year and the report's title as 附件3 names it."""
    return f"{report.school_name}-{report.year}-自我诊断与改进工作报告.pdf"


def render_report_pdf(report: ReportData) -> tuple[str, str, bytes]:
    """R5: (filename, content type, PDF bytes) of ``report`` laid out like 附件3."""
    # Imported here: WeasyPrint loads Pango and friends, which most requests never need.
    from weasyprint import HTML

    html = report_html(report, find_font())
    with _render_lock:
        font_config = _shared_font_config()
        pdf = HTML(string=html).write_pdf(font_config=font_config)
    return report_filename(report), "application/pdf", pdf
