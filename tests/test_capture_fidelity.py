"""A captured module computes what the notebook computes: values written exactly, objects replayed faithfully.

Notebooks are generated (hypothesis): cells binding ints (huge ones too), floats and complex numbers (signed zeros,
NaN, infinities), fractions, decimals, datetimes, ranges, frozensets, NumPy arrays and scalars of several dtypes
and byte orders, aliases, shadowed builtins, objects only their statements can make (``collections.Counter``,
``re.compile``, ``functools.partial``, deques), updates of those objects, and names bound again. Each runs cell by
cell in IPython's real shell; its function is called there, and through braketkit's job runtime in a fresh process
of this interpreter, as Braket's container calls it (the captured module imported by the runtime, the result
persisted and read back); the two digests must be equal. A fixed stdlib-only notebook's
module also runs under each other interpreter this machine has (``-I -S``: the standard library only).
"""

from __future__ import annotations

import atexit
import builtins
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from braketkit.model.provenance import JobCall, PlannedRecord, Provenance
from braketkit.package import runtime_members

from .container import record_inputs
from .test_runtime import _interpreters

PRELUDE = """\
import builtins as B
import collections
import datetime
import decimal
import fractions
import functools
import math
import re

import numpy as np
"""

DESCRIBE = '''\
def describe(x):
    """A JSON digest that tells apart everything the module must keep: type, sign, bits, dtype, identity."""
    kind = type(x).__name__
    if isinstance(x, B.bool) or x is None or isinstance(x, B.str):
        return [kind, x]
    if isinstance(x, B.int):
        return [kind, B.hex(x)]
    if isinstance(x, B.float):
        return [kind, x.hex() if math.isfinite(x) else B.repr(x), math.copysign(1.0, x) > 0]
    if isinstance(x, B.complex):
        return [kind, describe(x.real), describe(x.imag)]
    if isinstance(x, (fractions.Fraction,)):
        return [kind, B.hex(x.numerator), B.hex(x.denominator)]
    if isinstance(x, decimal.Decimal):
        return [kind, B.str(x)]
    if isinstance(x, (datetime.datetime, datetime.date, datetime.time, datetime.timedelta)):
        zone = getattr(x, "tzinfo", None)
        return [kind, B.repr(x), getattr(x, "fold", 0), None if zone is None else B.repr(zone)]
    if isinstance(x, B.range):
        return [kind, B.hex(x.start), B.hex(x.stop), B.hex(x.step)]
    if isinstance(x, B.frozenset):
        return [kind, B.sorted(B.hex(item) for item in x)]
    if type(x).__module__ == "numpy":  # an array or a scalar
        return [kind, x.dtype.str, B.list(x.shape), x.tobytes().hex(), x.flags.writeable]
    if isinstance(x, collections.Counter):
        return [kind, B.sorted([B.str(key), value] for key, value in x.items())]
    if isinstance(x, collections.deque):
        return [kind, B.list(x), x.maxlen]
    if isinstance(x, re.Pattern):
        return [kind, x.pattern, x.flags]
    if isinstance(x, functools.partial):
        return [kind, x.func.__name__, B.list(x.args), describe(x())]
    if isinstance(x, B.list):
        return [kind, [describe(item) for item in x]]
    if callable(x):
        return [kind, x.__name__]
    return [kind, B.repr(x)]
'''

FLOATS = st.one_of(st.floats(allow_nan=False), st.sampled_from([0.0, -0.0, 5e-324, -1.5]))
SPECIAL = st.sampled_from(["B.float('nan')", "-B.float('nan')", "B.float('inf')", "-B.float('inf')"])
DTYPES = ["<f8", ">f8", "<f4", "<f2", "<i8", ">i4", "<u2", "|i1", "|b1", "<c16", ">c8"]


def _float_source(value: float) -> str:
    return f"B.float.fromhex({value.hex()!r})"


