"""Every page carries a Content-Security-Policy with no inline script or style allowed, and no
template holds an inline script, event handler or style attribute (PDF templates excepted:
WeasyPrint reads them, no browser does)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.I)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/column/", "/accounts/login/", "/indicators/"])
def test_pages_send_a_strict_policy(client, seeded, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy


def test_templates_have_no_inline_script_handler_or_style():
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "templates").rglob("*.html")
        if not path.name.endswith("_pdf.html")
        for match in INLINE.finditer(path.read_text())
    ]
    assert offenders == []
