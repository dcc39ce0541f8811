"""Start-up: braketkit's imports (and decorating a function) against the Braket SDK's, fresh processes.

Target: `from braketkit import hybrid_job`, and decorating a function with it, at most 1/25 of the Braket
SDK's `from braket.jobs import hybrid_job`. `import braketkit` alone is shown too. Every command runs in a
fresh interpreter, the commands taking turns so that the machine's noise hits all alike.
Run: `python benchmarks/import_time.py` (the Braket SDK is installed in the dev venv).
"""

from __future__ import annotations

import sys

from _timing import interleaved

RUNS = 21
TARGET = 1 / 25
DECORATE = """
from braketkit import hybrid_job

@hybrid_job(device="sv1", instance="ml.c5.xlarge")
def train(steps: int = 10) -> int:
    return steps

cheaper = train.options(instance={"type": "ml.m5.large"}, stopping={"max_runtime": "2h"})
"""

medians = interleaved(
    RUNS,
    import_braketkit=[sys.executable, "-c", "import braketkit"],
    from_braketkit=[sys.executable, "-c", "from braketkit import hybrid_job"],
    decorate=[sys.executable, "-c", DECORATE],
    braket_sdk=[sys.executable, "-c", "from braket.jobs import hybrid_job"],
    bare_python=[sys.executable, "-c", "pass"],
)
sdk = medians["braket_sdk"]
rows = [
    ("import braketkit", "import_braketkit"),
    ("from braketkit import hybrid_job", "from_braketkit"),
    ("... and decorate a function, .options()", "decorate"),
]
print(f"medians of {RUNS} fresh processes, interleaved")
print(f"{'from braket.jobs import hybrid_job (SDK)':44} {sdk * 1000:8.1f} ms")
print(f"{'python -c pass (interpreter start)':44} {medians['bare_python'] * 1000:8.1f} ms")
for label, name in rows:
    ratio = medians[name] / sdk
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"{label:44} {medians[name] * 1000:8.1f} ms  1/{1 / ratio:.0f} of the SDK (target: at most 1/25) -> "
          f"{verdict}")
