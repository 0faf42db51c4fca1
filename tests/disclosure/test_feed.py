"""The column's Atom feed, read by a real feed parser; and the page that explains it (R18)."""

import feedparser
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from review.models import MaterialKind
from review.services import materials
from tests.uploads import tiny_pdf

pytestmark = pytest.mark.django_db


def _publish_all(recheck, user):
    for kind in MaterialKind:
        materials.upload_material(
            recheck=recheck, kind=kind, user=user,
            upload=SimpleUploadedFile(f"材料{kind.value}.pdf", tiny_pdf(f"材料{kind.value}")),
        )  # fmt: skip
    materials.publish_materials(recheck=recheck, user=user)


def test_r18_feed_entries_have_unique_ids_dates_and_links(client, alice, recheck_a, seeded):
    _publish_all(recheck_a, alice)
    response = client.get("/column/feed.atom")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    materials = [e for e in feed.entries if "公示复核材料" in e.title]
    assert len(materials) == len(MaterialKind)  # eight files, eight entries
    ids = [e.id for e in feed.entries]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("tag:") for i in ids)
    for entry in feed.entries:
        assert entry.published_parsed and entry.updated_parsed
        assert entry.link.startswith("http://testserver/column/")
    links = {e.link for e in materials}
    assert len(links) == len(materials)  # each to its own file on the school's page
    page = client.get(f"/column/schools/{recheck_a.school_id}/").content.decode()
    for link in links:
        assert f'id="{link.rsplit("#", 1)[1]}"' in page


def test_subscribe_link_leads_to_a_page_with_the_feed_address(client, seeded):
    home = client.get("/column/").content.decode()
    assert 'href="/column/subscribe/"' in home and ">订阅<" in home
    html = client.get("/column/subscribe/").content.decode()
    assert "订阅地址" in html and 'value="http://testserver/column/feed.atom"' in html
    assert "<feed" not in html