@st.composite
def _value_cell(draw: st.DrawFn) -> str:
    """The source of one value: what a researcher's cell would bind."""
    floats = st.one_of(FLOATS.map(_float_source), SPECIAL)
    kinds = {
        "int": st.integers(-(2**80), 2**80).map(str),
        "huge": st.tuples(st.integers(4400, 5200), st.integers(-9, 9)).map(lambda p: f"10 ** {p[0]} + {p[1]}"),
        "float": floats,
        "complex": st.tuples(floats, floats).map(lambda p: f"complex({p[0]}, {p[1]})"),
        "fraction": st.fractions().map(lambda f: f"fractions.Fraction({f.numerator}, {f.denominator})"),
        "decimal": st.decimals(allow_nan=True, allow_infinity=True).map(lambda d: f"decimal.Decimal({str(d)!r})"),
        "datetime": st.datetimes(timezones=st.one_of(
            st.none(), st.just(__import__("datetime").timezone.utc),
            st.integers(-23 * 60, 23 * 60).map(lambda minutes: __import__("datetime").timezone(
                __import__("datetime").timedelta(minutes=minutes))))).map(repr),
        "range": st.tuples(st.integers(-50, 50), st.integers(-50, 50), st.integers(1, 7), st.booleans()).map(
            lambda p: f"range({p[0]}, {p[1]}, {-p[2] if p[3] else p[2]})"),
        "frozenset": st.frozensets(st.integers(-5, 5)).map(lambda s: f"frozenset({sorted(s)!r})"),
        "array": st.tuples(st.sampled_from(DTYPES), st.sampled_from([(), (0,), (3,), (2, 2), (1, 3, 1)])).flatmap(
            lambda p: st.binary(min_size=_bytes(p), max_size=_bytes(p)).map(
                lambda data: f"np.frombuffer(bytes.fromhex({data.hex()!r}), dtype={p[0]!r}).reshape({p[1]!r}).copy()")),
        "listed-array": st.lists(st.integers(-100, 100), min_size=1, max_size=5).map(
            lambda items: f"np.array({items!r}, dtype=np.float32) / 4"),
        "scalar": st.tuples(st.sampled_from(["float32", "float64", "int16", "bool_", "complex64"]),
                            st.integers(-3, 3)).map(lambda p: f"np.{p[0]}({p[1]})"),
        "list": st.lists(st.integers(-3, 3), max_size=3).map(repr),
    }
    return draw(st.sampled_from(sorted(kinds)).flatmap(lambda kind: kinds[kind]))


def _bytes(shape_dtype: tuple[str, tuple[int, ...]]) -> int:
    dtype, shape = shape_dtype
    count = 1
    for size in shape:
        count *= size
    return count * int(dtype[2:] if dtype[0] != "|" or dtype[1] != "b" else 1)


OBJECTS = [  # made by a statement only: replayed; each with updates that are part of how it was made
    ("collections.Counter({source!r})", ["{name}.update('xy')", "{name}['z'] += 2", "del {name}['x']",
                                         "{name} += collections.Counter('q')"]),
    ("collections.deque([1, 2, 3], maxlen=5)", ["{name}.append(9)", "{name}.rotate(1)", "{name}[0] = 7",
                                                "{name} += [4]"]),
    ("re.compile({source!r}, re.IGNORECASE)", []),
    ("functools.partial(max, 3, {length})", []),
]


