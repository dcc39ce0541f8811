"""What a reference runs, through the real CLI: SDK-shaped folders without pyproject.toml, modules named from the
working directory, functions read from source rather than imported, and the help of ``run`` and ``plan``."""

from __future__ import annotations

import inspect
import json
import re
import tarfile
import textwrap
import typing
from pathlib import Path
from typing import Any, Literal

import pytest

from braketkit import module_source
from braketkit.cli.options import function_options
from braketkit.package import is_runtime_member
from braketkit.runtime.rebuild import parameter_types
from braketkit.target import load_reference

from .conftest import BASIC, Project, run_cli

# The Braket SDK's example 4 (source_module="qaoa", entry_point="qaoa.qaoa_algorithm"), with an entry function too.
ALGORITHM = '''
import os

from qaoa.utils import get_device


def main(steps: int = 2, layers: list[int] = [1], name="maxcut") -> dict:
    return {"device": get_device(), "steps": steps, "layers": layers, "name": name}


if __name__ == "__main__":
    print("as a script:", main())
'''
UTILS = '''
import os


def get_device():
    return os.environ["AMZN_BRAKET_DEVICE_ARN"]
'''
OFFLINE = ("--offline", "--set", "device=sv1", "--set", "region=us-east-1")


@pytest.fixture
def sdk(project: Project) -> Project:
    """A notebook's folder: the SDK's ``qaoa/`` (no ``__init__.py``), and what else a notebook folder holds."""
    project.write("qaoa/qaoa_algorithm.py", ALGORITHM)
    project.write("qaoa/utils.py", UTILS)
    project.write("notes.txt", "figures and data, not the job's")
    return project


