"""R5: the self-diagnosis report as a PDF laid out like 附件3 (review/exporters/pdf.py).

The PDFs are read back with poppler (``pdftotext -raw`` keeps the drawing order, which is the
document's order; ``pdffonts``). pdftotext breaks lines where the PDF does, so texts are
compared with all whitespace removed from both sides. No database.
"""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from review.exporters.data import ReportData
from review.exporters.pdf import (
    TITLE,
    ReportFontMissing,
    find_font,
    render_report_pdf,
)
from review.exporters.samples import full_length_report
from review.services.limits import EFFECTS_LIMIT, MEASURES_LIMIT, OPINION_LIMIT, OVERVIEW_LIMIT

# poppler is a fixture: imported so that pytestmark below can use it.
from tests.pdf_readback import (  # noqa: F401
    A4_POINTS,
    BODY_CROP,
    pdftotext,
    poppler,
    squash,
)

pytestmark = pytest.mark.usefixtures("poppler")

REPO_ROOT = Path(__file__).resolve().parents[2]
POLICY_PATH = REPO_ROOT / "fixtures" / "policy" / "fujian-zhengai-plan-revised.txt"


def annex3_table() -> list[tuple[str, str, str, str]]:
    """附件3's table rows from the policy text: (project code, name, element code, name)."""
    text = POLICY_PATH.read_text(encoding="utf-8")
    annex = text[text.index("附件 3") :]
    table = annex[annex.index("二、自我诊断与改进报告表") : annex.index("校长（签字）")]
    rows: list[tuple[str, str, str, str]] = []
    project = ("", "")
    for line in table.splitlines():
        if match := re.match(r"^(\d) (\S+)\t", line):
            project = (match[1], match[2])
        if match := re.search(r"(\d\.\d) (\S+)", line):
            rows.append((*project, match[1], match[2]))
    return rows


def short_draft() -> ReportData:
    """A draft with short texts, some fields empty, unsigned."""
    report = full_length_report("福建船政交通职业学院", 2025)
    rows = [
        replace(
            row,
            opinion=f"{row.element_name}：目标基本达成。\n存在问题：<b>数据 & 口径</b>不一。",
            measures="" if index % 4 == 1 else f"{row.element_name}的改进措施。",
            effects=f"{row.element_name}：措施尚未实施。",
        )
        for index, row in enumerate(report.rows)
    ]
    return replace(
        report,
        overview="概述第一段。\n\n概述第二段。",
        rows=rows,
        principal_name="",
        signed_on=None,
        status_label="草稿",
    )


@pytest.fixture(scope="module")
def full() -> ReportData:
    return full_length_report()


@pytest.fixture(scope="module")
def full_pdf(full) -> bytes:
    return render_report_pdf(full)[2]


@pytest.fixture(scope="module")
def full_text(full_pdf) -> str:
    return pdftotext(full_pdf)


@pytest.fixture(scope="module")
def full_body(full_pdf) -> str:
    """The full report's text without running headers and footers, whitespace removed."""
    return squash(pdftotext(full_pdf, *BODY_CROP))


@pytest.fixture(scope="module")
def draft() -> ReportData:
    return short_draft()


@pytest.fixture(scope="module")
def draft_pdf(draft) -> bytes:
    return render_report_pdf(draft)[2]


@pytest.fixture(scope="module")
def draft_text(draft_pdf) -> str:
    return pdftotext(draft_pdf)


def test_the_sample_report_is_full_length_and_follows_annex3(full):
    assert len(full.overview) == OVERVIEW_LIMIT
    assert [
        (r.project_code, r.project_name, r.element_code, r.element_name) for r in full.rows
    ] == (annex3_table())
    assert len(annex3_table()) == 15
    for row in full.rows:
        assert (len(row.opinion), len(row.measures), len(row.effects)) == (
            OPINION_LIMIT,
            MEASURES_LIMIT,
            EFFECTS_LIMIT,
        )
        assert len(set(row.opinion)) > 100  # real varied text, not one repeated character
    assert len({row.opinion for row in full.rows}) == 15


def test_r5_pdf_is_returned_in_the_house_style(full, full_pdf):
    filename, content_type, pdf = render_report_pdf(full)
    assert filename == "厦门海洋职业技术学院-2026-自我诊断与改进工作报告.pdf"
    assert content_type == "application/pdf"
    assert pdf.startswith(b"%PDF-")


def test_r5_pdf_has_the_title_school_and_overview(full, full_body):
    assert full_body.startswith(squash(TITLE))
    assert "学校名称：厦门海洋职业技术学院" in full_body
    assert "一、自我诊改工作概述（500字以内）" in full_body
    assert squash(full.overview) in full_body


