"""Shared timing for the PDF benchmarks: warm up once, time several renders, print medians."""

from __future__ import annotations

import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengai.settings")

import django  # noqa: E402

django.setup()

RUNS = 7
TARGET_SECONDS = 1.0


def page_count(pdf: bytes) -> int:
    """Pages in ``pdf``, read back with pypdf."""
    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


def run(label: str, render: Callable[[object], tuple[str, str, bytes]], report: object) -> int:
    """Render once to warm up, then time RUNS renders; print the median against the target.

    Informational like the other benches: a busy machine must not fail ``make bench``. With a
    path as the first argument, the PDF is kept there to look at (e.g. with pdftoppm).
    """
    # WeasyPrint logs every layout step at INFO; the portal's root logger would print them all.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    start = time.perf_counter()
    _, _, pdf = render(report)  # warm-up: font configuration, templates
    first = time.perf_counter() - start
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        render(report)
        timings.append(time.perf_counter() - start)
    median = statistics.median(timings)
    print(
        f"{label} ({page_count(pdf)} pages, {len(pdf) // 1024} KB): "
        f"median {median:.2f} s, min {min(timings):.2f} s, max {max(timings):.2f} s "
        f"over {RUNS} runs (first render {first:.2f} s)"
    )
    verdict = "met" if median <= TARGET_SECONDS else "NOT MET"
    print(f"target: median ≤ {TARGET_SECONDS:.1f} s: {verdict}")
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_bytes(pdf)
    return 0
