"""The documentation cannot rot: its examples run, its TOML is accepted, its command lines parse.

(The API reference is checked in test_api_reference.py.)

Fenced blocks of README.md and docs/*.md, by language (docs/contributing.md says the same for writers):

- ``python``: run as a script, ``python example.py``, in a scratch project of their own, as a researcher
  would run them. By default the project is empty and every AWS endpoint is a tripwire: the block must make
  no AWS call. An HTML comment right before the fence changes that:
  ``<!-- run with: aws, train -->`` prepares the named setups (``SETUPS`` below: ``aws`` is moto and the
  loopback Braket control plane, which really runs the jobs; the others write files or define what the block
  uses), and ``<!-- not run: REASON -->`` leaves the block out, saying why.
- ``toml``: parsed; a ``[tool.braketkit]`` table must be accepted by ``resolve`` under every profile it
  defines, and one that names a device must also plan offline (the rules of the service model included).
- ``json``: parsed.
- ``sh`` lines starting with ``braketkit``, and ``$ braketkit`` lines of unlabelled (console) blocks: parsed
  by braketkit's click commands, option values converted, nothing run; ``cd DIR`` lines are followed, and
  ``run with`` setups prepare the folder.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import click
import pytest
from markdown_it import MarkdownIt

from braketkit.errors import BraketkitError
from braketkit.resolve.pyproject import parse_toml

from .conftest import Cloud, Tripwire, run_cli

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
EXAMPLES = ROOT / "examples"

_DIRECTIVE = re.compile(r"^<!--\s*(run with|not run):\s*(.*?)\s*-->\s*$", re.S)


@attrs.frozen
class Block:
    """One fenced block of a page, and what the HTML comment right before it says about running it."""

    page: str
    line: int
    language: str
    text: str
    setups: tuple[str, ...] = ()
    not_run: str | None = None

    def __str__(self) -> str:
        return f"{self.page}:{self.line}"


def _blocks(path: Path) -> list[Block]:
    tokens = MarkdownIt("commonmark").parse(path.read_text(encoding="utf-8"))
    found = []
    for index, token in enumerate(tokens):
        if token.type != "fence":
            continue
        before = tokens[index - 1] if index else None
        directive = _DIRECTIVE.match(before.content.strip()) if before and before.type == "html_block" else None
        setups = tuple(part.strip() for part in directive[2].split(",")) if directive and directive[1] == "run with" \
            else ()
        assert token.map is not None
        found.append(Block(str(path.relative_to(ROOT)), token.map[0] + 1, token.info.split(" ")[0], token.content,
                           setups=setups, not_run=directive[2] if directive and directive[1] == "not run" else None))
    return found


BLOCKS = [block for page in PAGES for block in _blocks(page)]


def _of(*languages: str) -> list[Any]:
    return [pytest.param(block, id=str(block)) for block in BLOCKS if block.language in languages]


# -- setups: what a block needs that the page says in prose ----------------------------------------------

TRAIN = '''
from braketkit import hybrid_job


@hybrid_job(device="sv1")
def train(steps: int = 10, lr: float = 0.1) -> dict:
    return {"steps": steps, "lr": lr}
'''


@attrs.frozen(kw_only=True)
class Setup:
    """What ``run with: NAME`` prepares: files, an example project to run in, code run before the block."""

    example: str | None = None
    """A folder of examples/ whose copy is the project."""
    files: dict[str, str] = attrs.field(factory=dict)
    pyproject: str = ""
    """TOML added to the project's pyproject.toml."""
    code: str = ""
    """Run before the block, in the same script."""
    after: str = ""
    """Run after the block: what the page says happens when the block's function is called."""
    aws: bool = False
    """Run against the loopback AWS (``cloud``), which runs the jobs, rather than the tripwire."""
    clone: bool = False
    """Copy examples/ into the project, as a clone of the repository has it."""


