"""Importing a year's state-data workbook: good and bad files, all or nothing, versions."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from statedata.exporters.workbook import parse_workbook, template_xlsx
from statedata.models import FigureSet, FigureVersion, YearResult
from statedata.services.imports import WorkbookInvalid, import_workbook
from statedata.tasks import recompute_schools

from .helpers import GOOD_FIGURES, row_of, workbook_bytes

pytestmark = pytest.mark.django_db


def _import(school, user, data, year=2025):
    return import_workbook(school=school, year=year, data=data, original_name="s.xlsx", user=user)


def test_template_reads_back_with_every_required_row_reported_missing():
    _, content_type, content = template_xlsx()
    assert content_type.endswith("spreadsheetml.sheet")
    parsed = parse_workbook(content)
    lines = parsed.error_lines()
    assert any("“专任教师数”未填写" in line for line in lines)
    assert all("硕士研究生数" not in line for line in lines)  # optional rows may stay blank


def test_good_workbook_is_stored_as_a_version_with_its_hash(
    school_a, alice, django_capture_on_commit_callbacks
):
    data = workbook_bytes(extra={"3.4 信息化建设": [["项目", "数量"], ["出口带宽", "1000"]]})
    with django_capture_on_commit_callbacks() as callbacks:
        version = _import(school_a, alice, data)
    assert version.number == 1
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert version.uploaded_by == alice
    assert version.figures["students_regular"] == 8000
    assert version.tables["3.4"] == {
        "title": "信息化建设",
        "sheet": "3.4 信息化建设",
        "rows": [["项目", "数量"], ["出口带宽", "1000"]],
    }
    assert FigureSet.objects.get(school=school_a, year=2025).current == version
    # The recomputation, dispatched on commit, once (beside the stamp of the kept drawings).
    assert len([c for c in callbacks if "recompute" in getattr(c, "__qualname__", "")]) == 1

    second = _import(school_a, alice, workbook_bytes(GOOD_FIGURES | {"books_total": 1}))
    assert second.number == 2
    assert FigureSet.objects.get(school=school_a, year=2025).current == second
    assert FigureSet.history.filter(school=school_a).count() >= 2


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            {f"C{row_of('full_time_teachers')}": "=100+300"},
            "C 列（数值）：“专任教师数”不能使用公式",
        ),
        ({f"C{row_of('books_total')}": "很多"}, "“图书总数”“很多”不是数字"),
        ({f"C{row_of('land_area')}": -5}, "“占地面积”不能是负数"),
        ({f"C{row_of('books_total')}": 10.5}, "“图书总数”应为整数"),
        ({f"C{row_of('admin_area')}": None}, "“行政办公用房面积”未填写"),
        ({f"B{row_of('admin_area')}": "别的项目"}, "B 列（项目）：项目“别的项目”不是模板中的项目"),
    ],
)
def test_bad_cells_are_named_by_sheet_row_and_column_and_nothing_is_saved(
    school_a, alice, raw, expected
):
    data = workbook_bytes(raw=raw)
    with pytest.raises(WorkbookInvalid) as caught:
        _import(school_a, alice, data)
    text = "\n".join(caught.value.lines)
    assert expected in text
    assert "工作表“基础数据” 第" in text
    assert not FigureSet.objects.exists()
    assert not FigureVersion.objects.exists()


def test_a_bad_upload_after_a_good_one_keeps_the_good_one_current(school_a, alice):
    good = _import(school_a, alice, workbook_bytes())
    with pytest.raises(WorkbookInvalid):
        _import(school_a, alice, workbook_bytes(raw={f"C{row_of('books_total')}": "=1"}))
    assert FigureSet.objects.get().current == good
    assert FigureVersion.objects.count() == 1


def test_formula_in_a_platform_table_is_refused(school_a, alice):
    data = workbook_bytes(extra={"8.1 管理制度": [["制度", "=A1"]]})
    with pytest.raises(WorkbookInvalid) as caught:
        _import(school_a, alice, data)
    assert "工作表“8.1 管理制度” 第 1 行 B 列：不能使用公式" in caught.value.lines[0]


def test_sheet_not_named_by_a_table_number_is_refused(school_a, alice):
    with pytest.raises(WorkbookInvalid) as caught:
        _import(school_a, alice, workbook_bytes(extra={"杂项": [["x"]]}))
    assert "以数据采集平台的表号开头" in caught.value.lines[0]


def test_not_an_xlsx_is_refused(school_a, alice):
    with pytest.raises(WorkbookInvalid) as caught:
        _import(school_a, alice, b"%PDF-1.7 not a workbook")
    assert "PDF" in caught.value.lines[0]


def test_oversize_is_refused(school_a, alice):
    with pytest.raises(WorkbookInvalid) as caught:
        _import(school_a, alice, b"PK\x03\x04" + b"0" * (6 * 1024 * 1024))
    assert "文件太大" in caught.value.lines[0]


def test_zip_bomb_is_refused_before_parsing(school_a, alice):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    with pytest.raises(WorkbookInvalid) as caught:
        _import(school_a, alice, buffer.getvalue())
    assert any("恶意构造" in line for line in caught.value.lines)


def test_recompute_task_is_safe_to_run_twice(school_a, alice):
    _import(school_a, alice, workbook_bytes())
    assert recompute_schools.apply(args=[[school_a.pk]]).get() == 1
    first = YearResult.objects.get(school=school_a, year=2025)
    assert recompute_schools.apply(args=[[school_a.pk]]).get() == 1
    assert YearResult.objects.count() == 1
    again = YearResult.objects.get(school=school_a, year=2025)
    assert again.card == first.card
    assert again.indicators == first.indicators
