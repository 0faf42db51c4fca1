"""axe-core in the browser tests: every page a journey visits must pass WCAG 2.0/2.1 A and AA.

axe-core comes from the npm registry (package.json / package-lock.json at the repository root,
installed into node_modules/ by `make install` / `make test`); no CDN.

The script is run with `page.evaluate` (the DevTools protocol's Runtime.evaluate), not as a
<script> tag: the portal's Content-Security-Policy would block an injected inline script, and an
evaluated one is exempt, so the check needs no `bypass_csp` and sees the page exactly as a
visitor's browser does.

`A11yCheckedPage` wraps a Playwright page so that each new document is checked before the test's
next step on that page (and the last one when the test ends): the journeys need no explicit
calls. `check_a11y(page)` checks the current document on demand.
"""

from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN_AXE = """async tags => {
    const results = await axe.run(document, {
        runOnly: {type: 'tag', values: tags},
        resultTypes: ['violations'],
    });
    return results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
    }));
}"""

_source = None


class AccessibilityViolation(AssertionError):
    """axe-core found WCAG 2.0/2.1 A or AA violations on a page."""


def _axe_source():
    global _source
    if _source is None:
        if not AXE_JS.exists():
            raise AssertionError(
                f"{AXE_JS} is missing: run `make install` (it runs `npm ci` for axe-core)"
            )
        # A trailing statement, so the evaluation's value is plain `undefined`.
        _source = AXE_JS.read_text(encoding="utf-8") + "\n;undefined;"
    return _source


def axe_violations(page):
    """Run axe-core on the page's current document; return its violations as plain dicts."""
    if not page.evaluate("typeof window.axe === 'object' && typeof axe.run === 'function'"):
        page.evaluate(_axe_source())
    return page.evaluate(_RUN_AXE, WCAG_TAGS)


def format_violations(url, violations):
    lines = [f"axe-core: {len(violations)} WCAG 2.1 A/AA violation(s) on {url}"]
    for v in violations:
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    at {' '.join(node['target'])}")
            lines.append(f"       {node['html'][:300]}")
            if node.get("summary"):
                lines.extend(f"       {line}" for line in node["summary"].splitlines())
    return "\n".join(lines)


def check_a11y(page):
    """Assert the page's current document has no WCAG 2.0/2.1 A/AA violations (axe-core)."""
    violations = axe_violations(page)
    if violations:
        report = format_violations(page.url, violations)
        print(report)
        raise AccessibilityViolation(report)


class A11yCheckedPage:
    """A Playwright page that runs `check_a11y` on each new document it shows.

    Before any use of the page (a method, a property) and after each of its methods returns,
    the current document is checked unless it already was (a mark left in the document says
    so). Navigations still in flight are waited for first, so a page opened by a click is
    checked before the next step. `finish()` checks the last document at the end of a test.
    """

    def __init__(self, page):
        object.__setattr__(self, "_page", page)
        object.__setattr__(self, "checked_urls", [])
        object.__setattr__(self, "_pending", set())
        object.__setattr__(self, "_busy", False)
        pending = self._pending

        def started(request):
            if request.is_navigation_request() and request.frame.parent_frame is None:
                pending.add(request)

        page.on("request", started)
        page.on("requestfinished", lambda request: pending.discard(request))
        page.on("requestfailed", lambda request: pending.discard(request))
        page.on("download", lambda download: pending.clear())

    def _settle(self):
        page = self._page
        for _ in range(200):  # up to ~10 s for a navigation in flight to be answered
            if not self._pending:
                break
            page.wait_for_timeout(50)
        page.wait_for_load_state("load")

    def check_pending(self):
        """Check the current document if it has not been checked yet."""
        page = self._page
        if self._busy or page.is_closed() or not page.url.startswith("http"):
            return
        object.__setattr__(self, "_busy", True)
        try:
            for _ in range(3):
                self._settle()
                try:
                    if page.evaluate("window.__a11yChecked === true"):
                        return
                    check_a11y(page)
                    page.evaluate("window.__a11yChecked = true")
                except AccessibilityViolation:
                    raise
                except Exception as error:  # the document went away mid-check: try again
                    if "context was destroyed" not in str(error) and "navigat" not in str(error):
                        raise
                    continue
                self.checked_urls.append(page.url)
                return
        finally:
            object.__setattr__(self, "_busy", False)

    finish = check_pending

    def __getattr__(self, name):
        self.check_pending()
        value = getattr(self._page, name)
        if not callable(value) or name.startswith(("expect_", "on", "once", "remove_listener")):
            return value

        def checked(*args, **kwargs):
            result = value(*args, **kwargs)
            self.check_pending()
            return result

        return checked

    def __setattr__(self, name, value):
        setattr(self._page, name, value)
