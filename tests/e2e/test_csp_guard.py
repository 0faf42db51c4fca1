"""The browser fixtures fail a test on any Content-Security-Policy violation."""

import pytest

from tests.e2e.conftest import _fail_on_violations, _watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_inline_handler_on_a_portal_page_is_caught(browser, live_server):
    context = browser.new_context()
    violations = _watch_csp(context)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    # What a template with an inline style attribute and event handler would do.
    page.evaluate(
        """() => { document.body.insertAdjacentHTML(
            "beforeend", '<img src="/x.png" onerror="window.ran=1">'); }"""
    )
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.ran") is None  # the policy blocked it
    context.close()
    assert any("script-src" in v for v in violations), violations
    with pytest.raises(pytest.fail.Exception):
        _fail_on_violations(violations)


def test_the_portal_pages_pass_the_policy(page, live_server, seeded):
    for path in ("/", "/column/", "/accounts/login/", "/indicators/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
    # A picker that submits on change (formerly an inline onchange) does so through static JS.
    from indicators.models import IndicatorSystem

    IndicatorSystem.objects.create(version="next", name="新版", title="新版", in_force=False)
    page.goto(f"{live_server.url}/indicators/")
    with page.expect_navigation():
        page.select_option("select[name=version]", "next")
    assert page.url.endswith("/indicators/?version=next")
