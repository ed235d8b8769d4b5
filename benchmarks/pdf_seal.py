"""Render + seal time per agreement (target: under 0.5 s per agreement).

Usage:

    .venv/bin/python benchmarks/pdf_seal.py [--runs 20]

Renders the agreement PDF (templates/contracts/pdf/agreement.html, a 4-page 技术转让 sample
with nine clauses, payment schedule, signature page and audit trail) through the shared
locked-down renderer (kernel.pdf.render.render_pdf), seals it (contracts.seal.seal_pdf, no TSA)
and verifies it (contracts.seal.verify_pdf). Prints milliseconds (p50, p95, max) per step.
The first run (key generation, imports) is reported separately. Fast rendering needs
libharfbuzz-subset0 (without it WeasyPrint subsets with fontTools and a render takes seconds).
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


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    os.environ.setdefault("KEQIAO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from contracts.seal import seal_pdf, verify_pdf
    from kernel.pdf.render import render_pdf
    from tests.contracts.samples import agreement_context

    context = agreement_context()

    def once() -> tuple[float, float, float, int]:
        t0 = time.perf_counter()
        pdf = render_pdf(template_name="contracts/pdf/agreement.html", context=context)
        t1 = time.perf_counter()
        sealed = seal_pdf(pdf, reason="benchmark", location="北京", metadata={"agreement_id": 1})
        t2 = time.perf_counter()
        assert verify_pdf(sealed).intact
        t3 = time.perf_counter()
        return t1 - t0, t2 - t1, t3 - t2, len(sealed)

    first = once()
    timings = [once() for _ in range(args.runs)]
    steps = {
        "render": [t[0] for t in timings],
        "seal": [t[1] for t in timings],
        "render + seal": [t[0] + t[1] for t in timings],
        "verify": [t[2] for t in timings],
    }
    print(f"runs={args.runs}  sealed PDF {timings[-1][3] / 1024:.0f} KiB  cpus={os.cpu_count()}")
    print(f"first run (cold): render {first[0] * 1000:.0f} ms, seal {first[1] * 1000:.0f} ms")
    print(f"{'step':<15}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for name, values in steps.items():
        print(
            f"{name:<15}{statistics.median(values) * 1000:>9.0f}"
            f"{_pct(values, 0.95) * 1000:>9.0f}{max(values) * 1000:>9.0f}"
        )
    target = statistics.median(steps["render + seal"])
    print(f"target render + seal < 500 ms: {'met' if target < 0.5 else 'NOT met'} (p50)")


if __name__ == "__main__":
    main()
