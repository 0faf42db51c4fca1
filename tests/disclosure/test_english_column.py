"""The column's English frame: every label of the column in English at /en/column/…, the
Chinese data marked lang="zh-Hans", each language named in itself, and the address (never a
cookie) deciding the language, so a cached page is one language for everyone."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import translation

from disclosure.labels import LABELED_CHOICES
from tests.conftest import score_and_publish

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


class ChineseOutsideZh(HTMLParser):
    """Collects text (and labelling attributes) in Chinese not inside an element marked
    lang="zh-Hans": in the English frame those are untranslated labels."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.leaks: list[str] = []

    def _in_chinese(self) -> bool:
        for lang in reversed(self.stack):
            if lang:
                return lang.lower().startswith("zh")
        return False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = attrs.get("lang", "")
        chinese = (lang or "").lower().startswith("zh") or (not lang and self._in_chinese())
        if not chinese:
            for name in ("aria-label", "placeholder", "title", "data-label"):
                value = attrs.get(name) or ""
                if CJK.search(value):
                    self.leaks.append(f"{tag}[{name}]={value}")
        if tag not in VOID:
            self.stack.append(lang or "")

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        # A <title> cannot mark its parts: a school's or document's name may stand in it.
        if self.lasttag == "title":
            return
        if CJK.search(data) and not self._in_chinese():
            self.leaks.append(data.strip())


def leaks(html: str) -> list[str]:
    parser = ChineseOutsideZh()
    parser.feed(html)
    # The brand mark is one decorative character, hidden from screen readers.
    return [text for text in parser.leaks if text != "诊"]


@pytest.fixture
def column_with_everything(recheck_a, panel_of_three, province, alice):
    """A school with disclosed materials and a published verdict, and the policy text."""
    from tests.disclosure.test_public import _publish_all

    _publish_all(recheck_a, alice)
    record = score_and_publish(recheck_a, panel_of_three, province, matched=13, rating="strong")
    return record


def test_every_column_page_has_english_labels_and_marks_its_chinese_data(column_with_everything):
    record = column_with_everything
    visitor = Client()
    pages = [
        "/en/column/",
        "/en/column/documents/",
        "/en/column/documents/fujian-zhengai-plan/",
        "/en/column/schedule/",
        "/en/column/schools/",
        f"/en/column/schools/{record.school_id}/",
        f"/en/column/verdicts/{record.pk}/",
        "/en/column/subscribe/",
    ]
    untranslated = {}
    for url in pages:
        response = visitor.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="en">' in html, url
        assert response["Content-Language"] == "en"
        if leaks(html):
            untranslated[url] = leaks(html)
    assert not untranslated, "\n".join(f"{url}: {texts}" for url, texts in untranslated.items())
    home = visitor.get("/en/column/").content.decode()
    assert "Latest verdicts" in home and "Policy documents" in home
    schools = visitor.get("/en/column/schools/").content.decode()
    assert "Xiamen" in schools and "厦门" not in schools.split("<main")[1].split("</form>")[0]


def test_the_chinese_pages_stay_chinese_whatever_the_cookie_says(column_with_everything):
    visitor = Client()
    visitor.cookies["django_language"] = "en"
    html = visitor.get("/column/").content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "最新复核结论" in html and "Latest verdicts" not in html
    # …and so do the portal's own pages (not translated: no English frame around them).
    portal = visitor.get("/indicators/")
    assert portal.status_code == 200
    assert '<html lang="zh-hans">' in portal.content.decode()


def test_english_links_to_the_chinese_only_portal_say_so(column_with_everything):
    """The indicator tree and the staff login are portal pages (Chinese only): hreflang says
    so in the English frame."""
    english = Client().get("/en/column/").content.decode()
    assert '<a href="/indicators/" hreflang="zh-Hans">' in english
    assert '<a href="/accounts/login/" hreflang="zh-Hans">' in english
    chinese = Client().get("/column/").content.decode()
    assert '<a href="/indicators/">' in chinese  # a Chinese page needs no hreflang to say so


def test_each_language_is_named_in_itself_and_links_the_same_page(column_with_everything):
    html = Client().get("/column/schools/?city=xiamen").content.decode()
    assert '<a href="/en/column/schools/?city=xiamen" hreflang="en" lang="en">English</a>' in html
    assert '<span lang="zh-Hans" aria-current="true">简体中文</span>' in html
    english = Client().get("/en/column/schools/?city=xiamen").content.decode()
    assert (
        '<a href="/column/schools/?city=xiamen" hreflang="zh-Hans" lang="zh-Hans">简体中文</a>'
        in english
    )


def test_links_inside_the_english_column_stay_english_and_the_feed_has_one_address(
    column_with_everything,
):
    html = Client().get("/en/column/").content.decode()
    assert 'href="/en/column/schools/"' in html and 'href="/en/column/documents/"' in html
    assert 'href="/column/feed.atom"' in html and "/en/column/feed.atom" not in html
    subscribe = Client().get("/en/column/subscribe/").content.decode()
    assert "http://testserver/column/feed.atom" in subscribe


def test_every_data_label_the_column_shows_has_an_english_name():
    with translation.override("en"):
        for choices in LABELED_CHOICES:
            for label in choices.labels:
                assert not CJK.search(translation.gettext(label)), (choices.__name__, label)
