"""The deployed code's digest (``zhengai.release``), which every stored page's key carries:
a changed template, module or translation gives another digest, so a deploy never serves
markup the previous release stored."""

from __future__ import annotations

import pytest

from zhengai import release


@pytest.fixture
def tree(tmp_path, settings):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("<p>旧</p>", encoding="utf-8")
    (tmp_path / "locale").mkdir()
    settings.BASE_DIR = tmp_path
    release.release.cache_clear()
    yield tmp_path
    release.release.cache_clear()


def test_a_changed_template_changes_the_release(tree):
    before = release.release()
    assert release.release() == before  # read once a process
    (tree / "templates" / "page.html").write_text("<p>新</p>", encoding="utf-8")
    release.release.cache_clear()
    assert release.release() != before


def test_a_new_translation_changes_the_release(tree):
    before = release.release()
    (tree / "locale" / "django.po").write_text('msgid "a"\nmsgstr "b"\n', encoding="utf-8")
    release.release.cache_clear()
    assert release.release() != before
