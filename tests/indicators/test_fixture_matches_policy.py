"""R1: the indicator-system fixture is a faithful transcription of 附件1 of the policy text.

Pure Python: no database and no Django. The policy text shipped in ``fixtures/policy`` is the
source of truth; the checks below read it, normalise away its line-break artefacts and prove
that every name, factor and platform reference in the fixture is there, in the same order.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_PATH = REPO_ROOT / "fixtures" / "indicators" / "fujian-revised.json"
POLICY_PATH = REPO_ROOT / "fixtures" / "policy" / "fujian-zhengai-plan-revised.txt"

CIRCLED = "①②③④⑤⑥⑦⑧⑨"
TITLE = "福建省高职院校内部质量保证体系诊断与改进指标体系（修订版）"
ELEMENT_CODES = [
    "1.1", "1.2", "1.3", "1.4",
    "2.1", "2.2", "2.3",
    "3.1", "3.2",
    "4.1", "4.2",
    "5.1", "5.2", "5.3", "5.4",
]  # fmt: skip
# Points whose 数据管理平台相应编号 cell is empty in 附件1 (read off the text by eye).
POINTS_WITHOUT_REFS = {
    ("4.2", "安全与生活保障"),
    ("5.1", "政策环境"),
    ("5.1", "资源环境"),
    ("5.2", "发生率及影响"),
    ("5.3", "规划体系建设及效果"),
    ("5.3", "标准体系建设及效果"),
    ("5.3", "诊改机制建设及效果"),
    ("5.4", "学校质量保证体系特色"),
}
REF_PATTERN = re.compile(r"^\d+(\.\d+)?(-\d+(\.\d+)?)?$")

System = dict[str, Any]


# --- helpers -------------------------------------------------------------------------------


def normalize(text: str) -> str:
    """Delete all whitespace and the <p>/</p> tags, undoing the text's line-break artefacts."""
    return re.sub(r"\s+", "", text).replace("<p>", "").replace("</p>", "")


def normalize_ref_cell(cell: str) -> str:
    """Turn a raw 数据管理平台相应编号 cell into "a/b/c" form (space → "/", no trailing "/")."""
    return re.sub(r"\s+", "/", cell.strip()).strip("/")


def section(text: str, start: str, end: str) -> str:
    """Return the lines strictly between the lines reading ``start`` and ``end``."""
    lines = text.splitlines()
    stripped = [line.strip() for line in lines]
    begin = stripped.index(start)
    finish = stripped.index(end, begin + 1)
    return "\n".join(lines[begin + 1 : finish])


def annex1(text: str) -> str:
    """Return the raw 附件1 section of the policy text."""
    return section(text, "附件 1", "附件 2")


def annex3(text: str) -> str:
    """Return the raw 附件3 section of the policy text."""
    return section(text, "附件 3", "附件 4")


def table_rows(raw_section: str) -> list[list[str]]:
    """Split the tab-separated table rows (after the 诊断项目 header) into fields."""
    lines = raw_section.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("诊断项目\t"))
    return [line.split("\t") for line in lines[header + 1 :] if "\t" in line]


def iter_points(system: System) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (element code, point) for every point, in 附件1's order."""
    for project in system["projects"]:
        for element in project["elements"]:
            for point in element["points"]:
                yield element["code"], point


def factor_string(factor: dict[str, Any]) -> str:
    """Render a factor as it reads in the normalised text, e.g. "①根据中国…"."""
    number = factor["number"]
    # An out-of-range number must be reported as a mismatch, not crash the checker.
    mark = CIRCLED[number - 1] if isinstance(number, int) and 1 <= number <= 9 else f"[{number}]"
    return mark + factor["text"]


def find_in_order(haystack: str, steps: list[tuple[str, str, int]], where: str) -> list[str]:
    """Find each (label, needle, advance) after the previous hit; report every miss."""
    problems: list[str] = []
    pos = 0
    for label, needle, advance in steps:
        found = haystack.find(needle, pos)
        if found < 0:
            problems.append(f"{label}: {needle!r} not found in {where} after offset {pos}")
            continue
        pos = found + advance
    return problems


# --- the checker ---------------------------------------------------------------------------


