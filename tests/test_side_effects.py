"""What must not happen: heavy imports, AWS calls or file reads at import or decoration time."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from braketkit.places import display_path

from .conftest import Project, Tripwire


def _loaded_after(statement: str, packages: tuple[str, ...]) -> str:
    code = f"import sys; {statement}; print(sorted(m for m in sys.modules if m.split('.')[0] in {packages!r}))"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_import_braketkit_loads_neither_boto3_nor_botocore() -> None:
    assert _loaded_after("import braketkit", ("boto3", "botocore", "cattrs", "click", "attrs")) == "[]"
    assert _loaded_after("from braketkit import hybrid_job, Settings, Plan", ("boto3", "botocore")) == "[]"


def test_decorating_calls_no_aws_and_opens_no_file(project: Project, tripwire: Tripwire) -> None:
    """An audit hook watches every open() while a module full of decorated functions is executed."""
    project.pyproject('[tool.braketkit]\ndevice = "sv1"\n')
    source = textwrap.dedent('''
        from braketkit import Instance, hybrid_job

        @hybrid_job(device="sv1", instance=Instance(type="ml.c5.xlarge", count=2), tags={"a": "b"})
        def one(x: int) -> int:
            return x

        @hybrid_job(profile="qpu", stopping={"max_runtime": "2h"})
        def two() -> None:
            pass
    ''')
    probe = textwrap.dedent(f'''
        import sys
        import braketkit.decorator, braketkit.plan, braketkit.resolve  # what decorating may need, loaded up front
        opened = []
        sys.addaudithook(lambda event, args: opened.append(args[0]) if event == "open" else None)
        exec(compile({source!r}, "jobs.py", "exec"), {{"__name__": "jobs"}})
        print(len(opened), [m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore")])
    ''')
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "[]"]
    assert tripwire.requests == []


def test_bad_keywords_fail_at_decoration(project: Project) -> None:
    import pytest

    from braketkit import InvalidInput, hybrid_job

    line = sys._getframe().f_lineno + 2
    with pytest.raises(InvalidInput) as caught:
        hybrid_job(devcie="sv1", instance={"count": "2"})(lambda: None)  # type: ignore[call-overload]
    where = f"@hybrid_job in {display_path(Path(__file__))}:{line}"
    assert [str(p) for p in caught.value.problems] == [  # names and types alike, at once
        f"{where}: devcie: unknown setting; did you mean 'device'?",
        f"{where}: instance.count: expected an integer, got a string ('2')"]


_HEAVY = ("boto3", "botocore", "cattrs", "click", "tomllib", "concurrent.futures", "tarfile", "braketkit.plan",
          "braketkit.package", "braketkit.converter", "braketkit.execute", "braketkit.job", "braketkit.cli",
          "braketkit.model.request", "braketkit.model.job")


def _loaded(modules: str, names: tuple[str, ...]) -> list[str]:
    """Which of ``names`` (or their submodules) the printed ``sorted(sys.modules)`` holds."""
    return [name for name in names if any(m == name or m.startswith(name + ".") for m in modules.split())]


def test_decorating_imports_nothing_heavy(project: Project) -> None:
    """Importing, decorating and ``.options()`` load the settings vocabulary and nothing of planning or AWS.

    In a fresh interpreter, so that nothing another test imported can hide an import.
    """
    source = textwrap.dedent('''
        import sys
        from braketkit import Instance, hybrid_job

        @hybrid_job(device="sv1", instance="ml.c5.xlarge", stopping={"max_runtime": "2h"}, tags={"a": "b"})
        def train(steps: int = 10) -> int:
            return steps

        cheaper = train.options(instance=Instance(type="ml.m5.large"), profile="qpu")
        print(" ".join(sorted(sys.modules)))
    ''')
    done = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, check=True)
    assert _loaded(done.stdout, _HEAVY) == []
    assert _loaded(done.stdout, ("braketkit.decorator", "braketkit.model.settings", "attrs")) == [
        "braketkit.decorator", "braketkit.model.settings", "attrs"]  # the probe sees what decorating does load


def test_bad_keywords_still_fail_at_decoration_in_a_fresh_interpreter(project: Project) -> None:
    """The light path checks as much as ever: a misspelt name and a value of the wrong type, named at once."""
    source = textwrap.dedent('''
        import sys
        from braketkit import InvalidInput, hybrid_job

        try:
            hybrid_job(devcie="sv1", instance={"count": "2"})(lambda: None)
        except InvalidInput as error:
            print("\\n".join(str(problem) for problem in error.problems))
        print(" ".join(sorted(sys.modules)))
    ''')
    done = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, check=True)
    *problems, modules = done.stdout.splitlines()
    assert problems == ["@hybrid_job in <string>:6: devcie: unknown setting; did you mean 'device'?",
                        "@hybrid_job in <string>:6: instance.count: expected an integer, got a string ('2')"]
    assert _loaded(modules, _HEAVY) == []


def test_plan_offline_imports_no_job_or_aws_module(basic_project: Project) -> None:
    """``braketkit plan --offline`` loads what planning needs, not the commands about jobs, AWS or, once the
    archive is cached (the first plan wrote it), the threads that write one."""
    source = textwrap.dedent('''
        import sys
        if sys.argv[1:] == ["first"]:  # files written a moment ago count as settled: the archive is cached
            from braketkit.package import cache
            cache.RACY_NS = 0
        from braketkit.cli import main

        try:
            main(["plan", "train.py:train", "--offline"])
        except SystemExit as exit_:
            assert not exit_.code, exit_.code
        print(" ".join(sorted(sys.modules)))
    ''')
    first = subprocess.run([sys.executable, "-c", source, "first"], capture_output=True, text=True, check=True)
    assert _loaded(first.stdout.splitlines()[-1], ("concurrent.futures",)) == ["concurrent.futures"]
    done = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, check=True)
    modules = done.stdout.splitlines()[-1]
    unneeded = ("boto3", "botocore", "braketkit.job", "braketkit.execute", "braketkit.cli.jobs",
                "braketkit.cli.metrics", "braketkit.cli.limits", "braketkit.model.job", "concurrent.futures", "logging",
                "braketkit.package.capture.source")  # what captures a notebook's function
    if sys.version_info >= (3, 11):  # before 3.11, cattrs's exceptiongroup backport imports textwrap itself
        unneeded += ("textwrap",)
    assert _loaded(modules, unneeded) == []
    assert _loaded(modules, ("braketkit.plan", "braketkit.cli.render")) == ["braketkit.plan", "braketkit.cli.render"]


def test_the_command_keeps_the_collector_off_what_start_up_imports(basic_project: Project) -> None:
    """``braketkit`` (``braketkit.__main__.run``) imports the CLI with the collector off, then freezes what the
    imports made out of its passes, and plans with the collector on again."""
    source = textwrap.dedent('''
        import gc, sys
        from braketkit.__main__ import run

        before = gc.get_freeze_count()
        sys.argv = ["braketkit", "plan", "train.py:train", "--offline"]
        try:
            run()
        except SystemExit as exit_:
            assert not exit_.code, exit_.code
        print(before, gc.get_freeze_count(), gc.isenabled(), "braketkit.cli" in sys.modules)
    ''')
    done = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, check=True)
    before, frozen, enabled, imported = done.stdout.splitlines()[-1].split()
    assert (before, enabled, imported) == ("0", "True", "True")
    assert int(frozen) > 10_000  # click, attrs, cattrs and braketkit's settings and converter, at least


def test_the_job_commands_made_when_named_are_the_ones_listed() -> None:
    from braketkit.cli import _JOB_COMMANDS, _job_commands

    assert sorted(command.name or "" for command in _job_commands()) == list(_JOB_COMMANDS)


@pytest.mark.parametrize(("decorated", "message"), [
    ('@hybrid_job(device="sv1", instanse="ml.m5.large")\ndef train(steps=1):\n    return steps\n',
     "error: @hybrid_job in train.py:3: instanse: unknown setting; did you mean 'instance'?\n"),
    ("@hybrid_job(device=42)\ndef train(steps=1):\n    return steps\n",
     "error: @hybrid_job in train.py:3: device: expected a string, got an integer (42)\n"),
    ('@hybrid_job(device="sv1")\ndef train(steps=1):\n    return steps\n\ntrain.options(devcie="x")\n',
     "error: options() in train.py:7: devcie: unknown setting; did you mean 'device'?\n"),
    ('class Trainer:\n    @hybrid_job(device="sv1")\n    def train(self, steps=1):\n        return steps\n',
     "error: @hybrid_job in train.py:4: Trainer.train is defined in a class body, and a job runs its function alone, "
     "with no instance (self) or class; braketkit runs a function defined with def at the top level of a module, "
     "script or notebook cell: pass what it needs as arguments\n"),
], ids=["unknown-keyword", "wrong-type", "options", "method"])
def test_a_decorating_mistake_in_a_script_shows_as_the_cli_shows_it(project: Project, decorated: str,
                                                                    message: str) -> None:
    """``python train.py``: ``error: ...`` and exit 2, no traceback, and the script goes no further."""
    project.write("train.py", f"from braketkit import hybrid_job\n\n{decorated}\nprint('went on')\n")
    done = subprocess.run([sys.executable, "train.py"], cwd=project.root, capture_output=True, text=True,
                          check=False, timeout=60)
    assert (done.returncode, done.stderr, done.stdout) == (2, message, "")


def test_a_decorating_mistake_in_an_imported_module_keeps_its_traceback(project: Project) -> None:
    """Only a script's own mistakes read as the CLI's: an imported module's error is the importer's to handle."""
    project.write("jobs.py", "from braketkit import hybrid_job\n\n@hybrid_job(device=42)\ndef train():\n    pass\n")
    project.write("main.py", "import jobs\n")
    done = subprocess.run([sys.executable, "main.py"], cwd=project.root, capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 1 and "Traceback" in done.stderr
    assert done.stderr.endswith("InvalidInput: @hybrid_job in jobs.py:3: device: expected a string, got an integer "
                                "(42)\n")
