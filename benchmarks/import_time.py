"""`import braketkit` versus the Braket SDK's `from braket.jobs import hybrid_job`, fresh processes.

Target: braketkit at most 1/25 of the SDK's time. Run: `python benchmarks/import_time.py`.
"""

from __future__ import annotations

import sys

from _timing import interleaved

RUNS = 15

medians = interleaved(
    RUNS,
    braketkit=[sys.executable, "-c", "import braketkit"],
    braket_sdk=[sys.executable, "-c", "from braket.jobs import hybrid_job"],
    bare_python=[sys.executable, "-c", "pass"],
)
ratio = medians["braketkit"] / medians["braket_sdk"]
print(f"import braketkit:                      {medians['braketkit'] * 1000:8.1f} ms (median of {RUNS})")
print(f"from braket.jobs import hybrid_job:    {medians['braket_sdk'] * 1000:8.1f} ms")
print(f"python -c pass (interpreter start):    {medians['bare_python'] * 1000:8.1f} ms")
print(f"ratio braketkit / SDK: 1/{1 / ratio:.0f}  (target: at most 1/25) -> {'PASS' if ratio <= 1 / 25 else 'FAIL'}")
