"""Reading generated PDFs back with poppler, shared by the report and verdict PDF tests.

``pdftotext -raw`` keeps the drawing order, which is the document's order; it breaks lines
where the PDF does, so texts are compared with all whitespace removed from both sides.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

A4_POINTS = (595.28, 841.89)
# The page body (pdftotext's crop box, in points): A4 less the running header and footer.
BODY_CROP = ["-x", "0", "-y", "60", "-W", "596", "-H", "725"]


@pytest.fixture
def poppler():
    """A missing reader must fail, not skip: reading the PDF back is the point of the tests."""
    if not (shutil.which("pdftotext") and shutil.which("pdffonts")):
        pytest.fail("poppler-utils is missing: run `make test` (it installs it)")


def squash(text: str) -> str:
    """``text`` without any whitespace (pdftotext adds line breaks and spaces)."""
    return re.sub(r"\s+", "", text)


def pdftotext(pdf: bytes, *args: str) -> str:
    """The PDF's text in drawing order (``-raw``), one page per form feed."""
    result = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", *args, "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


def body_of(pdf: bytes) -> str:
    """The PDF's text without running headers and footers, whitespace removed."""
    return squash(pdftotext(pdf, *BODY_CROP))


def page_count(pdf: bytes) -> int:
    """Pages in ``pdf``."""
    return len(PdfReader(io.BytesIO(pdf)).pages)
