"""A published re-check verdict and report (复核结论与复核报告) as a PDF (verdict_pdf.py).

The PDFs are read back with poppler (``pdftotext -raw`` keeps the drawing order, which is the
document's order; ``pdffonts``). pdftotext breaks lines where the PDF does, so texts are
compared with all whitespace removed from both sides. No database.
"""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from review.exporters.data import VerdictReportData
from review.exporters.samples import verdict_report_sample
from review.exporters.verdict_pdf import TITLE, date_range, render_verdict_pdf
from review.services.limits import OPINION_LIMIT
from review.services.verdict import MeasuresRating, Verdict, decide_verdict, explain_verdict

# poppler is a fixture: imported so that pytestmark below can use it.
from tests.conftest import names_rule
from tests.pdf_readback import (  # noqa: F401
    A4_POINTS,
    body_of,
    page_count,
    pdftotext,
    poppler,
    squash,
)

pytestmark = pytest.mark.usefixtures("poppler")


def heading(row) -> str:
    """An element's heading in the comparison, as the squashed body shows it."""
    return f"诊断要素{row.element_code}{row.element_name}"


@pytest.fixture(scope="module")
def sample() -> VerdictReportData:
    return verdict_report_sample()


@pytest.fixture(scope="module")
def sample_pdf(sample) -> bytes:
    return render_verdict_pdf(sample)[2]


@pytest.fixture(scope="module")
def body(sample_pdf) -> str:
    return body_of(sample_pdf)


@pytest.fixture(scope="module")
def r15() -> VerdictReportData:
    return verdict_report_sample(r15=True)


@pytest.fixture(scope="module")
def r15_pdf(r15) -> bytes:
    return render_verdict_pdf(r15)[2]


@pytest.fixture(scope="module")
def r15_body(r15_pdf) -> str:
    return body_of(r15_pdf)


@pytest.fixture(scope="module")
def effective() -> VerdictReportData:
    """The sample as an 有效 verdict: strong measures, no improvement period, a correction."""
    report = verdict_report_sample()
    measures = MeasuresRating.STRONG
    return replace(
        report,
        verdict_label=decide_verdict(report.matched, measures).label,
        measures_label=measures.label,
        explanation=explain_verdict(report.matched, measures),
        improvement_period_end=None,
        correction_of="更正 2026-06-01 发布的结论：原因为专家组误录要素 1.4 的复核意见。",
    )


@pytest.fixture(scope="module")
def effective_pdf(effective) -> bytes:
    return render_verdict_pdf(effective)[2]


# The samples.


def test_the_sample_is_a_full_verdict_by_the_rule(sample):
    assert len(sample.rows) == 15
    assert all(len(row.school_opinion) == OPINION_LIMIT for row in sample.rows)
    assert [row.element_code for row in sample.rows if not row.consistent] == ["1.2", "3.2"]
    assert sample.matched == sum(row.consistent for row in sample.rows) == 13
    rating = MeasuresRating(next(m for m in MeasuresRating if m.label == sample.measures_label))
    assert (
        sample.verdict_label == decide_verdict(13, rating).label == Verdict.NEEDS_IMPROVEMENT.label
    )
    assert all(row.reason for row in sample.rows)
    assert sample.rectification_due == date(2027, 5, 22)
    assert sample.improvement_period_end == date(2027, 6, 10)


def test_the_r15_sample_has_no_recheck(r15):
    assert r15.matched is None and r15.rows == [] and r15.measures_label == ""
    assert r15.verdict_label == Verdict.ABNORMAL.label


# The document.


def test_pdf_is_returned_with_the_schools_name(sample, r15):
    filename, content_type, pdf = render_verdict_pdf(sample)
    assert filename == "厦门海洋职业技术学院-复核结论与复核报告.pdf"
    assert content_type == "application/pdf"
    assert pdf.startswith(b"%PDF-")
    assert render_verdict_pdf(r15)[0] == "福建船政交通职业学院-复核结论与复核报告.pdf"


def test_pdf_has_the_title_school_cycle_and_recheck_dates(body):
    assert body.startswith("福建省教育厅" + squash(TITLE))  # the issuer heads the document
    assert "学校名称：厦门海洋职业技术学院" in body
    assert "复核周期：2026—2028年诊改周期" in body
    assert "复核时间：2026年5月20日至5月22日" in body