def check_order_in_annex1(system: System, text: str) -> list[str]:
    """Check title, element and point names and every factor occur in 附件1 in fixture order."""
    steps: list[tuple[str, str, int]] = [("title", system["title"], len(system["title"]))]
    for project in system["projects"]:
        for element in project["elements"]:
            needle = element["code"] + element["name"]
            steps.append((f"element {element['code']}", needle, len(needle)))
            for point in element["points"]:
                label = f"{element['code']} {point['name']}"
                # A point's name is directly followed by its first factor's ①.
                steps.append((label, point["name"] + CIRCLED[0], len(point["name"])))
                for factor in point["factors"]:
                    needle = factor_string(factor)
                    steps.append((f"{label} factor {factor['number']}", needle, len(needle)))
    return find_in_order(normalize(annex1(text)), steps, "附件1")


def check_factor_count(system: System, text: str) -> list[str]:
    """Check 附件1 holds exactly as many circled numbers as the fixture has factors."""
    in_text = sum(normalize(annex1(text)).count(mark) for mark in CIRCLED)
    in_fixture = sum(len(point["factors"]) for _, point in iter_points(system))
    if in_text != in_fixture:
        return [f"附件1 has {in_text} circled factor numbers, fixture has {in_fixture} factors"]
    return []


def check_point_rows(system: System, text: str) -> list[str]:
    """Check each point's factors and refs equal the cells of its own row in 附件1's table.

    The factor cell, normalised, must be exactly the point's "①…②…" string, so a dropped
    trailing "；" or an extra factor fails; the ref cell is normalised by normalize_ref_cell.
    """
    rows = table_rows(annex1(text))
    problems: list[str] = []
    next_row = 0
    for code, point in iter_points(system):
        # The table's last three columns are 诊断点 / 影响因素 / 数据管理平台相应编号.
        row_index = next(
            (
                i
                for i in range(next_row, len(rows))
                if len(rows[i]) >= 3 and normalize(rows[i][-3]) == point["name"]
            ),
            None,
        )
        if row_index is None:
            problems.append(f"{code} {point['name']}: no 附件1 row with this 诊断点")
            continue
        next_row = row_index + 1
        factors = "".join(factor_string(factor) for factor in point["factors"])
        if normalize(rows[row_index][-2]) != factors:
            problems.append(f"{code} {point['name']}: factors differ from 附件1's 影响因素 cell")
        expected = normalize_ref_cell(rows[row_index][-1])
        actual = "/".join(point["platform_refs"])
        if actual != expected:
            problems.append(f"{code} {point['name']}: refs {actual!r}, 附件1 says {expected!r}")
    return problems


def heading_cells(raw_section: str) -> tuple[list[str], list[str]]:
    """Read a table's 诊断项目 and 诊断要素 cells, normalised and in order.

    Both tables have five columns and the headings are the cells before the last three; rows
    may lack their leading empty cells. A non-empty project cell without a leading code
    continues the previous project's name (附件1 wraps "4 学生 全面 发展" … "保 证").
    """
    projects: list[str] = []
    elements: list[str] = []
    for row in table_rows(raw_section):
        for cell in (normalize(field) for field in row[:-3]):
            if re.match(r"^\d\.\d", cell):
                elements.append(cell)
            elif re.match(r"^\d", cell):
                projects.append(cell)
            elif cell and projects:
                projects[-1] += cell
    return projects, elements


def check_heading_cells(system: System, text: str) -> list[str]:
    """Check project and element cells of 附件1's and 附件3's tables equal the fixture's."""
    problems: list[str] = []
    projects = [p["code"] + p["name"] for p in system["projects"]]
    for where, raw, key in (
        ("附件1", annex1(text), "name"),
        ("附件3", annex3(text), "report_name"),
    ):
        elements = [e["code"] + e[key] for p in system["projects"] for e in p["elements"]]
        found_projects, found_elements = heading_cells(raw)
        if found_projects != projects:
            problems.append(f"{where} project cells {found_projects} != fixture {projects}")
        if found_elements != elements:
            problems.append(f"{where} element cells {found_elements} != fixture {elements}")
    return problems


def check_against_policy(system: System, text: str) -> list[str]:
    """Return every mismatch between the fixture and the policy text (empty when faithful)."""
    return (
        check_order_in_annex1(system, text)
        + check_factor_count(system, text)
        + check_point_rows(system, text)
        + check_heading_cells(system, text)
    )


