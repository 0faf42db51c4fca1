"""Accessibility: axe-core catches a violation; a school works by keyboard alone; the committee's
pages and the English frame pass too (GB/T 37668-2019, WCAG 2.1 AA)."""

import pytest

from review.models import ReportStatus, SelfDiagnosis
from tests.conftest import PASSWORD
from tests.e2e.a11y import A11yCheckedPage, AccessibilityViolation, check_a11y

pytestmark = [pytest.mark.browser, pytest.mark.a11y, pytest.mark.django_db(transaction=True)]

# A strict Content-Security-Policy, as the portal's: axe must still run (page.evaluate).
PAGE = """<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'">
<title>测试</title></head><body><main><h1>测试</h1>{field}</main></body></html>"""
UNLABELED = '<input type="text" name="q" id="q">'
LABELED = '<label for="q">关键词</label><input type="text" name="q" id="q">'


def test_axe_reports_an_unlabeled_input(browser, capsys):
    context = browser.new_context()
    page = context.new_page()
    page.set_content(PAGE.format(field=LABELED))
    check_a11y(page)  # the labelled field passes
    page.set_content(PAGE.format(field=UNLABELED))
    with pytest.raises(AccessibilityViolation) as error:
        check_a11y(page)
    assert "- label [critical]" in str(error.value)
    assert 'at #q\n       <input type="text" name="q" id="q">' in str(error.value)
    assert "- label [critical]" in capsys.readouterr().out
    context.close()


def test_every_page_a_journey_shows_is_checked_without_being_asked(browser):
    context = browser.new_context()
    served = {"/good": LABELED, "/bad": UNLABELED}
    context.route(
        "http://a11y.test/**",
        lambda route: route.fulfill(
            content_type="text/html; charset=utf-8",
            body=PAGE.format(field=served[route.request.url.removeprefix("http://a11y.test")]),
        ),
    )
    page = A11yCheckedPage(context.new_page())
    page.goto("http://a11y.test/good")
    assert page.checked_urls == ["http://a11y.test/good"]
    with pytest.raises(AccessibilityViolation, match="label"):
        page.goto("http://a11y.test/bad")  # checked as soon as the page is shown
    context.close()


def _focus_is_visible(page):
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body || !el.matches(':focus, :focus-within')) return false;
            const style = getComputedStyle(el);
            const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
            return outline || style.boxShadow !== 'none';
        }"""
    )


def _tab_to(page, selector, limit=150):
    """Press Tab until `selector` (CSS) has focus; every stop on the way shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert _focus_is_visible(page), page.evaluate("document.activeElement.outerHTML")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached by Tab")


@pytest.fixture
def report_missing_one_element(report_a, alice):
    """School A's report complete but for element 1.1's opinion: one element to write."""
    from review.services import self_diagnosis as service
    from review.services.self_diagnosis import TextEdit
    from tests.conftest import panel_members

    entries = {
        e.element.code: TextEdit(
            values={
                "opinion": "" if e.element.code == "1.1" else f"{e.element.code}目标基本达成。",
                "measures": "完善数据平台。",
                "effects": "已实施，见效。",
            },
            revision=e.revision,
        )
        for e in report_a.entries.select_related("element")
    }
    overview = TextEdit(values={"overview": "本年度诊改工作概述。"}, revision=report_a.revision)
    service.save_draft(self_diagnosis=report_a, user=alice, overview=overview, entries=entries)
    service.save_panel(self_diagnosis=report_a, user=alice, members=panel_members())
    assert service.submission_problems(report_a)  # only 1.1 is missing
    return report_a


def test_a_school_writes_saves_and_reaches_submission_by_keyboard_alone(
    page, live_server, report_missing_one_element
):
    report = report_missing_one_element
    page.goto(f"{live_server.url}/")

    # The first Tab stop is the skip link; Enter moves focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    _tab_to(page, "main a[href^='/accounts/login/']")
    page.keyboard.press("Enter")
    page.wait_for_selector("#id_username:focus")  # the login form starts in its first field
    page.keyboard.type("alice")
    _tab_to(page, "#id_password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector(".role-badge")

    _tab_to(page, "nav.site-nav a[href='/self-diagnosis/']")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('自我诊断')")
    _tab_to(page, f"main a[href='/self-diagnosis/{report.pk}/']")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('2026 年自我诊断与改进报告')")

    # The one element left: write its opinion and save.
    _tab_to(page, "[id='e1.1-opinion']")
    page.keyboard.type("键盘填写：目标基本达成。存在问题：数据应用不足。")
    _tab_to(page, ".save-button")
    page.keyboard.press("Enter")
    page.wait_for_selector(".messages:has-text('草稿已保存')")
    assert (
        SelfDiagnosis.objects.get().entries.get(element__code="1.1").opinion.startswith("键盘填写")
    )

    # Sign and submit: the portal asks for confirmation first (a step that cannot be undone).
    _tab_to(page, "#id_principal_name")
    page.keyboard.type("陈明远")
    _tab_to(page, "#id_signed_on")
    _tab_to(page, ".submit-button")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('确认提交2026 年自我诊断与改进工作报告')")
    assert SelfDiagnosis.objects.get().status == ReportStatus.DRAFT  # nothing yet
    _tab_to(page, "main button[type=submit]")
    assert page.evaluate("document.activeElement.textContent.trim()") == "确认提交"
    page.keyboard.press("Enter")
    page.wait_for_selector(".messages:has-text('报告已提交')")
    assert SelfDiagnosis.objects.get().status == ReportStatus.SUBMITTED


def test_committee_pages_and_the_english_frame(page, live_server, report_a, committee):
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "committee")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".role-badge")
    for path in ("/self-diagnosis/", f"/self-diagnosis/{report_a.pk}/", "/cycles/", "/verdicts/"):
        page.goto(base + path)
        assert page.locator("h1").count() == 1
        # The portal is not translated: its pages say so (no English frame around Chinese).
        assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.goto(base + "/schools/")

    # The footer names each language in itself; English is the column's English frame.
    languages = page.locator("footer nav.languages li > :first-child")
    assert languages.evaluate_all("es => es.map(e => [e.lang, e.textContent])") == [
        ["zh-Hans", "简体中文"],
        ["en", "English"],
    ]
    page.click("footer nav.languages a[hreflang=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.url == f"{base}/en/column/"
    assert page.locator("a.skip").inner_text() == "Skip to content"
    assert page.locator("nav.languages a[hreflang=zh-Hans]").inner_text() == "简体中文"