def test_recheck_dates_are_written_as_an_official_document_does():
    assert date_range(date(2026, 5, 20), date(2026, 5, 22)) == "2026 年 5 月 20 日至 5 月 22 日"
    assert date_range(date(2026, 12, 30), date(2027, 1, 1)) == (
        "2026 年 12 月 30 日至 2027 年 1 月 1 日"
    )
    assert date_range(date(2026, 5, 20), date(2026, 5, 20)) == "2026 年 5 月 20 日"
    assert date_range(None, None) == ""


def test_r14_verdict_box_shows_the_verdict_matched_and_measures(sample, body):
    box = body[body.index("一、复核结论") : body.index("二、诊断要素复核情况")]
    assert box.startswith("一、复核结论复核结论待改进")
    assert "要素相符情况15项诊断要素中相符13项，不相符2项" in box
    assert "改进措施评价一般" in box
    assert squash(f"评价理由{sample.measures_reason}") in box
    # The rule's explanation, every line, without the portal's rule numbers.
    explanation = "".join(re.sub(r"（R\d+）", "", line) for line in sample.explanation)
    assert squash(f"结论依据{explanation}") in box
    assert not names_rule(body, "R14")


def test_r12_each_element_shows_consistent_or_not(sample, body):
    headings = [heading(row) for row in sample.rows]
    assert all(body.count(h) == 1 for h in headings)
    ends = [*headings[1:], "三、复核报告"]
    for row, start, end in zip(sample.rows, headings, ends, strict=True):
        segment = body[body.index(start) : body.index(end)]
        mark = "相符" if row.consistent else "不相符"
        assert f"复核意见{mark}复核理由" in segment, row.element_code
        assert segment.count("不相符") == (0 if row.consistent else 1), row.element_code


def test_r12_inconsistent_element_1_2_is_marked_between_its_heading_and_the_next(sample, body):
    row_1_2, row_1_3 = sample.rows[1], sample.rows[2]
    assert (row_1_2.element_code, row_1_2.consistent, row_1_3.element_code) == ("1.2", False, "1.3")
    segment = body[body.index(heading(row_1_2)) : body.index(heading(row_1_3))]
    assert "复核意见不相符" in segment
    before = body[body.index(heading(sample.rows[0])) : body.index(heading(row_1_2))]
    assert "复核意见相符" in before and "不相符" not in before


def test_r12_comparison_lists_projects_elements_opinions_and_reasons_in_order(sample, body):
    section = body[body.index("二、诊断要素复核情况") : body.index("三、复核报告")]
    expected = ""
    project = None
    for row in sample.rows:
        if row.project_code != project:
            project = row.project_code
            expected += f"诊断项目{row.project_code}{row.project_name}"
        mark = "相符" if row.consistent else "不相符"
        expected += (
            f"{heading(row)}自我诊断意见{row.school_opinion}复核意见{mark}复核理由{row.reason}"
        )
    assert squash(expected) in section
    assert len(re.findall(r"诊断项目\d", section)) == 5
    assert len(re.findall(r"诊断要素\d\.\d", section)) == 15


def test_r12_comparison_opens_with_a_summary_naming_the_inconsistent_elements(body):
    section = body[body.index("二、诊断要素复核情况") :]
    assert section.startswith(
        "二、诊断要素复核情况15项诊断要素中，学校自我诊断意见与专家组复核结果相符13项；"
        "不相符2项：1.2组织构架、3.2师资建设诊改工作。"
    )


def test_pdf_has_the_report_text_paragraph_by_paragraph(sample, body):
    section = body[body.index("三、复核报告") : body.index("四、整改与改进要求")]
    paragraphs = sample.report.split("\n")
    assert len(paragraphs) == 5
    assert squash("三、复核报告" + "".join(paragraphs)) == section


def test_r11_rectification_is_due_within_a_year_of_the_recheck(body):
    section = body[body.index("四、整改与改进要求") : body.index("五、复核专家组")]
    assert "须于2027年5月22日前完成整改" in section


def test_r11_r16_the_two_dates_are_labelled_with_where_they_count_from(body):
    section = body[body.index("四、整改与改进要求") : body.index("五、复核专家组")]
    assert "整改完成期限（自复核工作结束之日起一年）" in section
    assert "改进期（自本结论发布之日起一年）" in section


def test_r16_improvement_period_and_reapplication(body):
    section = body[body.index("四、整改与改进要求") : body.index("五、复核专家组")]
    assert "复核结论为“待改进”，改进期至2027年6月10日，期满后须重新提出复核申请。" in section


