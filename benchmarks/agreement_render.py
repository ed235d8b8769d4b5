"""Render time of the longest agreement the limits allow (target: under 5 s).

Usage:

    .venv/bin/python benchmarks/agreement_render.py [--runs 3]

Renders, through the shared locked-down renderer (kernel.pdf.render.render_pdf, in-process) and
through the time-limited child-process renderer the seal step uses
(kernel.pdf.process.render_pdf_with_time_limit):

- the reference: a typical agreement (tests/contracts/samples.py, four pages);
- the worst cases (tests/contracts/worst_case.py): every field at its maximum length in
  contracts.limits, the clause template with the most clauses, the longest payment schedule
  and audit trail — once made of unbreakable letters and digits, once of Chinese prose.

Prints the median wall-clock seconds per render (in-process and in the child process), the
in-process CPU seconds (what the render costs, independent of other load on a shared machine),
pages, size and the ratio to the reference, in one table. The verdict compares the slowest
worst case with the 5 s target, in wall-clock and in CPU seconds. Needs the CJK fonts that
kernel/pdf/render.py uses.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 5.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ.setdefault("KEQIAO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    from kernel.pdf.process import render_pdf_with_time_limit
    from kernel.pdf.render import render_pdf
    from tests.contracts.samples import agreement_context
    from tests.contracts.worst_case import chinese, unbreakable, worst_case_context

    template = "contracts/pdf/agreement.html"
    cases = {
        "typical (reference)": agreement_context(),
        "worst case, unbreakable": worst_case_context(unbreakable),
        "worst case, Chinese": worst_case_context(chinese),
    }

    def pages(pdf: bytes) -> int:
        return int(PdfFileReader(BytesIO(pdf), strict=False).root["/Pages"]["/Count"])

    render_pdf(template_name=template, context=cases["typical (reference)"])  # warm-up
    rows = []
    for name, context in cases.items():
        in_process, cpu, child = [], [], []
        pdf = b""
        for _ in range(args.runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            pdf = render_pdf(template_name=template, context=context)
            in_process.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            start = time.perf_counter()
            render_pdf_with_time_limit(template_name=template, context=context, timeout=120)
            child.append(time.perf_counter() - start)
        rows.append((name, statistics.median(in_process), statistics.median(child),
                     statistics.median(cpu), pages(pdf), len(pdf)))
    reference = rows[0][1]
    load = os.getloadavg()[0]
    print(f"runs={args.runs}  cpus={os.cpu_count()}  load={load:.1f}  (median per render)")
    print(f"{'agreement':<26}{'wall s':>8}{'child wall s':>13}{'CPU s':>7}{'pages':>7}"
          f"{'KiB':>6}{'ratio':>7}")
    for name, seconds, child_seconds, cpu_seconds, page_count, size in rows:
        print(f"{name:<26}{seconds:>8.2f}{child_seconds:>13.2f}{cpu_seconds:>7.2f}"
              f"{page_count:>7}{size / 1024:>6.0f}{seconds / reference:>6.1f}x")
    worst_wall = max(max(row[1], row[2]) for row in rows[1:])
    worst_cpu = max(row[3] for row in rows[1:])
    for label, worst in (("wall-clock", worst_wall), ("CPU", worst_cpu)):
        verdict = "met" if worst < TARGET_SECONDS else "NOT met"
        print(f"target: longest allowed agreement under {TARGET_SECONDS:g} s ({label}): "
              f"{verdict} (slowest worst case {worst:.2f} s)")


if __name__ == "__main__":
    main()
