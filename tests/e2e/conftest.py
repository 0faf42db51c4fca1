"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""

import os

import pytest

from zhengai.browser import CHROMIUM, launch_chromium

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test's own
# fixtures are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _two_factor_not_under_test(settings):
    """Journeys that are not about signing in skip the staff second factor (a documented
    test-only switch); test_accounts_journey.py turns it back on and signs in with TOTP."""
    settings.TWO_FACTOR_REQUIRED = False


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: run `make test` (it installs Debian's chromium)")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    yield page
    context.close()