def _planned(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = run_cli(capsys, "plan", *argv, *OFFLINE, "--json")
    assert (code, err) == (0, ""), err
    document: dict[str, Any] = json.loads(out)
    return document


def _shipped(document: dict[str, Any]) -> list[str]:
    with tarfile.open(document["uploads"][0]["path"]) as archive:
        return sorted(name for name in archive.getnames() if not is_runtime_member(name))


def test_the_sdk_folder_by_path_and_by_module_is_one_job(sdk: Project, capsys: pytest.CaptureFixture[str]) -> None:
    by_path = _planned(capsys, "qaoa/qaoa_algorithm.py")
    by_module = _planned(capsys, "qaoa.qaoa_algorithm")
    for document in (by_path, by_module):
        assert "hyperParameters" not in document["request"]  # a script's are the user's alone: none given
        assert document["request"]["algorithmSpecification"]["scriptModeConfig"]["entryPoint"] == \
            "qaoa.qaoa_algorithm"
        assert document["source"] == {"project_root": str(sdk.root), "pyproject": False, "code_folder": str(sdk.root),
                                      "shipped": str(sdk.root / "qaoa"), "import_paths": [".", "qaoa"]}
        assert _shipped(document) == ["qaoa/qaoa_algorithm.py", "qaoa/utils.py"]  # not notes.txt
    assert by_path["provenance"]["archive_sha256"] == by_module["provenance"]["archive_sha256"]
    functions = [_planned(capsys, ref, "--steps", "3")["call"] for ref in ("qaoa/qaoa_algorithm.py:main",
                                                                          "qaoa.qaoa_algorithm:main")]
    assert functions[0] == functions[1]
    assert (functions[0]["entry"], functions[0]["paths"], functions[0]["arguments"]) == (
        "qaoa.qaoa_algorithm:main", ["qaoa"], {"steps": "3"})  # the code folder, then qaoa/: both conventions
    first, second = (load_reference(ref) for ref in ("qaoa/qaoa_algorithm.py:main", "qaoa.qaoa_algorithm:main"))
    assert first.function is not None and second.function is not None
    assert inspect.signature(first.function) == inspect.signature(second.function)
    assert (first.module, first.file, first.import_root, first.import_roots) == (
        second.module, second.file, second.import_root, second.import_roots) == (
        "qaoa.qaoa_algorithm", sdk.root / "qaoa" / "qaoa_algorithm.py", sdk.root, (sdk.root, sdk.root / "qaoa"))


def test_the_plan_says_what_ships_and_why(sdk: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "plan", "qaoa.qaoa_algorithm", *OFFLINE)
    assert code == 0
    assert out.splitlines()[1:6] == [
        "           entry  qaoa.qaoa_algorithm",
        "     entry point  qaoa.qaoa_algorithm",
        f"         project  {sdk.root}  (no pyproject.toml)",
        "         shipped  qaoa/  (no pyproject.toml: the folder the import needs, as the Braket SDK ships a "
        "source_module)",
        "   imported from  ., qaoa  (folders of the job's code, first wins)"]
    assert "warning" not in out


def test_with_a_pyproject_the_project_ships_as_before(sdk: Project, capsys: pytest.CaptureFixture[str]) -> None:
    sdk.pyproject(BASIC)
    document = _planned(capsys, "qaoa/qaoa_algorithm.py:main")
    assert document["source"]["shipped"] == str(sdk.root) and document["source"]["pyproject"]
    assert document["source"]["import_paths"] == [".", "qaoa"]
    assert _shipped(document) == ["notes.txt", "pyproject.toml", "qaoa/qaoa_algorithm.py", "qaoa/utils.py"]


def test_a_module_at_the_top_ships_its_folder(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.write("train.py", "def train(steps: int = 1) -> int:\n    return steps\n")
    project.write("train/checkpoint.txt", "a folder named like the module")
    document = _planned(capsys, "train.py:train")
    assert document["source"]["shipped"] == str(project.root) and document["source"]["import_paths"] == ["."]
    assert _shipped(document) == ["train.py", "train/checkpoint.txt"]


def test_the_sdk_folder_runs_here(sdk: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """A module importing its own folder as a package (``from qaoa.utils import ...``) runs in a local job."""
    code, out, err = run_cli(capsys, "run", "qaoa.qaoa_algorithm:main", "--local", "--json", "--set", "device=local",
                             "--steps", "3", "--layers", "[2, 4]")
    assert (code, err) == (0, ""), err
    assert json.loads(out)["result"] == {"device": "local:braket/braket_sv", "steps": 3, "layers": [2, 4],
                                         "name": "maxcut"}
    code, out, err = run_cli(capsys, "run", "qaoa.qaoa_algorithm", "--local", "--json", "--set", "device=local")
    assert (code, err) == (0, ""), err
    folder = Path(json.loads(out)["folder"])
    assert "as a script: {'device': 'local:braket/braket_sv'" in (folder / "log.txt").read_text()
    assert (sdk.root / ".braketkit" / "jobs").is_dir()  # the project is where the import name starts


def test_a_function_of_the_sdk_folder_imports_its_siblings_both_ways(sdk: Project,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """``from qaoa.utils import ...`` (the folder as a package) and ``import utils`` (a script's sibling) both work
    in a function's job: its call puts the module's own folder on ``sys.path`` after the code folder."""
    sdk.write("qaoa/sibling.py", "import utils\nfrom qaoa.utils import get_device\n\n\n"
                                 "def both() -> list[str]:\n    return [utils.__name__, get_device.__module__]\n")
    code, out, err = run_cli(capsys, "run", "qaoa/sibling.py:both", "--local", "--json", "--set", "device=local")
    assert (code, err) == (0, ""), err
    assert json.loads(out)["result"] == ["utils", "qaoa.utils"]


RUNNER = '''
import os
import pathlib

pathlib.Path("imported-here").write_text("the top level ran")
ENTRY = os.environ["AMZN_BRAKET_SCRIPT_ENTRY_POINT"]  # only a job has it


def run(shots: int, label: str = "bell", verbose: bool = False, *, seed: int | None = None) -> dict:
    return {"shots": shots, "label": label, "verbose": verbose, "seed": seed, "entry": ENTRY}
'''


def test_a_module_reading_a_job_variable_is_planned_without_importing_it(
        project: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AMZN_BRAKET_SCRIPT_ENTRY_POINT", raising=False)
    project.write("src/runner.py", RUNNER)
    document = _planned(capsys, "src/runner.py:run", "--shots", "100", "--verbose", "--seed", "7")
    assert document["call"]["entry"] == "src.runner:run"
    assert document["call"]["arguments"] == {"shots": "100", "verbose": "true", "seed": "7"}
    assert document["request"]["hyperParameters"] == {"shots": "100", "label": "bell", "verbose": "True",
                                                      "seed": "7"}  # as the Braket SDK's decorator writes them
    assert _shipped(document) == ["src/runner.py"]
    code, out, _ = run_cli(capsys, "plan", "src.runner:run", "--help")
    assert code == 0 and "--shots INTEGER" in out and "--seed INTEGER" in out and "[required]" in out
    code, _, err = run_cli(capsys, "plan", "src.runner:run", *OFFLINE)
    assert (code, err.splitlines()[-1]) == (2, "Error: Missing option '--shots'.")
    assert not (project.root / "imported-here").exists() and not (project.root / "src" / "imported-here").exists()
    code, out, err = run_cli(capsys, "run", "src.runner:run", "--local", "--json", "--set", "device=local",
                             "--shots", "10")
    assert (code, err) == (0, ""), err
    assert json.loads(out)["result"] == {"shots": 10, "label": "bell", "verbose": False, "seed": None,
                                         "entry": "braketkit_job:run"}  # imported in the job alone, as the SDK's
    assert not (project.root / "imported-here").exists()


NEEDS = '''
from typing import Literal

import qiskit_nature_is_not_installed_here

from braketkit import hybrid_job


@hybrid_job(device="sv1", instance={"type": "ml.c5.xlarge"}, tags={"team": "qml"})
def solve(depth: int = 1) -> dict:
    return {"depth": depth}


def energy(distance: float, basis: Literal["sto-3g", "6-31g"] = "sto-3g") -> float:
    return distance
'''


def test_a_module_missing_a_package_here_is_planned_from_its_source(project: Project,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    project.write("chemistry.py", NEEDS)
    document = _planned(capsys, "chemistry.py:energy", "--distance", "0.74", "--basis", "6-31g")
    arguments = document["call"]["arguments"]
    assert (arguments["distance"], arguments["basis"]) == ("0.74", '"6-31g"')
    assert document["warnings"] == []  # never imported: nothing failed
    code, out, err = run_cli(capsys, "plan", "chemistry.py:solve", "--offline", "--set", "region=us-east-1", "--json",
                             "--depth", "2")
    assert (code, err) == (0, ""), err
    document = json.loads(out)
    assert document["settings"]["instance.type"] == {"value": "ml.c5.xlarge", "origin": "@hybrid_job in chemistry.py"}
    assert document["settings"]["tags.team"] == {"value": "qml", "origin": "@hybrid_job in chemistry.py"}
    assert document["request"]["deviceConfig"]["device"].endswith("/sv1")
    assert document["warnings"] == [
        "importing chemistry failed here (No module named 'qiskit_nature_is_not_installed_here'), so solve and its "
        "@hybrid_job settings were read from its source; the job imports it where it runs (a run with --local needs "
        "the import to work here)"]


@pytest.mark.parametrize(("body", "expected"), [
    ("import braketkit as bk\n\n@bk.hybrid_job(device='sv1')\ndef f():\n    pass\n", True),
    ("from braketkit.decorator import hybrid_job as hj\n\n@hj\ndef f():\n    pass\n", True),
    ("from braketkit import hybrid_job\n\non_qpu = hybrid_job(device='forte')\n\n@on_qpu\ndef f():\n    pass\n", True),
    ("from functools import cache\n\n@cache\ndef f():\n    pass\n", False),
    ("import braketkit\nfrom functools import cache\n\n@cache\ndef f():\n    pass\n", False),
    ("def timer(function):\n    return function\n\n@timer\ndef f():\n    pass\n", False),
    ("from braket.jobs import hybrid_job\n\n@hybrid_job(device=None)\ndef f():\n    pass\n", False),
], ids=["braketkit-as", "decorator-module", "an-alias-made-of-it", "functools", "other-decorator-beside-braketkit",
        "own-decorator-without-braketkit", "the-braket-sdks-own"])
def test_which_functions_braketkit_decorates(body: str, expected: bool) -> None:
    tree = module_source.parse_text(body)
    found = module_source.find_function(tree, "f")
    assert isinstance(found, module_source.Defined) and found.decorated is expected


@pytest.mark.parametrize(("body", "name", "expected"), [
    ("def f():\n    pass\n\nf = wrap(f)\n", "f", None),  # the module's f is what wrap returns
    ("try:\n    from fast import f\nexcept ImportError:\n    def f():\n        pass\n", "f", None),
    ("from helpers import *\n", "f", None),
    ("def __getattr__(name):\n    pass\n", "f", None),
    ("F = 1\n", "F", None),
    ("def g():\n    pass\n\ndef _h():\n    pass\n", "f", module_source.Undefined(["g"])),
    ("if DEBUG:\n    f = 1\n\ndef f():\n    pass\n", "f", "defined"),  # the def comes last: it is the module's f
], ids=["rebound", "conditional", "star-import", "module-getattr", "assigned", "undefined", "defined-last"])
def test_what_the_source_can_say_of_a_name(body: str, name: str, expected: object) -> None:
    found = module_source.find_function(module_source.parse_text(body), name)
    assert isinstance(found, module_source.Defined) if expected == "defined" else found == expected


SIGNATURE = '''
import typing as t
from typing import Literal, Optional

from lab import Ansatz, Budget


def solve(graph: list[list[int]], /, depth: int = 1, mode: Literal["fast", "exact"] = "fast", *rest,
          ansatz: Ansatz | None = None, budget=Budget(3), seed: Optional[int] = None, weights: t.Dict[str, float] = {},
          note: "str | None" = None, shape: tuple[int, ...] = (2, 2), **extra) -> dict[str, int]:
    """Solve it."""
'''


def test_the_stand_in_has_the_source_signature_and_plain_types_only() -> None:
    found = module_source.find_function(module_source.parse_text(SIGNATURE), "solve")
    assert isinstance(found, module_source.Defined)
    function = module_source.stand_in(found, "lab.jobs")
    assert (function.__name__, function.__qualname__, function.__module__, function.__doc__) == (
        "solve", "solve", "lab.jobs", "Solve it.")
    assert str(inspect.signature(function)) == (
        "(graph: list[list[int]], /, depth: int = 1, mode: Literal['fast', 'exact'] = 'fast', *rest, "
        "ansatz: 'Ansatz | None' = None, budget=Budget(3), seed: Optional[int] = None, weights: dict[str, float] = {}, "
        "note: Optional[str] = None, shape: tuple[int, ...] = (2, 2), **extra) -> dict[str, int]")
    kinds = {name: found.kind for name, found in parameter_types(function).items()}
    assert kinds == {"graph": list[list[int]], "depth": int, "mode": Literal["fast", "exact"], "ansatz": Any,
                     "budget": Any, "seed": int | None, "weights": dict[str, float],
                     "note": str | None, "shape": tuple[int, ...]}
    assert typing.get_type_hints(function)["return"] == dict[str, int]
    helps = {name: option.help for option, name in function_options(function, set())}
    assert helps["ansatz"] == "argument ansatz: Ansatz | None, as JSON [default: None]"
    assert helps["budget"] == ("argument budget: JSON, or text if not JSON (no annotation, and the default gives no "
                               "type) [default: Budget(3)]")
    with pytest.raises(TypeError, match=r"^lab\.jobs\.solve was read from its source, not imported: it runs in the"):
        function([[0, 1]])


def test_the_stand_in_is_of_the_source_kind() -> None:
    tree = module_source.parse_text(
        "def plain():\n    def inner():\n        yield 1\n    return inner\n\n"
        "def steps():\n    yield 1\n\nasync def fetch():\n    pass\n\nasync def stream():\n    yield 1\n\n"
        "class list:\n    pass\n\ndef shadowed(x: list[int]): pass\n")

    def made(name: str) -> Any:
        found = module_source.find_function(tree, name)
        assert isinstance(found, module_source.Defined)
        return module_source.stand_in(found, "m")

    assert not inspect.isgeneratorfunction(made("plain"))  # a nested function's yield is its own
    assert inspect.isgeneratorfunction(made("steps"))
    assert inspect.iscoroutinefunction(made("fetch"))
    assert inspect.isasyncgenfunction(made("stream"))
    assert inspect.signature(made("shadowed")).parameters["x"].annotation == "list[int]"  # the module's own list


def test_an_undecorated_generator_is_refused_from_its_source(project: Project,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    project.write("gen.py", "import torch_is_not_installed_here\n\ndef steps(n: int = 3):\n    yield from range(n)\n")
    code, _, err = run_cli(capsys, "plan", "gen.py:steps", *OFFLINE)
    assert (code, err) == (2, "error: entry: steps is a generator: what it yields is not a result the job can store; "
                              "return a list instead\n")


SIBLINGS = '''
import utils

from braketkit import hybrid_job


@hybrid_job(device=utils.DEVICE)
def main() -> str:
    return utils.DEVICE
'''


def test_a_decorated_module_imports_its_neighbour_here_as_in_the_job(project: Project,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """``import utils`` (as ``python qaoa/run.py`` allows): the folder's own root is on the path here too."""
    project.write("qaoa/run.py", SIBLINGS)
    project.write("qaoa/utils.py", "DEVICE = 'dm1'\n")
    code, out, err = run_cli(capsys, "plan", "qaoa/run.py:main", "--offline", "--set", "region=us-east-1", "--json")
    assert (code, err) == (0, ""), err
    document = json.loads(out)
    assert document["request"]["deviceConfig"]["device"].endswith("/dm1") and document["warnings"] == []
    assert document["source"]["import_paths"] == [".", "qaoa"]  # the job imports `utils` from qaoa/ as well


def test_a_folder_with_a_module_named_like_it_keeps_one_import_folder(project: Project) -> None:
    project.write("qaoa/run.py", "def main():\n    pass\n")
    project.write("qaoa/qaoa.py", "")  # on the path, qaoa/ would make `import qaoa` this module
    assert load_reference("qaoa.run:main").import_roots == (project.root,)
    project.write("lab/__init__.py", "")
    project.write("lab/run.py", "def main():\n    pass\n")
    assert load_reference("lab/run.py:main").import_roots == (project.root,)  # a package: imported as lab.run only


def test_a_folder_python_cannot_import_stops_the_name(project: Project) -> None:
    project.write("4_Embedded_simulators/qaoa/qaoa_algorithm.py", ALGORITHM)
    target = load_reference("4_Embedded_simulators/qaoa/qaoa_algorithm.py")
    assert (target.module, target.import_root) == ("qaoa.qaoa_algorithm", project.root / "4_Embedded_simulators")


def test_run_from_inside_the_folder_the_warning_names_it(sdk: Project, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Example 4 planned from inside ``qaoa/``: only its contents would ship, so ``from qaoa.utils`` would fail in
    the job; the plan says why and what to do, and never to install qaoa."""
    monkeypatch.chdir(sdk.root / "qaoa")
    code, out, _ = run_cli(capsys, "plan", "qaoa_algorithm.py:main", *OFFLINE)
    assert code == 0
    warning = (f"warning: qaoa_algorithm imports qaoa; qaoa is your own folder {sdk.root / 'qaoa'}, which the job "
               f"does not get: run braketkit from {sdk.root}, naming the entry qaoa/qaoa_algorithm.py, so that "
               "qaoa/ ships whole")
    assert [line for line in out.splitlines() if line.startswith("warning:")] == [warning]
    (sdk.root / "qaoa" / "pyproject.toml").write_text(BASIC)
    code, out, _ = run_cli(capsys, "plan", "qaoa_algorithm.py:main", *OFFLINE)
    assert [line for line in out.splitlines() if line.startswith("warning:")] == [
        f"warning: qaoa_algorithm imports qaoa; qaoa is your own folder {sdk.root / 'qaoa'}, which the job does not "
        f'get: set source = ".." in [tool.braketkit], so that {sdk.root} ships whole']


def test_a_neighbour_of_the_shipped_folder_is_named_too(sdk: Project, capsys: pytest.CaptureFixture[str]) -> None:
    sdk.write("common.py", "SHOTS = 100\n")
    sdk.write("qaoa/qaoa_algorithm.py", "import common\n" + textwrap.dedent(ALGORITHM))
    code, out, _ = run_cli(capsys, "plan", "qaoa.qaoa_algorithm", *OFFLINE)
    assert code == 0
    assert [line for line in out.splitlines() if line.startswith("warning:")] == [
        f"warning: qaoa.qaoa_algorithm imports common; common is your own module common.py, which the job does not "
        f"get: put a pyproject.toml in {sdk.root}, whose folder then ships whole as the project"]


def test_a_decorated_module_that_cannot_import_its_own_folder_names_it(sdk: Project,
                                                                       capsys: pytest.CaptureFixture[str],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    sdk.write("qaoa/qaoa_algorithm.py", "from braketkit import hybrid_job\nfrom qaoa.utils import get_device\n\n"
              "DEVICE = 'sv1'\n\n@hybrid_job(device=DEVICE)\ndef main():\n    return get_device()\n")
    monkeypatch.chdir(sdk.root / "qaoa")
    code, _, err = run_cli(capsys, "plan", "qaoa_algorithm.py:main", *OFFLINE)
    assert (code, err) == (2, (
        "error: qaoa_algorithm.py:main: importing qaoa_algorithm failed: No module named 'qaoa'; qaoa is your own "
        f"folder {sdk.root / 'qaoa'}, which the job does not get: run braketkit from {sdk.root}, naming the entry "
        "qaoa/qaoa_algorithm.py, so that qaoa/ ships whole; the @hybrid_job settings of main (qaoa_algorithm.py:6) "
        "are not all literals (device=DEVICE), so they cannot be read without importing qaoa_algorithm: write them "
        "as literals (strings, numbers, lists, dicts) or in [tool.braketkit]\n"))
    assert "install" not in err


def _options(help_text: str) -> set[str]:
    """The option names a --help lists (the first of each line's)."""
    return {match for match in re.findall(r"^\s{2}(-[-\w]+)", help_text, re.MULTILINE)}


@pytest.mark.parametrize("command", ["run", "plan"])
def test_help_without_a_ref_lists_every_option(basic_project: Project, capsys: pytest.CaptureFixture[str],
                                               command: str) -> None:
    code, alone, _ = run_cli(capsys, command, "--help")
    assert code == 0
    code, with_ref, _ = run_cli(capsys, command, "train.py:train", "--help")
    assert code == 0
    assert _options(alone) == _options(with_ref) - {"--steps", "--lr"}  # the function's own, which TRAIN has
    assert len(_options(alone)) >= (12 if command == "run" else 5)
    assert f"`braketkit {command} REF --help` lists them" in " ".join(alone.split())


def test_config_show_reads_a_function_from_its_source(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.write("chemistry.py", NEEDS)
    code, out, err = run_cli(capsys, "config", "show", "chemistry.py:solve", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["device"] == {"value": "sv1", "origin": "@hybrid_job in chemistry.py"}


def test_a_project_folder_named_like_a_package_it_uses_is_not_taken_for_it(project: Project,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Planned in ``~/project``, ``import project`` is a package the job installs; ``from project.helpers import``
    with ``helpers.py`` right here is this folder, run from inside it."""
    assert project.root.name == "project"
    project.write("run.py", "import project\n\n\ndef main():\n    pass\n")
    code, out, _ = run_cli(capsys, "plan", "run.py:main", *OFFLINE)
    assert code == 0 and "warning" not in out
    project.write("helpers.py", "")
    project.write("run.py", "from project.helpers import x\n\n\ndef main():\n    pass\n")
    code, out, _ = run_cli(capsys, "plan", "run.py:main", *OFFLINE)
    assert code == 0 and f"warning: run imports project; project is your own folder {project.root}, " in out