# --- pytest fixtures -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def system() -> System:
    """Load the shipped indicator-system fixture."""
    return json.loads(FIXTURE_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def policy() -> str:
    """Load the shipped policy text."""
    return POLICY_PATH.read_text(encoding="utf-8")


# --- structure -----------------------------------------------------------------------------


def test_r1_fixture_header(system: System) -> None:
    """The fixture names the 修订版 in force, with 附件1's own title."""
    assert set(system) == {"version", "name", "title", "in_force", "projects"}
    assert system["version"] == "fujian-revised"
    assert system["name"] == "修订版"
    assert system["title"] == TITLE
    assert system["in_force"] is True


def test_r1_counts_are_5_15_37(system: System) -> None:
    """附件1's note: 5 诊断项目, 15 诊断要素, 37 诊断点."""
    elements = [e for p in system["projects"] for e in p["elements"]]
    assert len(system["projects"]) == 5
    assert len(elements) == 15
    assert sum(len(e["points"]) for e in elements) == 37


def test_r1_project_and_element_codes(system: System) -> None:
    """Projects are 1..5, elements 1.1…5.4, and each element sits under its own project."""
    assert [p["code"] for p in system["projects"]] == ["1", "2", "3", "4", "5"]
    codes = [e["code"] for p in system["projects"] for e in p["elements"]]
    assert codes == ELEMENT_CODES
    for project in system["projects"]:
        for element in project["elements"]:
            assert element["code"].startswith(project["code"] + "."), element["code"]


def test_r1_factors_numbered_consecutively(system: System) -> None:
    """Within each point the factors are numbered 1..n with no gap or repeat."""
    for code, point in iter_points(system):
        numbers = [factor["number"] for factor in point["factors"]]
        assert numbers == list(range(1, len(numbers) + 1)), (code, point["name"], numbers)
        assert numbers, (code, point["name"], "has no factors")


def test_r1_no_whitespace_or_tags(system: System) -> None:
    """No name, report_name or factor text keeps whitespace or the <p> tags."""
    strings: list[str] = [system["title"]]
    for project in system["projects"]:
        strings.append(project["name"])
        for element in project["elements"]:
            strings += [element["name"], element["report_name"]]
            for point in element["points"]:
                strings.append(point["name"])
                strings += [factor["text"] for factor in point["factors"]]
    for value in strings:
        assert value, "empty string"
        assert not re.search(r"\s", value), value
        assert "<p>" not in value and "</p>" not in value, value
        assert not any(mark in value for mark in CIRCLED), value


def test_r1_platform_refs_are_well_formed(system: System) -> None:
    """Each ref is a code like "7", "1.3" or "7.1-7.6": no blanks, slashes or spaces."""
    for code, point in iter_points(system):
        for ref in point["platform_refs"]:
            assert REF_PATTERN.match(ref), (code, point["name"], ref)


def test_r1_report_name_differs_only_for_1_2(system: System) -> None:
    """附件3 spells 1.2 "组织构架" where 附件1 has "组织架构"; all other names agree."""
    for project in system["projects"]:
        for element in project["elements"]:
            if element["code"] == "1.2":
                assert element["name"] == "组织架构"
                assert element["report_name"] == "组织构架"
            else:
                assert element["report_name"] == element["name"], element["code"]


# --- against the policy text ---------------------------------------------------------------


def test_r1_names_and_factors_appear_in_order_in_annex1(system: System, policy: str) -> None:
    """Every element, point and "①factor" is found in 附件1, each after the previous one."""
    assert check_order_in_annex1(system, policy) == []


def test_r1_circled_numbers_in_annex1_equal_factor_count(system: System, policy: str) -> None:
    """Nothing is left out: 附件1 has as many ①…⑨ as the fixture has factors."""
    assert check_factor_count(system, policy) == []


def test_r1_project_and_element_names_match_tables(system: System, policy: str) -> None:
    """Project and element cells of 附件1 and 附件3 (report_name) equal the fixture's."""
    assert check_heading_cells(system, policy) == []


def test_r1_factors_and_platform_refs_match_annex1_rows(system: System, policy: str) -> None:
    """Each point's factors and "/"-joined refs equal its own row's normalised cells."""
    assert check_point_rows(system, policy) == []


def test_r1_points_without_platform_refs(system: System, policy: str) -> None:
    """Exactly the points whose ref cell is blank in 附件1 have no refs."""
    empty = {(code, p["name"]) for code, p in iter_points(system) if not p["platform_refs"]}
    assert empty == POINTS_WITHOUT_REFS
    blank_cells = {normalize(row[-3]) for row in table_rows(annex1(policy)) if not row[-1].strip()}
    assert blank_cells == {name for _, name in POINTS_WITHOUT_REFS}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1.3/7", "1.3/7"),
        ("3.4/4/5.1/5.2 6/7.4/7.5", "3.4/4/5.1/5.2/6/7.4/7.5"),
        ("3.4/7.2/8.1/8.2 8.5/8.6/8.7", "3.4/7.2/8.1/8.2/8.5/8.6/8.7"),
        ("5.2/7.1/7.2/8.1/", "5.2/7.1/7.2/8.1"),
        ("1.3/7.1-7.6/9.2", "1.3/7.1-7.6/9.2"),
        ("", ""),
    ],
)
def test_r1_normalize_ref_cell(cell: str, expected: str) -> None:
    """Ref cells broken by a space or ending in "/" normalise to one "/"-joined string."""
    assert normalize_ref_cell(cell) == expected


