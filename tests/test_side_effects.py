"""What must not happen: heavy imports, AWS calls or file reads at import or decoration time."""

from __future__ import annotations

import subprocess
import sys
import textwrap

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

    with pytest.raises(InvalidInput) as caught:
        hybrid_job(devcie="sv1", instance={"count": "2"})(lambda: None)  # type: ignore[call-overload]
    assert [str(p) for p in caught.value.problems] == [  # names and types alike, at once
        "@hybrid_job: devcie: unknown setting; did you mean 'device'?",
        "@hybrid_job: instance.count: expected an integer, got a string ('2')"]
