"""The portal is Chinese only: its pages stay lang="zh-Hans" whatever the browser or the old
language cookie says, and its footer names each language in itself, English leading to the
column's English frame (the one part of the portal that is translated)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("cookie", [None, "en", "zh-hans", "xx"])
def test_portal_pages_are_chinese_whatever_the_cookie_or_browser_says(client, cookie):
    if cookie:
        client.cookies["django_language"] = cookie
    for url in ("/", "/accounts/login/", "/indicators/"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
        html = response.content.decode()
        assert '<html lang="zh-hans">' in html, url
        assert response["Content-Language"] == "zh-hans"
        assert "Skip to content" not in html and "跳到正文" in html


def test_the_footer_names_each_language_in_itself_and_english_is_the_column(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<span lang="zh-Hans" aria-current="true">简体中文</span>' in html
    assert '<a href="/en/column/" hreflang="en" lang="en">English</a>' in html
    assert "英语" not in html
    # No switch that would put an English frame around Chinese pages.
    assert 'name="language"' not in html and "/i18n/setlang/" not in html