def test_r1_checker_passes_on_shipped_fixture(system: System, policy: str) -> None:
    """The full checker finds no mismatch in the shipped fixture."""
    assert check_against_policy(system, policy) == []


# --- the checker itself can fail -----------------------------------------------------------


def _point(system: System, code: str, name: str) -> dict[str, Any]:
    """Return the point called ``name`` under element ``code``."""
    return next(p for c, p in iter_points(system) if c == code and p["name"] == name)


def _change_one_character(system: System) -> None:
    """Change one character in the middle of one factor text."""
    factor = _point(system, "1.1", "质量目标与定位")["factors"][2]
    i = len(factor["text"]) // 2
    replacement = "甲" if factor["text"][i] != "甲" else "乙"
    factor["text"] = factor["text"][:i] + replacement + factor["text"][i + 1 :]


def _fix_a_typo(system: System) -> None:
    """Correct the policy's own typo "生活生活", which a faithful transcription must keep."""
    factor = _point(system, "4.2", "安全与生活保障")["factors"][1]
    factor["text"] = factor["text"].replace("生活生活配套设施", "生活配套设施")


def _drop_trailing_punctuation(system: System) -> None:
    """Drop the closing "；" of a factor that ends with one in the text."""
    factor = _point(system, "5.2", "预警机制")["factors"][2]
    factor["text"] = factor["text"].rstrip("；")


def _swap_factors(system: System) -> None:
    """Swap the texts of two factors of one point."""
    factors = _point(system, "1.3", "执行与改进")["factors"]
    factors[0]["text"], factors[1]["text"] = factors[1]["text"], factors[0]["text"]


def _drop_last_factor(system: System) -> None:
    """Leave out the last factor of a point."""
    _point(system, "4.2", "安全与生活保障")["factors"].pop()


def _renumber_factor(system: System) -> None:
    """Give a factor the wrong number."""
    _point(system, "5.3", "标准体系建设及效果")["factors"][2]["number"] = 4


def _change_ref(system: System) -> None:
    """Drop one platform ref of a point."""
    _point(system, "2.1", "条件保障")["platform_refs"].remove("6")


def _add_ref_to_blank_point(system: System) -> None:
    """Give a point refs where 附件1's cell is blank."""
    _point(system, "5.1", "资源环境")["platform_refs"] = ["7.5", "9.3"]


def _rename_point(system: System) -> None:
    """Change one character of a point name."""
    _point(system, "2.2", "外部诊断（评估）结论应用")["name"] = "外部诊断（评价）结论应用"


def _use_report_spelling_as_name(system: System) -> None:
    """Use 附件3's "组织构架" as 1.2's name, which 附件1 does not have."""
    system["projects"][0]["elements"][1]["name"] = "组织构架"


def _truncate_project_name(system: System) -> None:
    """Keep only the 附件1 first line of project 4's split name."""
    system["projects"][3]["name"] = "学生全面发展"


MUTATIONS: list[Callable[[System], None]] = [
    _change_one_character,
    _fix_a_typo,
    _drop_trailing_punctuation,
    _swap_factors,
    _drop_last_factor,
    _renumber_factor,
    _change_ref,
    _add_ref_to_blank_point,
    _rename_point,
    _use_report_spelling_as_name,
    _truncate_project_name,
]


@pytest.mark.parametrize("mutate", MUTATIONS, ids=lambda mutate: mutate.__name__.strip("_"))
def test_r1_checker_reports_mutation(
    system: System, policy: str, mutate: Callable[[System], None]
) -> None:
    """A one-spot change to an in-memory copy of the fixture is reported as a mismatch."""
    mutated = copy.deepcopy(system)
    mutate(mutated)
    assert mutated != system
    assert check_against_policy(mutated, policy) != []