def test_r16_effective_verdict_has_no_improvement_period(effective_pdf):
    body = body_of(effective_pdf)
    assert "复核结论复核结论有效" in body
    assert "改进期" not in body
    assert "复核结论为“有效”，同一周期内可不再接受复核。" in body
    assert "须于2027年5月22日前完成整改" in body  # R11 applies whatever the verdict


def test_pdf_names_the_panel_and_the_publication_date(sample, body):
    assert sample.panel[0] == "陈建华（组长）"
    assert f"五、复核专家组专家组成员：{'、'.join(sample.panel)}" in body
    assert body.endswith("福建省教育厅（盖章）发布日期：2026年6月10日")


def test_correction_note_is_shown_and_every_page_is_marked(effective, effective_pdf, body):
    corrected = body_of(effective_pdf)
    assert squash(f"更正说明：{effective.correction_of}") in corrected
    assert corrected.index("更正说明") < corrected.index("一、复核结论")
    pages = pdftotext(effective_pdf).split("\f")[: page_count(effective_pdf)]
    assert all("【更正】" in squash(page) for page in pages)
    assert "更正" not in body


def test_running_header_names_the_school_and_verdict(sample_pdf):
    pages = pdftotext(sample_pdf).split("\f")[: page_count(sample_pdf)]
    assert len(pages) > 1
    for page in pages[1:]:
        assert "厦门海洋职业技术学院·复核结论：待改进" in squash(page)


def test_texts_are_printed_not_obeyed_and_blanks_are_marked(sample):
    rows = [
        replace(row, school_opinion="", reason="第一段。\n<b>第二段 & 说明</b>")
        if index == 0
        else row
        for index, row in enumerate(sample.rows)
    ]
    body = body_of(render_verdict_pdf(replace(sample, rows=rows))[2])
    assert "自我诊断意见（未填写）复核意见相符复核理由第一段。<b>第二段&说明</b>" in body


# R15: no re-check took place.


def test_r15_verdict_prints_the_explanation_only(r15_body):
    assert r15_body.startswith("福建省教育厅" + squash(TITLE))
    assert "学校名称：福建船政交通职业学院" in r15_body
    assert (
        "一、复核结论复核结论异常结论依据在规定时间内未开展诊改工作，结论视为“异常”。" in r15_body
    )
    assert not names_rule(r15_body, "R15")


def test_r15_verdict_has_no_comparison_section(r15_body):
    for absent in ("诊断要素", "诊断项目", "相符", "复核意见", "改进措施评价", "复核时间"):
        assert absent not in r15_body, absent


def test_r15_verdict_still_carries_the_r16_improvement_period(r15_body):
    assert "改进期至2027年6月10日，期满后须重新提出复核申请" in r15_body
    assert "整改" not in r15_body.replace("整改与改进要求", "")  # no re-check: no R11 date
    assert r15_body.endswith("发布日期：2026年6月10日")


# The file.


def test_pdf_pages_are_a4_and_numbered(sample_pdf, r15_pdf):
    for pdf in (sample_pdf, r15_pdf):
        pages = PdfReader(io.BytesIO(pdf)).pages
        for page in pages:
            size = (float(page.mediabox.width), float(page.mediabox.height))
            assert size == pytest.approx(A4_POINTS, abs=0.5)
        text = pdftotext(pdf)
        for number in range(1, len(pages) + 1):
            assert f"第 {number} 页 / 共 {len(pages)} 页" in text
    assert page_count(sample_pdf) > 1


def test_pdf_embeds_a_heiti_title_face_and_a_songti_text_face(sample_pdf, r15_pdf, effective_pdf):
    """GB/T 9704 style: 黑体 for the issuer and title, 宋体 (Ming) for the text; both embedded."""
    for pdf in (sample_pdf, r15_pdf, effective_pdf):
        result = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True)
        fonts = result.stdout.decode().splitlines()[2:]  # after the heading and its rule
        assert len(fonts) == 2, fonts  # two faces: no fallback face, no synthetic bold
        names = set()
        for line in fonts:
            # name, type (two words), encoding, emb, sub, uni, object number, generation
            name, *font_type, _encoding, emb, _sub, _uni, _number, _generation = line.split()
            assert " ".join(font_type) == "CID TrueType", line
            assert emb == "yes", line
            names.add(name.split("+", 1)[1].split("-")[0])
        assert names == {"ReportCJK", "ReportHei"}, fonts