def test_r5_pdf_has_the_annex3_table_for_all_15_elements(full, full_body):
    """Each 诊断项目 once, then each 诊断要素 with its three columns, in 附件1's order."""
    table = full_body[full_body.index("二、自我诊断与改进报告表") :]
    expected = ""
    project = None
    for row in full.rows:
        if row.project_code != project:
            project = row.project_code
            expected += f"诊断项目{row.project_code}{row.project_name}"
        expected += (
            f"诊断要素{row.element_code}{row.element_name}"
            f"自我诊断意见{row.opinion}改进措施{row.measures}改进成效{row.effects}"
        )
    assert squash(expected) in table
    assert len(re.findall(r"诊断项目\d", table)) == 5
    assert len(re.findall(r"诊断要素\d\.\d", table)) == 15


def test_r5_pdf_keeps_every_text_at_its_limit_in_full(full, full_body):
    for row in full.rows:
        for text in (row.opinion, row.measures, row.effects):
            assert squash(text) in full_body, f"{row.element_code}: {text[:20]}…"


def test_r5_pdf_ends_with_the_principals_signature_and_date(full, full_text, full_body):
    assert "校长（签字）：林海涛" in full_body
    assert full_body.index("校长（签字）") > full_body.index(squash(full.rows[-1].effects))
    assert "2026 年 5 月 20 日" in full_text


def test_r5_pdf_pages_are_a4_and_numbered(full_pdf, full_text):
    pages = PdfReader(io.BytesIO(full_pdf)).pages
    assert len(pages) > 1
    for page in pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A4_POINTS, abs=0.5)
    for number in range(1, len(pages) + 1):
        assert f"第 {number} 页 / 共 {len(pages)} 页" in full_text


def test_r5_pdf_embeds_only_the_cjk_truetype_font(full_pdf, draft_pdf):
    for pdf in (full_pdf, draft_pdf):
        result = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True)
        fonts = result.stdout.decode().splitlines()[2:]  # after the heading and its rule
        assert len(fonts) == 1, fonts  # one font: no fallback face, no synthetic bold
        # name, type (two words), encoding, emb, sub, uni, object number, generation
        name, *font_type, _encoding, emb, _sub, _uni, _number, _generation = fonts[0].split()
        assert " ".join(font_type) == "CID TrueType", fonts[0]
        assert emb == "yes", fonts[0]
        assert name.endswith(("+ReportCJK", "+ReportCJK-Light", "+ReportCJK-Regular")), name

    # The embedded program is the Debian CJK font itself (the face fontconfig picked: index 0).
    reader = PdfReader(io.BytesIO(full_pdf))
    font = reader.pages[0]["/Resources"]["/Font"]
    (entry,) = font.values()
    descriptor = entry.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
    embedded = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
    source = TTFont(str(find_font()), fontNumber=0, lazy=True)
    assert embedded["name"].getDebugName(1) == source["name"].getDebugName(1)


def test_r5_draft_is_marked_on_every_page(draft, draft_pdf, draft_text):
    pages = draft_text.split("\f")[: len(PdfReader(io.BytesIO(draft_pdf)).pages)]
    assert all("【草稿】" in squash(page) for page in pages)
    first_page = squash(pdftotext(draft_pdf, "-l", "1", *BODY_CROP))
    assert "草稿" in first_page.replace("状态：草稿", "")  # the stamp by the school's name
    assert render_report_pdf(draft)[0] == "福建船政交通职业学院-2025-自我诊断与改进工作报告.pdf"


def test_r5_submitted_report_is_not_marked_as_draft(full_text):
    assert "草稿" not in full_text
    assert "状态：已提交" in squash(full_text)


def test_r5_draft_keeps_short_texts_line_breaks_and_blanks(draft, draft_pdf):
    body = squash(pdftotext(draft_pdf, *BODY_CROP))
    assert "概述第一段。" in body and "概述第二段。" in body
    for row in draft.rows:
        assert f"诊断要素{row.element_code}{row.element_name}" in body
        # Typed line breaks become paragraphs; markup in a text is printed, never obeyed.
        assert squash(f"自我诊断意见{row.opinion}") in body
        assert squash(f"改进措施{row.measures or '（未填写）'}") in body
        assert squash(f"改进成效{row.effects}") in body


def test_r5_unsigned_draft_leaves_the_signature_and_date_blank(draft_text):
    body = squash(draft_text)
    assert "校长（签字）：" in body and "年月日" in body
    assert not re.search(r"\d+\s*年\s*\d+\s*月\s*\d+\s*日", draft_text)


def test_missing_font_is_a_clear_error_in_chinese_and_english(tmp_path):
    with pytest.raises(ReportFontMissing) as error:
        find_font((tmp_path / "none.ttc", tmp_path / "also-none.ttf"))
    message = str(error.value)
    assert "找不到" in message and "fonts-arphic-uming" in message
    assert "No CJK font" in message and str(tmp_path / "none.ttc") in message