SETUPS = {
    "aws": Setup(aws=True, code="from braketkit import AwsJob\n\nAwsJob.DEFAULT_POLL = 0.05  # loopback: no wait\n"),
    "train": Setup(files={"train.py": TRAIN}, code="from train import train\n"),
    "experiments/train.py": Setup(files={"experiments/train.py": TRAIN}),
    "jobs.py": Setup(files={"jobs.py": TRAIN}),
    "an earlier job": Setup(code="earlier = train(steps=1)\nearlier.wait()\n"),
    "forte": Setup(pyproject='[tool.braketkit.devices]\nforte = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"\n'),
    "bell": Setup(example="bell", code="from bell import bell\n"),
    "qaoa": Setup(example="qaoa", code="from qaoa import maxcut\n"),
    "scripts": Setup(example="scripts"),
    "a qaoa job": Setup(example="qaoa", code=(
        "from qaoa import maxcut\n\nring = [(0, 1), (1, 2), (2, 3), (3, 0)]\njob = maxcut.local(ring)\n")),
    "maxcut's loop": Setup(example="qaoa", code=(  # the names the loop of examples/qaoa/qaoa.py has in scope
        "from qaoa import Optimizer\n\noptimizer = Optimizer(steps=3)\nangles = [0.5, 1.0]\n\n\n"
        "def expected_cut(angles):\n    return 2.5\n")),
    "weights": Setup(  # data.npy is left out of the archive: the job finds it only through the input channel
        pyproject='[tool.braketkit]\nexclude = ["*.npy"]\n',
        code="import numpy as np\n\nfrom braketkit import hybrid_job\n\nnp.save(\"data.npy\", np.arange(3.0))\n",
        after="train.local().result()\n"),
    "repository": Setup(clone=True),
    "example 4's qaoa folder": Setup(files={  # the Braket SDK's layout: a plain folder, no pyproject.toml of its own
        "qaoa/qaoa_algorithm.py": "import json\nimport os\n\nfrom qaoa.utils import get_device\n\n\n"
                                  "def main(steps: int = 2) -> dict:\n"
                                  "    return {\"device\": get_device(), \"steps\": steps}\n\n\n"
                                  "if __name__ == \"__main__\":  # as Braket's script mode runs it\n"
                                  "    with open(os.environ[\"AMZN_BRAKET_HP_FILE\"]) as file:\n"
                                  "        print(main(int(json.load(file).get(\"steps\", 2))))\n",
        "qaoa/utils.py": "import os\n\n\ndef get_device():\n    return os.environ[\"AMZN_BRAKET_DEVICE_ARN\"]\n"}),
}


