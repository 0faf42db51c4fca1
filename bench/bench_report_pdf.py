"""R5: median time to render a full-length 附件3 report to PDF (target ≤ 1.0 s).

Run as ``.venv/bin/python bench/bench_report_pdf.py [out.pdf]``. No database: the report is
built in memory by ``review.exporters.samples.full_length_report``.
"""

import sys

import pdfbench

from review.exporters.pdf import render_report_pdf
from review.exporters.samples import full_length_report

if __name__ == "__main__":
    sys.exit(pdfbench.run("report PDF (full length)", render_report_pdf, full_length_report()))
