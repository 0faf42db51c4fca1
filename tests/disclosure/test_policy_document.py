"""The plan as the column publishes it: corrected text, contents, anchors, tables (R18, R22)."""

import hashlib
import json
import re

import pytest

from disclosure import policy
from zhengai import fixtures

ORIGINAL = fixtures.POLICY_TEXT_FILE.read_bytes()
SYSTEM = json.loads(fixtures.INDICATOR_FILES[0].read_text(encoding="utf-8"))
PLAN = "/column/documents/fujian-zhengai-plan/"


def _corrected():
    return policy.correct(ORIGINAL.decode("utf-8"), SYSTEM)


def test_r18_corrected_text_has_no_ocr_artefacts():
    text, corrections = _corrected()
    for artefact in [" and ", "\\geq", "$<$", "<p>", "质量保 证", "- 附", "生活生活", "R22"]:
        assert artefact not in text, artefact
    assert "思想和党的十九大精神" in text and "质量标准和制度" in text
    assert "相符 ≥12 项" in text and "相符 <10 项" in text
    prose = [line for line in text.split("\n") if "\t" not in line]
    assert not any(re.search(r"[(),:]", line) for line in prose)
    reasons = " ".join(c.reason for c in corrections)
    assert "and" in reasons and "\\geq" in reasons and "附件1 表格" in reasons
    assert all(c.count > 0 for c in corrections)


def test_corrected_text_keeps_every_word_of_the_original():
    """Only spacing, punctuation and the listed slips change: the words are all still there."""
    text, _ = _corrected()

    def words(t: str) -> str:
        t = re.sub(r"<p>|</p>|\\geq|\$<\$|[\s(),:;（），：；<≥/\-—⏎①-⑨]", "", t)
        return t.replace("生活生活", "生活").replace("and", "和")

    original = words(ORIGINAL.decode("utf-8"))
    # The rebuilt 附件1 table moves cells about: compare the characters as a multiset.
    assert sorted(words(text)) == sorted(original)


def test_parse_gives_stable_anchors_for_sections_clauses_and_annexes():
    text, _ = _corrected()
    structure = policy.parse(text)
    anchors = structure.anchors
    assert len(anchors) == len(set(anchors))
    for anchor in ["s1", "s4", "s4-2", "s4-2-1", "s4-2-2-8", "s4-3", "s5-2", "a1", "a1-5-2"]:
        assert anchor in anchors, anchor
    assert [a for a in anchors if "a2-" in a] == ["a2-2017", "a2-2018", "a2-2019", "a2-2020"]
    clause = next(b for b in structure.blocks if b.anchor == "s4-2-3")
    assert clause.text.startswith("整改工作。") and "一年内完成整改任务" in clause.text
    tables = [b for b in structure.blocks if b.kind == "table"]
    assert len(tables) == 2  # 附件1 and 附件3
    annex1 = tables[0]
    assert annex1.head[0] == "诊断项目" and len(annex1.rows) == 37
    assert sum(1 for row in annex1.rows if row.anchor) == 15
    assert [c.text for c in annex1.rows[0].cells[:3]] == [
        "1 体系总体构架",
        "1.1 质量保证理念",
        "质量目标与定位",
    ]
    assert annex1.rows[0].cells[0].rowspan == 9
    annex3 = tables[1]
    assert len(annex3.rows) == 15 and annex3.head[2] == "自我诊断意见"
    names = [b for b in structure.blocks if b.kind == "names"]
    assert len(names[0].names) == 23 and "厦门海洋职业技术学院" in names[0].names


@pytest.mark.django_db
def test_r18_plan_page_shows_contents_tables_dates_and_corrections(client, seeded):
    html = client.get(PLAN).content.decode()
    assert 'href="#s4-2-1"' in html and 'id="s4-2-1"' in html
    assert 'id="a1-2-1"' in html and 'id="a2-2019"' in html
    assert html.count("<table") >= 3  # 附件1, 附件3, corrections
    assert "成文日期" in html and "原文未载明" in html and "本专栏上线" in html
    assert "福建省教育厅" in html
    assert "校正说明" in html and "思想 and 党的十九大精神" in html
    assert hashlib.sha256(ORIGINAL).hexdigest() in html
    assert not re.search(r"\bR\d{1,2}\b", re.sub(r"<[^>]+>", "", html))  # no rule ids


@pytest.mark.django_db
def test_original_file_downloads_byte_for_byte(client, seeded):
    response = client.get(PLAN + "original/")
    assert response.status_code == 200
    assert response.content == ORIGINAL
    assert "attachment" in response["Content-Disposition"]
    assert client.get("/column/documents/no-such/original/").status_code == 404


@pytest.mark.django_db
def test_a_plan_loaded_before_corrections_gets_them_once(seeded):
    from disclosure.models import ColumnDocument
    from disclosure.services import load_plan_document

    ColumnDocument.objects.filter(slug="fujian-zhengai-plan").update(
        body=ORIGINAL.decode("utf-8").strip(), original_text="", corrections=[]
    )
    doc = load_plan_document()
    assert doc.original_text and " and " not in doc.body and doc.corrections
