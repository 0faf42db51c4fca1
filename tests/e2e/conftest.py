"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Every page the `page` and `phone` fixtures show is checked with axe-core (WCAG 2.0/2.1 A and
AA, see a11y.py): a test fails on any accessibility violation of a page it visits. Those tests
carry the `a11y` marker, so `pytest -m a11y` runs the accessibility check alone.
"""

import os

import pytest

from tests.e2e.a11y import A11yCheckedPage
from zhengai.browser import CHROMIUM, launch_chromium

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test's own
# fixtures are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if {"page", "phone"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.a11y)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.a11y_call_passed = report.passed
    return report


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


# Every page must pass the Content-Security-Policy: each violation is reported to the console
# (by Chromium, and by this listener with the directive and what was blocked).
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || e.documentURI}:${e.lineNumber}`);
});
"""


def _watch_csp(context):
    """Collect the context's CSP violations; the test fails at teardown if there are any."""
    violations = []
    context.add_init_script(_REPORT_CSP_VIOLATIONS)

    def on_console(message):
        text = message.text
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            violations.append(f"{message.page.url if message.page else ''}: {text}")

    context.on("console", on_console)
    return violations


def _fail_on_violations(violations):
    if violations:
        pytest.fail("Content-Security-Policy violated:\n" + "\n".join(violations))


def _checked(request, context):
    violations = _watch_csp(context)
    page = A11yCheckedPage(context.new_page())
    yield page
    if getattr(request.node, "a11y_call_passed", False):
        page.finish()  # the last page the test showed
        print("axe-core checked:", *page.checked_urls, sep="\n  ")
    context.close()
    _fail_on_violations(violations)


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield from _checked(request, context)


@pytest.fixture
def phone(browser, request):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    yield from _checked(request, context)
