"""Median time to render a full 复核结论与复核报告 to PDF (target ≤ 1.0 s, like R5's).

Run as ``.venv/bin/python bench/bench_verdict_pdf.py [out.pdf]``. No database: the verdict is
built in memory by ``review.exporters.samples.verdict_report_sample`` (15 elements, every
school opinion at its 500-character limit).
"""

import sys

import pdfbench

from review.exporters.samples import verdict_report_sample
from review.exporters.verdict_pdf import render_verdict_pdf

if __name__ == "__main__":
    sys.exit(pdfbench.run("verdict PDF", render_verdict_pdf, verdict_report_sample()))
