"""Planning a notebook's function, captured as source, against the same function imported from a module.

A function defined in a notebook cell is captured at every plan: braketkit reads the source IPython
keeps for its cell and for each of the 20 helper functions (each in a cell of its own) it calls, parses
it, looks up every global, and writes a module into the archive. The same code in an importable module is
called by reference. Side by side in one process, the notebook run cell by cell in IPython's real
`InteractiveShell`; both plan with settings that need no AWS (a local device, a role and a bucket:
nothing to look up). Target: the notebook's function costs under 50 ms more.
Run: `python benchmarks/notebook_plan.py`.
"""

from __future__ import annotations

import atexit
import importlib
import os
import sys
import tempfile
from pathlib import Path

from _timing import interleaved

RUNS = 30
BUDGET = 0.050
HELPERS = 20
SETTINGS = '''
[project]
name = "notebook-plan"

[tool.braketkit]
device = "local"
region = "us-east-1"
role = "arn:aws:iam::111122223333:role/service-role/AmazonBraketJobsExecutionRole"

[tool.braketkit.s3]
bucket = "amazon-braket-us-east-1-111122223333"
'''
IMPORTS = "import math\n\nfrom braketkit import hybrid_job"
CONSTANTS = "SCALE = 0.5\nLABELS = ['energy', 'fidelity', 'depth']"
HELPER = '''\
def helper_{i:02}(values, weight={i}):
    """Step {i} of the pipeline: a weighted, scaled sum."""
    total = 0.0
    for index, value in enumerate(values):
        total += math.sin(value * weight + index) * SCALE
    return {{"step": {i}, "label": LABELS[{i} % len(LABELS)], "total": round(total, 6)}}'''
ENTRY = '''\
@hybrid_job()
def train(steps=3, lr=0.1):
    values = [lr * step for step in range(steps)]
    return [{calls}]'''.format(calls=", ".join(f"helper_{i:02}(values)" for i in range(HELPERS)))
CELLS = [IMPORTS, CONSTANTS, *(HELPER.format(i=i) for i in range(HELPERS)), ENTRY]

with tempfile.TemporaryDirectory() as scratch:
    project = Path(scratch)
    (project / "pyproject.toml").write_text(SETTINGS)
    (project / "pipeline.py").write_text("\n\n\n".join(CELLS) + "\n")
    home = Path.cwd()
    os.chdir(project)  # a notebook's project is its working directory
    sys.path.insert(0, scratch)
    os.environ["IPYTHONDIR"] = str(project / "ipython")

    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell.instance(config=config)
    for cell in CELLS:
        shell.run_cell(cell, store_history=True).raise_error()
    notebook = shell.user_ns["train"]
    module = importlib.import_module("pipeline").train

    captured = notebook.plan().captured
    assert captured is not None and sum(name.startswith("helper_") for name in captured.names) == HELPERS
    assert module.plan().captured is None  # by reference
    assert not notebook.plan().unresolved and not module.plan().unresolved  # nothing looked up in AWS
    medians = interleaved(RUNS, notebook=notebook.plan, module=module.plan)
    atexit.unregister(shell.atexit_operations)  # its reset at exit would look for the folder removed here
    InteractiveShell.clear_instance()
    os.chdir(home)

extra = medians["notebook"] - medians["module"]
print(f"plan of a notebook function with {HELPERS} helpers: {medians['notebook'] * 1000:7.1f} ms (median of {RUNS})")
print(f"plan of the same code in a module:           {medians['module'] * 1000:7.1f} ms")
print(f"capture costs {extra * 1000:5.1f} ms = {extra / BUDGET:.2f} of the 50 ms budget "
      f"-> {'PASS' if extra < BUDGET else 'FAIL'}")
