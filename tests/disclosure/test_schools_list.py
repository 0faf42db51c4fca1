"""The column's school list: pinyin order, city filter, each school's status (R7, R18)."""

import re

import pytest

from disclosure.selectors import pinyin_key

pytestmark = pytest.mark.django_db


def _names(html: str) -> list[str]:
    return re.findall(r'<td class="primary"><a href="/column/schools/\d+/"[^>]*>([^<]+)</a>', html)


def test_pinyin_key_puts_xia_after_san():
    assert sorted(
        ["厦门海洋职业技术学院", "宁德职业技术学院", "三明职业技术学院"], key=pinyin_key
    ) == [
        "宁德职业技术学院",
        "三明职业技术学院",
        "厦门海洋职业技术学院",
    ]


def test_r18_schools_are_listed_in_pinyin_order(client, seeded):
    names = _names(client.get("/column/schools/").content.decode())
    assert len(names) > 30
    assert names == sorted(names, key=pinyin_key)
    assert names.index("三明职业技术学院") < names.index("厦门海洋职业技术学院")
    assert names.index("宁德职业技术学院") < names.index("三明职业技术学院")


def test_city_filter_links_and_status_columns(client, seeded):
    html = client.get("/column/schools/").content.decode()
    assert 'href="?city=xiamen"' in html
    html = client.get("/column/schools/?city=xiamen").content.decode()
    names = _names(html)
    assert names and all(name.startswith("厦门") for name in names)
    assert "复核材料" in html and "复核日期" in html and "复核结论" in html
    assert "附件2计划 2017 年诊改" in html  # the old plan, not "待定"


def test_r7_schedule_shows_the_2017_2020_plan_by_year_not_as_pending(client, seeded):
    html = client.get("/column/schedule/").content.decode()
    assert "待定" not in html
    plan = html.split('id="plan-2017-2020"', 1)[1]
    for year, count in [(2017, 23), (2018, 6), (2019, 3), (2020, 3)]:
        assert f'id="plan-{year}">{year} 年（{count} 所）' in plan
    table = html.split('id="plan-2017-2020"', 1)[0]
    assert "2017—2020 年诊改工作计划（附件2）" not in table
