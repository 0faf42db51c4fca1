"""Median time to render a full 复核结论与复核报告 to PDF (target ≤ 1.0 s, like R5's).

Run as ``.venv/bin/python bench/bench_verdict_pdf.py [out.pdf]``. No database: the verdict is
built in memory by ``review.exporters.samples.verdict_report_sample`` (15 elements, every
school opinion at its 500-character limit).
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengai.settings")

import django  # noqa: E402

django.setup()

from review.exporters.samples import verdict_report_sample  # noqa: E402
from review.exporters.verdict_pdf import render_verdict_pdf  # noqa: E402

RUNS = 7
TARGET_SECONDS = 1.0


def page_count(pdf: bytes) -> int:
    """Pages in ``pdf``, read back with pypdf."""
    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


def main() -> int:
    """Render once to warm up, then time RUNS renders and print the median."""
    # WeasyPrint logs every layout step at INFO; the portal's root logger would print them all.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    report = verdict_report_sample()

    start = time.perf_counter()
    _, _, pdf = render_verdict_pdf(report)  # warm-up: font configuration, templates
    first = time.perf_counter() - start

    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        render_verdict_pdf(report)
        timings.append(time.perf_counter() - start)

    median = statistics.median(timings)
    print(
        f"verdict PDF ({page_count(pdf)} pages, {len(pdf) // 1024} KB): "
        f"median {median:.2f} s, min {min(timings):.2f} s, max {max(timings):.2f} s "
        f"over {RUNS} runs (first render {first:.2f} s)"
    )
    verdict = "met" if median <= TARGET_SECONDS else "NOT MET"
    print(f"target: median ≤ {TARGET_SECONDS:.1f} s: {verdict}")
    if len(sys.argv) > 1:  # a path: keep the PDF to look at, e.g. with pdftoppm
        Path(sys.argv[1]).write_bytes(pdf)
    # Informational like the other benches: a busy machine must not fail `make bench`.
    return 0


if __name__ == "__main__":
    sys.exit(main())
