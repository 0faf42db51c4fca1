"""R1: the indicator system in the database, its page and its public JSON."""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import Element, Factor, IndicatorSystem, Point, Project
from zhengai import fixtures

pytestmark = pytest.mark.django_db


def _fixture() -> dict:
    return json.loads(fixtures.INDICATOR_FILES[0].read_text(encoding="utf-8"))


def _public_shape(data: dict) -> dict:
    """The fixture reduced to the documented /indicators.json shape."""
    return {
        "version": data["version"],
        "projects": [
            {
                "code": p["code"],
                "name": p["name"],
                "elements": [
                    {"code": e["code"], "name": e["name"], "points": e["points"]}
                    for e in p["elements"]
                ],
            }
            for p in data["projects"]
        ],
    }


def _snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (IndicatorSystem, Project, Element, Point, Factor)
    } | {"history": Factor.history.count()}


def test_r1_loaded_counts_are_5_15_37(seeded):
    system = IndicatorSystem.objects.get(in_force=True)
    assert Project.objects.filter(system=system).count() == 5
    assert Element.objects.filter(project__system=system).count() == 15
    assert Point.objects.filter(element__project__system=system).count() == 37
    assert Factor.objects.filter(point__element__project__system=system).count() == 80


def test_r1_loading_twice_changes_nothing(seeded):
    before = _snapshot()
    call_command("load_fixtures", verbosity=0)
    call_command("load_fixtures", verbosity=0)
    assert _snapshot() == before


def test_r1_reload_restores_an_edited_factor_in_place(seeded):
    factor = Factor.objects.get(point__name="质量保证规划", number=1)
    original = factor.text
    factor.text = "被误改的文字"
    factor.save()
    call_command("load_fixtures", verbosity=0)
    factor.refresh_from_db()
    assert factor.text == original


def test_r1_only_one_version_in_force(seeded):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorSystem.objects.create(version="other", name="试行", title="试行", in_force=True)


def test_r1_json_is_the_fixture_in_the_documented_shape(client, seeded):
    response = client.get("/indicators.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == _public_shape(_fixture())
    # Chinese is sent as Chinese, not \\u escapes.
    assert "体系总体构架" in response.content.decode("utf-8")


def test_r1_json_names_another_version_with_query(client, seeded):
    IndicatorSystem.objects.create(version="fujian-trial", name="试行版", title="试行版")
    assert client.get("/indicators.json?version=fujian-trial").json() == {
        "version": "fujian-trial",
        "projects": [],
    }
    assert client.get("/indicators.json?version=fujian-revised").json()["version"] == (
        "fujian-revised"
    )
    assert client.get("/indicators.json?version=nope").status_code == 404


def test_r1_json_query_count_does_not_grow_with_the_tree(client, seeded):
    with CaptureQueriesContext(connection) as queries:
        client.get("/indicators.json")
    assert len(queries) <= 6


def test_r1_tree_page_shows_everything_in_chinese_to_anyone(client, seeded):
    response = client.get("/indicators/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    for element in Element.objects.all():
        assert f"{element.code} {element.name}" in html
    for factor in Factor.objects.all():
        assert f"{factor.circled}{factor.text}" in html
    assert "3.4 / 4 / 5.1 / 5.2 / 6 / 7.4 / 7.5" in html
    assert "附件3写作“组织构架”" in html


def test_tree_page_stays_chinese_for_an_english_browser(client, seeded):
    html = client.get("/indicators/", HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    assert '<html lang="zh-hans">' in html


def test_the_tree_stays_chinese_whatever_the_language_cookie(client, seeded):
    """The portal is not translated: no English frame around the Chinese tree (its English
    counterpart is the column at /en/column/, which the footer links to)."""
    client.cookies["django_language"] = "en"
    html = client.get("/indicators/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "诊改指标体系" in html and '<a href="/en/column/" hreflang="en" lang="en">' in html


def test_r1_load_fixtures_never_changes_the_version_in_force(seeded):
    """Staff put another version in force; the next deploy's load_fixtures leaves it so."""
    revised = IndicatorSystem.objects.get(version="fujian-revised")
    IndicatorSystem.objects.update(in_force=False)
    other = IndicatorSystem.objects.create(version="next", name="新版", title="新版", in_force=True)
    call_command("load_fixtures", verbosity=0)
    assert IndicatorSystem.objects.get(in_force=True) == other
    revised.refresh_from_db()
    assert not revised.in_force
    assert Element.objects.filter(project__system=revised).count() == 15  # nothing removed


def test_r1_load_fixtures_adds_a_missing_version_without_putting_it_in_force(seeded):
    from indicators.services.loading import load_indicator_system

    data = _fixture() | {"version": "fujian-other", "in_force": True}
    system = load_indicator_system(data=data)
    assert not system.in_force
    assert IndicatorSystem.objects.get(in_force=True).version == "fujian-revised"
    assert Element.objects.filter(project__system=system).count() == 15
