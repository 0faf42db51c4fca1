"""The schools fixture against the policy text (R6, R7, R22)."""

import json
import re

import pytest

from schools.models import School, SecondRoundStatus
from zhengai import fixtures

POLICY = fixtures.POLICY_TEXT_FILE.read_text(encoding="utf-8")
SCHOOLS = json.loads(fixtures.SCHOOLS_FILE.read_text(encoding="utf-8"))["schools"]


def _annex(name: str, following: str) -> str:
    return POLICY.split(f"\n{name}\n", 1)[1].split(f"\n{following}\n", 1)[0]


def test_r7_annex2_years_have_23_6_3_3_schools():
    by_year = {}
    for school in SCHOOLS:
        if school["annex2_year"]:
            by_year.setdefault(school["annex2_year"], []).append(school["name"])
    assert {year: len(names) for year, names in by_year.items()} == {
        2017: 23,
        2018: 6,
        2019: 3,
        2020: 3,
    }


def test_r7_each_annex2_school_sits_under_its_year_in_the_text():
    annex2 = _annex("附件 2", "附件 3")
    sections = re.split(r"[一二三四]、(\d{4}) 年诊改工作安排", annex2)
    listed = {}
    for year, body in zip(sections[1::2], sections[2::2], strict=True):
        for line in body.split("\n"):
            if line.strip():
                listed[line.strip()] = int(year)
    fixture = {s["name"]: s["annex2_year"] for s in SCHOOLS if s["annex2_year"]}
    assert fixture == listed


def test_annex4_colleges_are_included_and_secondary_schools_are_not():
    annex4 = POLICY.split("\n附件 4\n", 1)[1]
    named = set(re.findall(r"[（(、]([^（）()、]*?(?:职业技术学院|职业学院|职业大学))", annex4))
    fixture_names = {s["name"] for s in SCHOOLS}
    assert named <= fixture_names
    assert "黎明职业大学" in fixture_names
    for name in fixture_names:
        assert not name.endswith(("学校", "中专", "中心")) or name.endswith("高等专科学校")
        assert name in POLICY


def test_r6_schools_outside_annex2_are_recorded_as_evaluated():
    for school in SCHOOLS:
        expected = "not_yet" if school["annex2_year"] else "evaluated"
        assert school["second_round_status"] == expected, school["name"]


@pytest.mark.django_db
def test_r6_evaluated_school_files_instead_of_being_rechecked(seeded):
    assert School.objects.get(name="福州职业技术学院").files_self_diagnosis
    assert not School.objects.get(name="厦门海洋职业技术学院").files_self_diagnosis
    school = School.objects.get(name="厦门海洋职业技术学院")
    school.second_round_status = SecondRoundStatus.EVALUATED
    school.second_round_year = 2021
    assert not school.files_self_diagnosis  # evaluated after 2020: no R6 exemption


@pytest.mark.django_db
def test_schools_fixture_loads_all_43_once(seeded):
    from django.core.management import call_command

    assert School.objects.count() == len(SCHOOLS) == 43
    call_command("load_fixtures", verbosity=0)
    assert School.objects.count() == 43


PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|0\d{2,3}-\d{7,8}")


def test_r22_no_phone_numbers_in_any_fixture_or_the_shipped_policy_text():
    for path in fixtures.FIXTURES_DIR.rglob("*"):
        if path.is_file():
            assert not PHONE.search(path.read_text(encoding="utf-8")), path
    assert "从略" in POLICY  # the contact lines were replaced, not silently dropped
