"""Workbooks for the state-data tests, built from the portal's own template."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from statedata.exporters.workbook import FIRST_ROW, ROWS, template_xlsx

GOOD_FIGURES = {
    "students_regular": 8000,
    "full_time_teachers": 420,
    "external_teachers": 80,
    "postgraduate_teachers": 160,
    "senior_teachers": 120,
    "teaching_area": 110000,
    "admin_area": 20000,
    "equipment_total": 48000000,
    "equipment_added": 5000000,
    "books_total": 700000,
    "books_added": 30000,
    "land_area": 500000,
    "dormitory_area": 60000,
    "teaching_computers": 1500,
    "multimedia_seats": 900,
}


def workbook_bytes(
    figures: dict | None = None, *, raw: dict | None = None, extra: dict | None = None
) -> bytes:
    """The template with ``figures`` typed into column C; ``raw`` writes any cell of 基础数据
    (e.g. {"C5": "=1+1"}); ``extra`` adds sheets by name → rows."""
    _, _, content = template_xlsx()
    book = load_workbook(io.BytesIO(content))
    sheet = book["基础数据"]
    figures = GOOD_FIGURES if figures is None else figures
    for offset, (key, *_rest) in enumerate(ROWS):
        if key in figures:
            sheet.cell(row=FIRST_ROW + offset, column=3, value=figures[key])
    for ref, value in (raw or {}).items():
        sheet[ref] = value
    for name, rows in (extra or {}).items():
        extra_sheet = book.create_sheet(name)
        for row in rows:
            extra_sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row_of(key: str) -> int:
    return FIRST_ROW + [k for k, *_ in ROWS].index(key)
