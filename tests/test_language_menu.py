"""The language menu names each language in itself, whichever language the page is in."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_language_menu_names_each_language_in_itself(client, language):
    client.cookies["django_language"] = language
    html = client.get("/accounts/login/").content.decode()
    options = re.findall(r'<option value="([^"]+)" lang="[^"]+"[^>]*>([^<]+)</option>', html)
    assert options == [("zh-hans", "简体中文"), ("en", "English")]
    assert "英语" not in html
