"""Overhead of a local run of a function that returns at once, versus calling it directly.

Measured two ways, side by side in one run: in one Python process
(`quick.local()` against `quick.__wrapped__()`), and from a shell
(`braketkit run quick.py:quick --local` against `python -c "import quick; quick.quick()"`).
Target: under 0.5 s of overhead on a 2-core machine. Run: `python benchmarks/local_overhead.py`.
"""

from __future__ import annotations

import importlib
import sys
import tempfile
from pathlib import Path

from _timing import interleaved

RUNS = 10
BUDGET = 0.5
MODULE = '''
from braketkit import hybrid_job

@hybrid_job(device="local")
def quick(x: int = 1) -> dict:
    return {"x": x}
'''

with tempfile.TemporaryDirectory() as scratch:
    project = Path(scratch)
    (project / "pyproject.toml").write_text('[project]\nname = "quick"\n[tool.braketkit]\ndevice = "local"\n')
    (project / "quick.py").write_text(MODULE)
    sys.path.insert(0, scratch)
    quick = importlib.import_module("quick").quick

    in_process = interleaved(RUNS, local=lambda: quick.local(x=2).result(), direct=lambda: quick.__wrapped__(x=2))
    shell = interleaved(
        RUNS, cwd=project,
        local=[sys.executable, "-m", "braketkit", "run", "quick.py:quick", "--local", "--x", "2"],
        direct=[sys.executable, "-c", "import quick; quick.quick.__wrapped__(x=2)"],
    )

for label, medians in (("in one process", in_process), ("from a shell", shell)):
    overhead = medians["local"] - medians["direct"]
    print(f"{label:15} local run {medians['local'] * 1000:7.1f} ms, direct call {medians['direct'] * 1000:7.1f} ms, "
          f"overhead {overhead * 1000:6.1f} ms = {overhead / BUDGET:.2f} of the 0.5 s budget "
          f"-> {'PASS' if overhead < BUDGET else 'FAIL'}")