@st.composite
def notebooks(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """Cells, and the globals the function digests."""
    cells = [PRELUDE, DESCRIBE]
    used: list[str] = []
    lists: list[str] = []
    for index in range(draw(st.integers(2, 7))):
        name = f"v{index}"
        choice = draw(st.integers(0, 9))
        if choice < 6:
            source = draw(_value_cell())
            cells.append(f"{name} = {source}")
            if source.startswith("["):
                lists.append(name)
        elif choice < 8:
            template, updates = draw(st.sampled_from(OBJECTS))
            cells.append(f"{name} = " + template.format(source=draw(st.text("abc", min_size=1, max_size=4)) + "+",
                                                        length=draw(st.integers(0, 9))))
            for update in draw(st.lists(st.sampled_from(updates), max_size=2)) if updates else []:
                cells.append(update.format(name=name))
        elif lists:
            cells.append(f"{name} = {draw(st.sampled_from(lists))}")  # an alias of a list
            lists.append(name)
        else:
            cells.append(f"{name} = {draw(st.integers())}\n{name} = {name} + 1")  # bound again from itself
        used.append(name)
    if draw(st.booleans()) and used:  # a name read by a replayed statement, bound again after it
        cells.append("k = 3\nmade = collections.Counter({'k': k})\nk = 4")
        used += ["k", "made"]
    if draw(st.booleans()):  # the session shadows builtins the written values may use
        cells.append("range = 'shadowed'\n\ndef complex(*parts):\n    return 'mine'")
        used += ["range", "complex"]
    identities = ", ".join(f"[{a!r}, {b!r}, {a} is {b}]" for a in lists for b in lists if a < b)
    cells.append("def digest():\n    return [" + ", ".join(f"describe({name})" for name in used) + "]"
                 + (f" + [[{identities}]]" if identities else ""))
    return cells, used


@contextmanager
def _shell(tmp_path: Path) -> Iterator[InteractiveShell]:
    """A fresh IPython shell, as a kernel runs one; what it changes in the process is put back afterwards."""
    saved = (sys.modules["__main__"], sys.displayhook, sys.excepthook, set(vars(builtins)))
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    assert not InteractiveShell.initialized()
    shell = InteractiveShell.instance(config=config, ipython_dir=str(tmp_path / "ipython"))
    try:
        yield shell
    finally:
        atexit.unregister(shell.atexit_operations)
        InteractiveShell.clear_instance()
        sys.modules["__main__"], sys.displayhook, sys.excepthook = saved[:3]
        for name in set(vars(builtins)) - saved[3]:
            delattr(builtins, name)


def _run(shell: InteractiveShell, cell: str) -> None:
    result = shell.run_cell(cell, store_history=True)
    assert result.success, f"cell failed: {cell}\n{result.error_in_exec or result.error_before_exec}"


def _here_and_captured(tmp_path: Path, cells: list[str]) -> tuple[str, str]:
    """The digest called in the session (as JSON), and the captured module's text."""
    with _shell(tmp_path) as shell:
        for cell in cells:
            _run(shell, cell)
        _run(shell, "from braketkit.package.capture import capture as _capture\n_text = _capture(digest).text")
        _run(shell, "import json as _json\n_here = _json.dumps(digest())")
        return shell.user_ns["_here"], shell.user_ns["_text"]


def _job_side(python: list[str], folder: Path, text: str) -> str:
    """The digest as the job computes it: through braketkit's job runtime, in a fresh process, as Braket's container
    runs a function's job (``braketkit_job:digest``, its call read from the record channel, the result persisted)."""
    code, inputs, results = folder / "code", folder / "input", folder / "model"
    for member in runtime_members():
        assert isinstance(member.source, bytes)
        (code / member.name).parent.mkdir(parents=True, exist_ok=True)
        (code / member.name).write_bytes(member.source)
    (code / "braketkit_main.py").write_text(text)
    call = JobCall(entry="braketkit_main:digest")
    provenance = Provenance(archive_sha256="0" * 64, braketkit_version="0", python_version="3")
    record_inputs(PlannedRecord(job_name="fidelity", planned_at="2026-01-01T00:00:00+00:00", entry=call.entry,
                                provenance=provenance, settings={}, call=call), inputs)
    container = "import sys\nsys.path.append('.')\nimport braketkit_job\nbraketkit_job.digest()"
    done = subprocess.run([*python, "-c", container], cwd=code, capture_output=True, text=True, check=False,
                          timeout=120, env={"AMZN_BRAKET_INPUT_DIR": str(inputs), "PATH": "",
                                            "AMZN_BRAKET_JOB_RESULTS_DIR": str(results),
                                            "BRAKETKIT_FAILURE_FILE": str(folder / "failure")})
    assert done.returncode == 0, f"{done.stderr}\n--- the module:\n{text}"
    return json.dumps(json.loads((results / "results.json").read_text())["dataDictionary"]["result"])


@settings(max_examples=12, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(notebook=notebooks())
def test_a_generated_notebook_s_function_computes_the_same_in_the_job(tmp_path_factory: pytest.TempPathFactory,
                                                                      notebook: tuple[list[str], list[str]]) -> None:
    cells, _ = notebook
    folder = tmp_path_factory.mktemp("notebook")
    here, text = _here_and_captured(folder, cells)
    assert json.loads(_job_side([sys.executable], folder / "job", text)) == json.loads(here), text


STDLIB_NOTEBOOK = [
    PRELUDE.replace("\nimport numpy as np\n", "\n"),
    DESCRIBE,
    "big = 10 ** 5000 + 7\nsigned = complex(-0.0, 0.0)\nnot_a_number = -B.float('nan')\ninfinite = B.float('-inf')",
    "third = fractions.Fraction(1, 3)\nzero = decimal.Decimal('-0.000')\nnan = decimal.Decimal('sNaN')",
    "moment = datetime.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=datetime.timezone("
    "datetime.timedelta(hours=-5, minutes=-30), 'X'), fold=1)\nday = datetime.date(1, 1, 1)",
    "steps = range(10, -10, -3)\nmembers = frozenset({3, 1, 2})\nitems = [1, 2]\nsame = items",
    "counts = collections.Counter('abracadabra')\ncounts.update('zz')\nk = 2\n"
    "window = collections.deque(range(k), maxlen=3)\nk = 5\nwindow.append(k)",
    "pattern = re.compile('a+b', re.IGNORECASE)\nbiggest = functools.partial(max, 3, k)",
    "range = 'shadowed'",
    "def digest():\n    return [describe(item) for item in (big, signed, not_a_number, infinite, third, zero, nan, "
    "moment, day, steps, members, items, counts, window, pattern, biggest, k, range)] + [items is same]",
]


@pytest.mark.parametrize("python", _interpreters(), ids=lambda python: Path(python).name)
def test_a_stdlib_notebook_captured_here_runs_the_same_under_another_python(tmp_path: Path, python: str) -> None:
    """Captured under this interpreter, imported under another with the standard library only (``-I -S``)."""
    here, text = _here_and_captured(tmp_path, STDLIB_NOTEBOOK)
    assert "\nbig = 0x" in text and "\nsame = items\n" in text and "\nsteps = B.range(10, -10, -3)\n" in text
    assert json.loads(_job_side([python, "-I", "-S"], tmp_path / "job", text)) == json.loads(here)
