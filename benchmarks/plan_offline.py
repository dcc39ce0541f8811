"""`braketkit plan --offline` on the Bell example, end to end in a fresh process.

Target: under 100 ms on a 2-core machine (issue 10; it was 0.3 s before). Run: `python benchmarks/plan_offline.py`.
The bare interpreter start is measured alongside, for scale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from _timing import interleaved

RUNS = 15
TARGET = 0.1
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "bell"

medians = interleaved(
    RUNS,
    cwd=EXAMPLE,
    plan=[sys.executable, "-m", "braketkit", "plan", "bell.py:bell", "--offline", "--shots", "100"],
    bare_python=[sys.executable, "-c", "pass"],
)
ratio = medians["plan"] / TARGET
print(f"braketkit plan --offline (Bell example): {medians['plan'] * 1000:7.1f} ms (median of {RUNS})")
print(f"python -c pass (interpreter start):      {medians['bare_python'] * 1000:7.1f} ms")
verdict = "PASS" if ratio < 1 else "FAIL"
print(f"ratio plan / {TARGET * 1000:.0f} ms budget: {ratio:.2f}  (target: below 1) -> {verdict}")
