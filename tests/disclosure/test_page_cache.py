"""Public pages kept rendered on the server (issue 16): never stale, never personal.

With REDIS_URL set (as the CI sets it) the cache is a real Redis; one test runs the embedded
default (local memory, the stamp in a file). A page read twice in a row is served the second
time without a query; a change that commits makes every page showing it fresh again.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from disclosure import services
from disclosure.models import DocumentKind
from indicators.models import IndicatorSystem
from review.models import ConsolidationState, MaterialKind
from review.services import publication
from tests.conftest import school_checks_the_draft
from tests.disclosure.test_public import _publish_all, _scored
from zhengai import pagecache

pytestmark = pytest.mark.django_db


def _get(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    return response, len(queries)


def _served_from_cache(client, url) -> bool:
    return _get(client, url)[1] == 0


def _published(recheck, experts, province):
    _scored(recheck, experts, province, "个人意见")
    consolidation = recheck.consolidation
    consolidation.submitted_at = consolidation.modified
    consolidation.state = ConsolidationState.SUBMITTED  # as the lead's submission leaves it
    consolidation.save()
    school_checks_the_draft(recheck, province)
    return publication.publish_verdict(recheck=recheck, user=province)


def _new_version_in_force() -> IndicatorSystem:
    IndicatorSystem.objects.filter(in_force=True).update(in_force=False)
    return IndicatorSystem.objects.create(
        version="next", name="新版指标", title="新版指标体系", in_force=True
    )


def test_a_public_page_is_served_from_the_cache_the_second_time(seeded):
    anonymous = Client()
    first, queries = _get(anonymous, "/column/")
    assert first.status_code == 200 and queries > 0
    again, queries = _get(anonymous, "/column/")
    assert queries == 0 and again.content == first.content
    assert again["ETag"] == first["ETag"] and again["Last-Modified"]
    assert "public" in again["Cache-Control"] and "no-cache" in again["Cache-Control"]
    assert "Cookie" not in again.get("Vary", "") and not again.cookies


@pytest.mark.parametrize(
    "url", ["/column/", "/column/documents/", "/column/feed.atom", "/indicators.json"]
)
def test_conditional_requests_get_304_until_something_changes(seeded, province, url):
    anonymous = Client()
    first = anonymous.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert anonymous.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert anonymous.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert anonymous.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    doc = services.save_document(
        user=province, kind=DocumentKind.NOTICE, slug="new-notice", title="新通知", body="内容"
    )
    services.set_published(document=doc, user=province, published=True)
    _new_version_in_force()
    changed = anonymous.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_published_verdict_shows_at_once_on_every_page_that_shows_it(
    recheck_a, panel_of_three, province
):
    anonymous = Client()
    school_page = f"/column/schools/{recheck_a.school_id}/"
    pages = ["/column/", school_page, "/column/feed.atom"]
    for url in pages:
        anonymous.get(url)
        assert _served_from_cache(anonymous, url)
    record = _published(recheck_a, panel_of_three, province)
    name = recheck_a.school.name
    for url in pages:
        html = anonymous.get(url).content.decode()
        assert f"/column/verdicts/{record.pk}/" in html, url
    assert name in anonymous.get(f"/column/verdicts/{record.pk}/").content.decode()
    assert _served_from_cache(anonymous, f"/column/verdicts/{record.pk}/")


def test_a_correction_replaces_the_verdict_on_the_cached_pages(recheck_a, panel_of_three, province):
    anonymous = Client()
    record = _published(recheck_a, panel_of_three, province)
    verdict_page = f"/column/verdicts/{record.pk}/"
    for url in ["/column/", verdict_page, "/column/feed.atom"]:
        anonymous.get(url)
        assert _served_from_cache(anonymous, url)
    correction = publication.correct_verdict(
        record=record, user=province, reason="合议结果录入有误", matched=3, measures_rating="weak"
    )
    home = anonymous.get("/column/").content.decode()
    assert f"/column/verdicts/{correction.pk}/" in home
    assert f"/column/verdicts/{record.pk}/" not in home
    assert (
        "合议结果录入有误" in anonymous.get(f"/column/verdicts/{correction.pk}/").content.decode()
    )
    feed = anonymous.get("/column/feed.atom").content.decode()
    assert f"verdict/{correction.pk}" in feed


def test_a_withdrawn_file_leaves_the_cached_pages_at_once(alice, province, recheck_a):
    _publish_all(recheck_a, alice)
    material = recheck_a.materials.get(kind=MaterialKind.PLANS)
    anonymous = Client()
    school_page = f"/column/schools/{recheck_a.school_id}/"
    for url in ["/column/", school_page, "/column/feed.atom"]:
        assert material.token in anonymous.get(url).content.decode() or url != school_page
        assert _served_from_cache(anonymous, url)
    assert f"material/{material.pk}" in anonymous.get("/column/feed.atom").content.decode()
    services.withdraw_material(material=material, user=province, reason="含个人信息，待处理")
    html = anonymous.get(school_page).content.decode()
    assert "含个人信息，待处理" in html and f"/column/files/{material.token}/" not in html
    assert f"material/{material.pk}" not in anonymous.get("/column/feed.atom").content.decode()
    assert f"/column/files/{material.token}/" not in anonymous.get("/column/").content.decode()
    assert anonymous.get(f"/column/files/{material.token}/").status_code == 404


def test_an_unpublished_document_is_gone_from_the_cached_list(seeded, province):
    doc = services.save_document(
        user=province, kind=DocumentKind.NOTICE, slug="notice-x", title="某通知X", body="内容"
    )
    services.set_published(document=doc, user=province, published=True)
    anonymous = Client()
    assert "某通知X" in anonymous.get("/column/documents/").content.decode()
    assert anonymous.get("/column/documents/notice-x/").status_code == 200
    assert _served_from_cache(anonymous, "/column/documents/notice-x/")
    services.set_published(document=doc, user=province, published=False)
    assert "某通知X" not in anonymous.get("/column/documents/").content.decode()
    assert anonymous.get("/column/documents/notice-x/").status_code == 404


def test_a_new_indicator_version_in_force_changes_the_cached_tree(seeded):
    anonymous = Client()
    before = anonymous.get("/indicators.json").json()
    anonymous.get("/indicators/")
    assert _served_from_cache(anonymous, "/indicators.json")
    assert _served_from_cache(anonymous, "/indicators/")
    other = _new_version_in_force()
    after = anonymous.get("/indicators.json").json()
    assert after != before
    assert other.name in anonymous.get("/indicators/").content.decode()


def test_a_signed_in_person_never_gets_nor_stores_a_cached_page(client, province, seeded):
    client.force_login(province)
    for url in ["/column/", "/indicators/", "/indicators.json"]:
        _, queries = _get(client, url)
        _, again = _get(client, url)
        assert queries > 0 and again > 0, url  # rendered each time for them
    for url in ["/column/", "/indicators.json"]:
        assert not _served_from_cache(Client(), url)  # nothing stored by their visits
    html = client.get("/indicators/").content.decode()
    assert str(province) in html  # their own layout, with their name
    anonymous = Client()
    first = anonymous.get("/indicators/").content.decode()
    assert str(province) not in first and "退出" not in first
    client.get("/indicators/")
    assert str(province) not in anonymous.get("/indicators/").content.decode()


def test_the_cached_tree_holds_no_form_and_is_the_same_for_every_visitor(seeded):
    """The portal's frame has no language switch (the portal is Chinese only), so the stored
    tree carries no CSRF token to share: one public copy, whatever the language cookie."""
    one, two = Client(), Client()
    two.cookies["django_language"] = "en"
    page_one = one.get("/indicators/")
    page_two = two.get("/indicators/")
    assert _served_from_cache(two, "/indicators/")
    assert "csrfmiddlewaretoken" not in page_one.content.decode()
    assert page_one.content == page_two.content
    assert '<html lang="zh-hans">' in page_two.content.decode()
    assert "public" in page_two["Cache-Control"]


def test_pages_with_other_query_parameters_are_not_stored(seeded):
    anonymous = Client()
    anonymous.get("/column/?utm=x")
    assert not _served_from_cache(anonymous, "/column/?utm=x")


def test_changes_move_the_stamp_on_once_more_at_commit(
    seeded, province, django_capture_on_commit_callbacks
):
    """A page rendered before the commit (from the old rows) is a miss after it."""
    with django_capture_on_commit_callbacks() as callbacks:
        for slug in ("a-1", "a-2"):
            services.save_document(
                user=province, kind=DocumentKind.NOTICE, slug=slug, title=slug, body="x"
            )
    # Once per transaction, however many rows changed (the test's own transaction may hold
    # it from the fixtures already).
    assert [c for c in connection.run_on_commit if c[1] is pagecache.bump] != []
    assert len([c for c in connection.run_on_commit if c[1] is pagecache.bump]) == 1
    assert callbacks.count(pagecache.bump) <= 1


def test_the_embedded_default_keeps_pages_in_local_memory(settings, tmp_path, seeded, province):
    settings.REDIS_URL = None
    settings.VAR_DIR = tmp_path
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    anonymous = Client()
    anonymous.get("/column/documents/")
    assert _served_from_cache(anonymous, "/column/documents/")
    assert (tmp_path / "public-pages.stamp").exists()
    doc = services.save_document(
        user=province, kind=DocumentKind.NOTICE, slug="local", title="本地通知", body="x"
    )
    services.set_published(document=doc, user=province, published=True)
    assert "本地通知" in anonymous.get("/column/documents/").content.decode()
