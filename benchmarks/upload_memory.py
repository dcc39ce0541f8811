"""Peak memory of a process submitting a job with a 1 GB input file, versus a 100 MB one.

Each size runs in a child process of its own (plan, hash, multipart upload,
CreateJob against loopback moto and the test suite's Braket control plane);
its peak resident memory (VmHWM) is read from the kernel. Target: the two peaks within
64 MB of each other (uploads stream from disk in bounded chunks).
Run: `python benchmarks/upload_memory.py` (needs about 1.1 GB of free disk).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _loopback import ROOT, loopback_aws

CHILD = """
import re, sys
from braketkit.pipeline import plan_target
from braketkit.execute.cloud import submit
from braketkit.target import load_reference
submission = submit(plan_target(load_reference("job.py:job")), quiet=True)
assert submission.bytes_uploaded > int(sys.argv[1])
# VmHWM, not getrusage: ru_maxrss survives exec, so it would count the parent (which holds moto's data).
print(int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) // 1024)
"""
MB = 1024 * 1024


def peak_for(size: int, scratch: Path) -> int:
    project = scratch / f"project-{size // MB}"
    (project / "data").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "memory"\n[tool.braketkit]\ndevice = "sv1"\n'
                                            'input = { data = "data" }\n')
    (project / "job.py").write_text("from braketkit import hybrid_job\n\n@hybrid_job()\ndef job() -> None:\n"
                                    "    pass\n")
    block = os.urandom(MB)
    with (project / "data" / "input.bin").open("wb") as handle:
        for index in range(size // MB):
            handle.write(block[index % 7:] + block[: index % 7])  # distinct blocks, cheaply
    done = subprocess.run([sys.executable, "-c", CHILD, str(size - 1)], cwd=project, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    if done.returncode:
        raise SystemExit(f"the {size // MB} MB submission failed:\n{done.stderr}")
    (project / "data" / "input.bin").unlink()
    return int(done.stdout.strip())


with tempfile.TemporaryDirectory() as scratch, loopback_aws():
    small = peak_for(100 * MB, Path(scratch))
    large = peak_for(1024 * MB, Path(scratch))

print(f"peak memory submitting a 100 MB input: {small:5d} MB")
print(f"peak memory submitting a 1 GB input:   {large:5d} MB")
print(f"difference: {large - small} MB (target: at most 64 MB) -> {'PASS' if abs(large - small) <= 64 else 'FAIL'}")
