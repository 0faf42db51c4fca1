"""Medians for the 附件3 table as .xlsx: export and import of a full-length report (≤ 0.3 s)."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Run as `.venv/bin/python bench/bench_report_excel.py`: the repo root is not on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from review.exporters.report_xlsx import export_report_xlsx
from review.exporters.report_xlsx_import import parse_report_xlsx
from review.exporters.samples import full_length_report  # noqa: E402

RUNS = 15
TARGET_SECONDS = 0.3


def measure(label: str, run: Callable[[], object]) -> float:
    """Print and return the median of RUNS timed calls, after one warm-up."""
    run()
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
    median = statistics.median(timings)
    print(
        f"{label}: median {median:.3f} s, min {min(timings):.3f} s, "
        f"max {max(timings):.3f} s over {RUNS} runs"
    )
    return median


def main() -> int:
    """Export and import the full-length report; exit 1 when a median misses the target."""
    report = full_length_report()
    codes = [row.element_code for row in report.rows]
    _, _, data = export_report_xlsx(report)
    result = parse_report_xlsx(data, element_codes=codes)
    assert result.ok and len(result.rows) == len(codes), result.error_lines()

    medians = [
        measure("Excel export (full length)", lambda: export_report_xlsx(report)),
        measure(
            f"Excel import (full length, {len(data) // 1024} KB)",
            lambda: parse_report_xlsx(data, element_codes=codes),
        ),
    ]
    return 0 if max(medians) <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
