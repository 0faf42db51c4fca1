"""A cycle's overview as .xlsx: every school's state, for staff to file and share."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from review.exporters.excel import CONTENT_TYPE, set_text

HEADINGS = (
    "学校",
    "地市",
    "自我诊断",
    "列入复核",
    "计划年度",
    "复核日期",
    "材料公示",
    "材料报送",
    "复核结论",
)


def export_cycle_xlsx(cycle, rows) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) of the overview rows as the page shows them."""
    book = Workbook()
    sheet = book.active
    sheet.title = "周期总览"
    sheet.append([cycle.name])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(HEADINGS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F0")
    for row in rows:
        recheck = row.recheck
        dates = (
            f"{recheck.start_date:%Y-%m-%d} 至 {recheck.end_date:%Y-%m-%d}"
            if recheck and recheck.start_date
            else ("待排期" if recheck else "")
        )
        values = (
            row.school.name,
            row.school.get_city_display(),
            row.report_state,
            "是" if recheck else "否",
            str(recheck.planned_year) if recheck else "",
            dates,
            _when(recheck.materials_published_at, recheck.published_late) if recheck else "",
            _when(recheck.materials_submitted_at, recheck.submitted_late) if recheck else "",
            row.verdict or "",
        )
        sheet.append([None] * len(values))
        for cell, value in zip(sheet[sheet.max_row], values, strict=True):
            set_text(cell, value)  # school names and notes never become formulas
    for column, width in zip("ABCDEFGHI", (30, 8, 10, 8, 8, 24, 18, 18, 10), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return f"{cycle.name}-总览.xlsx", CONTENT_TYPE, buffer.getvalue()


def _when(moment, late: bool) -> str:
    if not moment:
        return ""
    from django.utils import timezone

    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" + ("（逾期）" if late else "")