def _prepare(block: Block, tmp_path: Path) -> tuple[Path, list[Setup]]:
    """The folder the block runs in, made from its setups."""
    unknown = [name for name in block.setups if name not in SETUPS]
    assert not unknown, f"{block}: no setup named {unknown}; the setups are {sorted(SETUPS)}"
    setups = [SETUPS[name] for name in block.setups]
    examples = {setup.example for setup in setups if setup.example}
    assert len(examples) <= 1, f"{block}: setups of different example projects: {sorted(examples)}"
    if examples:
        folder = Path(shutil.copytree(EXAMPLES / examples.pop(), tmp_path / "project",
                                      ignore=shutil.ignore_patterns(".braketkit")))
    else:
        folder = tmp_path / "project"
        folder.mkdir()
        (folder / "pyproject.toml").write_text('[project]\nname = "docs-example"\n', encoding="utf-8")
    if any(setup.clone for setup in setups):
        shutil.copytree(EXAMPLES, folder / "examples", ignore=shutil.ignore_patterns(".braketkit"))
    with (folder / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        for setup in setups:
            pyproject.write(f"\n{setup.pyproject}" if setup.pyproject else "")
    for setup in setups:
        for name, text in setup.files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return folder, setups


# -- python ---------------------------------------------------------------------------------------------


def test_every_block_not_run_says_why() -> None:
    assert [str(block) for block in BLOCKS if block.not_run is not None and not block.not_run.strip()] == []


@pytest.mark.parametrize("block", [block for block in _of("python") if block.values[0].not_run is None])
def test_python_block_runs(block: Block, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    folder, setups = _prepare(block, tmp_path)
    aws = any(setup.aws for setup in setups)
    endpoint: Cloud | Tripwire = request.getfixturevalue("cloud" if aws else "tripwire")
    script = folder / "example.py"
    script.write_text("".join(setup.code + "\n" for setup in setups) + block.text
                      + "".join("\n" + setup.after for setup in setups), encoding="utf-8")
    done = subprocess.run([sys.executable, script.name], cwd=folder, env=dict(os.environ), capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{block} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    if isinstance(endpoint, Tripwire):
        assert endpoint.requests == [], f"{block} called AWS: {endpoint.requests}"


# -- toml and json ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("block", _of("toml"))
def test_toml_block_is_accepted(block: Block, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch, tripwire: Tripwire) -> None:
    from braketkit.resolve import resolve

    document = parse_toml(block.text)
    settings = document.get("tool", {}).get("braketkit")
    if settings is None:
        return
    folder, _ = _prepare(block, tmp_path)
    text = block.text if "project" in document else f'[project]\nname = "docs-example"\n\n{block.text}'
    (folder / "pyproject.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(folder)
    for profile in [None, *settings.get("profiles", {})]:
        resolved = resolve(start=folder, profile=profile, environ={})
        if resolved.device is None:
            continue  # a fragment: nothing to plan
        _create_what_it_names(folder, resolved.settings)
        (folder / "docs_example.py").write_text(TRAIN, encoding="utf-8")
        profile_args = ["--profile", profile] if profile else []
        code, _, err = run_cli(capsys, "plan", "docs_example.py:train", "--offline", *profile_args)
        assert code == 0, f"{block} (profile {profile}) does not plan: {err}"
    assert tripwire.requests == []


def _create_what_it_names(folder: Path, settings: Any) -> None:
    """The files and folders the settings name, so that planning finds them."""
    paths = [settings.dependencies] if isinstance(settings.dependencies, str) else []
    paths += [path for path in settings.input.values() if not path.startswith("s3://")]
    for path in paths:
        target = folder / path
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.suffix:
                target.write_text("numpy\n", encoding="utf-8")
            else:
                target.mkdir()
                (target / "example.csv").write_text("1,2\n", encoding="utf-8")
    if settings.source and not (folder / settings.source).exists():
        (folder / settings.source).mkdir(parents=True)


@pytest.mark.parametrize("block", _of("json"))
def test_json_block_parses(block: Block) -> None:
    json.loads(block.text)


# -- command lines ---------------------------------------------------------------------------------------


def _command_lines(block: Block) -> Iterator[list[str]]:
    for line in block.text.splitlines():
        if block.language in ("", "console"):  # a transcript: only the lines after a prompt are typed
            if not line.startswith("$ "):
                continue
            line = line[2:]
        words = shlex.split(line, comments=True)
        if words and (words[0] in ("braketkit", "cd")):
            yield words


def _parse(argv: list[str]) -> None:
    """Parse a command line as braketkit would, down to the last subcommand; run nothing."""
    from braketkit.cli import cli

    command: click.Command = cli
    context = cli.make_context("braketkit", argv)
    while isinstance(command, click.Group):
        # click 8.2 keeps the subcommand's name and words in _protected_args (protected_args is deprecated)
        protected = context._protected_args if hasattr(context, "_protected_args") else context.protected_args
        rest = [*protected, *context.args]
        if not rest and command.invoke_without_command:
            return  # `braketkit limits` alone: the group's own command
        name, found, rest = command.resolve_command(context, rest)
        assert found is not None and name is not None
        command, context = found, found.make_context(name, rest, parent=context)


@pytest.mark.parametrize("block", [block for block in _of("sh", "shell", "console", "")
                                   if any(True for _ in _command_lines(block.values[0]))])
def test_command_lines_parse(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             tripwire: Tripwire) -> None:
    folder, _ = _prepare(block, tmp_path)
    monkeypatch.chdir(folder)
    for words in _command_lines(block):
        if words[0] == "cd":
            monkeypatch.chdir(Path.cwd() / words[1])
            continue
        try:
            _parse(words[1:])
        except (click.ClickException, click.exceptions.Exit, BraketkitError) as error:  # REF: braketkit's own
            pytest.fail(f"{block}: `{shlex.join(words)}` does not parse: {error}")
    assert tripwire.requests == []


def test_the_exception_tree_names_every_error_braketkit_raises() -> None:
    """docs/errors.md draws the tree of ``braketkit.errors``: a class added there and not drawn is a gap."""
    import braketkit.errors as errors

    tree = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8").split("BraketkitError                 ", 1)[1]
    drawn = set(re.findall(r"(?:[├└]── |^)(\w+)", tree.split("```", 1)[0], re.M))
    defined = {name for name, value in vars(errors).items() if isinstance(value, type) and issubclass(
        value, (errors.BraketkitError, KeyboardInterrupt)) and value.__module__ == errors.__name__}
    assert defined - drawn - {"BraketkitError"} == set()


def test_the_job_handles_documented_have_what_the_docs_say() -> None:
    """docs/cloud.md's and docs/local-runs.md's handle tables name members the handles have, and the other way."""
    from braketkit import AwsJob, LocalJob

    cloud = (ROOT / "docs" / "cloud.md").read_text(encoding="utf-8")
    for name in ("provenance", "planned", "rerun"):
        assert f"`{name}" in cloud or f".{name}(" in cloud, name
        assert hasattr(AwsJob, name) or name == "rerun"
    local = (ROOT / "docs" / "local-runs.md").read_text(encoding="utf-8")
    shared = local.split("`LocalJob` offers the cloud handle's interface:", 1)[1].split("; and, of its own", 1)[0]
    names = [name for name in re.findall(r"`(\w+)(?:\(\))?`", shared) if name.islower() and name != "name"]
    assert len(names) >= 10  # the states (RUNNING, ...) aside, and name, which each handle sets as it is made
    assert [name for name in names if not (hasattr(AwsJob, name) and hasattr(LocalJob, name))] == []


def secrets_tables() -> tuple[str, str]:
    """docs/security.md's two tables of what braketkit keeps out, as the table in braketkit/package/secrets.py says:
    credential stores by kind, token formats by content. (Print them with
    ``python -c "from tests.test_docs import secrets_tables; print(*secrets_tables(), sep='\\n\\n')"``.)"""
    from braketkit.package.secrets import FORMATS, STORES

    stores = ["| group | tool | left out (gitignore patterns, any letter case) |", "| --- | --- | --- |"]
    for index, store in enumerate(STORES):
        group = store.group if index == 0 or STORES[index - 1].group != store.group else ""
        stores.append(f"| {group} | {store.tool} | {', '.join(f'`{pattern}`' for pattern in store.patterns)} |")
    formats = ["| a file that holds | looking like |", "| --- | --- |"]
    formats += [f"| {token.name} | {token.shape} |" for token in FORMATS]
    return "\n".join(stores), "\n".join(formats)


def test_security_md_lists_every_secret_kind_and_format_braketkit_keeps_out() -> None:
    """The page's tables are the table's: a store or format added, changed or removed there and not here fails."""
    page = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    for table in secrets_tables():
        assert table in page, f"docs/security.md should hold, as it is:\n{table}"
