"""Stage 2 alone: which files are shipped, and archives that are byte-for-byte reproducible."""

from __future__ import annotations

import contextlib
import functools
import gzip
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import braketkit
from braketkit import InvalidInput
from braketkit.package import RUNTIME_PACKAGE, collect_channel, is_runtime_member, package_source
from braketkit.package.archive import Member, write_archive
from braketkit.package.select import SourceFile, select_files

from .conftest import Project, run_cli


def names(root: Path, **kwargs: Any) -> list[str]:
    return [file.name for file in select_files(root, **kwargs)]


def test_always_excluded_and_secret_files_stay_out(project: Project) -> None:
    for name in ["main.py", ".git/HEAD", "pkg/__pycache__/m.cpython-311.pyc", ".env", ".env.local", "certs/server.pem",
                 "deploy.key", "id_rsa", "id_rsa.pub", ".aws/credentials", "store.p12", "credentials", ".netrc",
                 ".braketkit/archives/x.tar.gz", ".pytest_cache/v", "notes.txt", "pkg/mod.py"]:
        project.write(name, "x")
    assert names(project.root) == ["main.py", "notes.txt", "pkg/mod.py"]


def test_virtual_environments_are_found_by_their_marker_whatever_their_name(project: Project) -> None:
    project.write("main.py", "")
    project.write("my-env/pyvenv.cfg", "home = /usr")
    project.write("my-env/lib/site.py", "")
    project.write("conda/conda-meta/history", "")
    assert names(project.root) == ["main.py"]


def test_gitignore_rules_nested_negated_and_anchored(project: Project) -> None:
    project.write(".gitignore", "*.log\n/build/\ndata/\n!keep.log\n")
    project.write("sub/.gitignore", "local.txt\n!important.log\n")
    for name in ["a.log", "keep.log", "build/out.bin", "sub/build/x.py", "data/big.csv", "sub/local.txt",
                 "sub/important.log", "sub/other.log", "local.txt", "main.py"]:
        project.write(name, "x")
    assert names(project.root) == [".gitignore", "keep.log", "local.txt", "main.py", "sub/.gitignore",
                                   "sub/build/x.py", "sub/important.log"]


def test_exclude_and_include_settings(project: Project) -> None:
    project.write(".gitignore", "data/\n")
    for name in ["main.py", "notebooks/a.ipynb", "data/train.csv", "data/raw.bin", "data/sub/x.csv", ".env.job"]:
        project.write(name, "x")
    chosen = names(project.root, exclude=["notebooks/"], include=["data/*.csv", ".env.job"])
    assert chosen == [".env.job", ".gitignore", "data/train.csv", "main.py"]


def test_symlinks_inside_are_stored_as_content_and_outside_are_refused(project: Project, tmp_path: Path) -> None:
    project.write("real/data.txt", "payload")
    os.symlink(project.root / "real" / "data.txt", project.root / "link.txt")
    os.symlink(project.root / "real", project.root / "alias")
    assert names(project.root) == ["alias/data.txt", "link.txt", "real/data.txt"]
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    os.symlink(outside, project.root / "escape.txt")
    with pytest.raises(InvalidInput) as caught:
        select_files(project.root)
    assert str(caught.value) == (
        f"escape.txt: symbolic link points outside the source folder, to {outside}; "
        "copy the file in, or add '/escape.txt' to exclude"
    )


def test_within_ships_one_folder_named_from_the_root(project: Project) -> None:
    """The Braket SDK's ``source_module`` folder: ``qaoa/`` alone, as ``qaoa/...``, under the root's rules."""
    project.write(".gitignore", "*.log\n")
    for name in ["qaoa/qaoa_algorithm.py", "qaoa/utils.py", "qaoa/debug.log", "qaoa/.env", "notes.txt",
                 "figures/plot.png", "qaoa_notes.py"]:
        project.write(name, "x")
    assert names(project.root, within="qaoa", exclude=["utils.py"]) == ["qaoa/qaoa_algorithm.py"]
    assert names(project.root, within="qaoa") == ["qaoa/qaoa_algorithm.py", "qaoa/utils.py"]
    os.symlink(project.root / "figures", project.root / "qaoa" / "figures")  # inside the root, but not the folder
    with pytest.raises(InvalidInput) as caught:
        select_files(project.root, within="qaoa")
    assert str(caught.value) == ("qaoa/figures: symbolic link points outside the source folder, to figures; copy the "
                                 "file in, or add 'qaoa/figures/' to exclude")


def test_symlink_cycles_end(project: Project) -> None:
    project.write("a/file.py", "")
    os.symlink(project.root / "a", project.root / "a" / "loop")
    assert names(project.root) == ["a/file.py"]


def _tar_names(path: Path) -> list[str]:
    with tarfile.open(path) as archive:
        return archive.getnames()


def test_archive_holds_sources_requirements_and_the_runtime(project: Project, tmp_path: Path) -> None:
    project.write("main.py", "print(1)")
    project.write("requirements.txt", "old\n")
    archive = package_source(project.root, dependencies=["numpy>=1.26", "scipy"], cache=tmp_path / "cache")
    runtime = sorted(p.name for p in (Path(braketkit.__file__).parent / "runtime").glob("*.py"))
    assert "entry.py" in runtime and "stand_in.py" in runtime
    assert _tar_names(archive.path) == ["braketkit_job.py", *(f"{RUNTIME_PACKAGE}/{name}" for name in runtime),
                                        "main.py", "requirements.txt"]
    with tarfile.open(archive.path) as opened:
        assert opened.extractfile("requirements.txt").read() == b"numpy>=1.26\nscipy\n"  # type: ignore[union-attr]
        member = opened.getmember("main.py")
        assert (member.mtime, member.uid, member.gid, member.uname, member.mode) == (315532800, 0, 0, "", 0o644)
    assert archive.path.name == f"{archive.sha256}.tar.gz"


def test_system_tar_reads_the_archive(project: Project, tmp_path: Path) -> None:
    project.write("main.py", "print(1)")
    project.write("résumé/ünïcode.py", "x = 1")
    archive = package_source(project.root, cache=tmp_path / "cache")
    listing = subprocess.run(["tar", "-tzf", str(archive.path)], capture_output=True, text=True, check=True).stdout
    assert "résumé/ünïcode.py" in listing.splitlines()
    assert subprocess.run(["gzip", "-t", str(archive.path)], check=False).returncode == 0


def test_size_guard_stops_with_the_largest_files_and_how_to_exclude_them(project: Project, tmp_path: Path) -> None:
    project.write("main.py", "")
    (project.root / "data").mkdir()
    (project.root / "data" / "big.bin").write_bytes(b"\0" * 1_500_000)
    (project.root / "weights.npy").write_bytes(b"\0" * 700_000)
    with pytest.raises(InvalidInput) as caught:
        package_source(project.root, max_source_mb=1, max_origin="pyproject.toml:9", cache=tmp_path / "c")
    assert str(caught.value) == (
        "pyproject.toml:9: max_source_mb: the source tree holds 2.2 MB, over the limit of 1 MB; exclude what the "
        "job does not need, pass data as input channels, or raise the limit\n"
        "largest files:\n"
        "          1.5 MB  data/big.bin   (exclude = ['data/'])\n"
        "          0.7 MB  weights.npy   (exclude = ['*.npy'])"
    )


def test_large_trees_warn(project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import braketkit.package as package

    monkeypatch.setattr(package, "WARN_BYTES", 10)
    project.write("main.py", "x" * 20)
    archive = package_source(project.root, cache=tmp_path / "c")
    assert archive.warnings[0].startswith("the source tree holds 0.0 MB; largest files:")


def test_nested_requirements_are_pointed_out(project: Project, tmp_path: Path) -> None:
    project.write("main.py", "")
    project.write("tools/requirements.txt", "pandas\n")
    archive = package_source(project.root, cache=tmp_path / "c")
    assert archive.warnings == ["the job's container installs every requirements.txt in the tree, nested ones "
                                "too: tools/requirements.txt"]


def test_missing_requirements_file(project: Project, tmp_path: Path) -> None:
    project.write("main.py", "")
    with pytest.raises(InvalidInput, match=r"cannot read requirements file .*: No such file or directory"):
        package_source(project.root, dependencies="reqs.txt", cache=tmp_path / "c")


def test_input_channel_digest_follows_content_not_time(project: Project) -> None:
    project.write("data/a.csv", "1,2\n")
    project.write("data/b/c.csv", "3,4\n")
    first = collect_channel("train", project.root / "data", "test")
    os.utime(project.root / "data" / "a.csv", (1, 1))
    assert collect_channel("train", project.root / "data", "test").digest == first.digest
    assert [f.name for f in first.files] == ["a.csv", "b/c.csv"]
    project.write("data/a.csv", "1,3\n")
    assert collect_channel("train", project.root / "data", "test").digest != first.digest
    single = collect_channel("one", project.root / "data" / "a.csv", "test")
    assert [f.name for f in single.files] == ["a.csv"]


_file_names = st.text(alphabet="abcdefghij_.-", min_size=1, max_size=8).filter(lambda n: n not in (".", ".."))
_trees = st.dictionaries(
    st.lists(_file_names, min_size=1, max_size=3).map("/".join),
    st.tuples(st.binary(max_size=3000), st.booleans()),
    min_size=1, max_size=12,
).filter(lambda tree: not any(name.startswith(other + "/") for name in tree for other in tree))


def _materialise(root: Path, tree: dict[str, tuple[bytes, bool]], mtime: int, umask_exec: int) -> list[Member]:
    members = []
    for name, (data, executable) in tree.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod((0o755 if executable else 0o644) & ~umask_exec | (0o600))
        os.utime(path, (mtime, mtime))
        members.append(Member(name, path, executable))
    return members


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=_trees, workers=st.integers(1, 4))
def test_equal_trees_give_equal_bytes(tmp_path: Path, tree: dict[str, tuple[bytes, bool]], workers: int) -> None:
    """Different mtimes, group/other permission bits, creation order and thread counts: same bytes."""
    roots = [tmp_path / "one", tmp_path / "two"]
    for root in roots:
        shutil.rmtree(root, ignore_errors=True)
    one = _materialise(roots[0], tree, mtime=1_000_000, umask_exec=0)
    two = _materialise(roots[1], dict(reversed(list(tree.items()))), mtime=2_000_000_000, umask_exec=0o077)
    first, second = io.BytesIO(), io.BytesIO()
    digest_one, _ = write_archive(one, first, workers=1)
    digest_two, _ = write_archive(list(reversed(two)), second, workers=workers)
    assert first.getvalue() == second.getvalue() and digest_one == digest_two
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(first.getvalue()))) as archive:
        assert archive.getnames() == sorted(member.name for member in one)


def test_blocks_larger_than_one_deflate_chunk_round_trip(tmp_path: Path) -> None:
    data = os.urandom(3 * (1 << 20) + 12345) + b"a" * (1 << 20)
    out = io.BytesIO()
    write_archive([Member("big.bin", data)], out, workers=2)
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(out.getvalue()))) as archive:
        assert archive.extractfile("big.bin").read() == data  # type: ignore[union-attr]


# -- The packaging corpus: a tree on disk, and what `braketkit plan --offline` ships or says -------------------

SETTINGS = '''
[tool.braketkit]
{settings}device = "sv1"
region = "us-east-1"
role = "arn:aws:iam::111122223333:role/service-role/AmazonBraketJobsExecutionRole"

[tool.braketkit.s3]
bucket = "amazon-braket-us-east-1-111122223333"
'''
TRAIN = '''
from braketkit import hybrid_job

@hybrid_job()
def train(steps: int = 10) -> dict:
    return {"steps": steps}
'''
PLAN = ("plan", "train.py:train", "--offline")


@attrs.frozen
class Tree:
    """A project: files (name, or name -> text), links (name -> target, as written), FIFOs, and settings
    lines for [tool.braketkit] (the first one is pyproject.toml:5)."""

    files: tuple[str, ...] | dict[str, str] = ()
    links: dict[str, str] = attrs.field(factory=dict)
    fifos: tuple[str, ...] = ()
    settings: str = ""
    raw: tuple[bytes, ...] = ()
    """Files whose names are bytes, not necessarily UTF-8."""

    def lay_out(self, project: Project) -> None:
        project.pyproject(SETTINGS.format(settings=self.settings))
        project.write("train.py", TRAIN)
        files = self.files if isinstance(self.files, dict) else dict.fromkeys(self.files, "x")
        for name, text in files.items():
            project.write(name, text)
        for name in self.fifos:
            (project.root / name).parent.mkdir(parents=True, exist_ok=True)
            os.mkfifo(project.root / name)
        for name, target in self.links.items():
            (project.root / name).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(target, project.root / name)
        for raw in self.raw:
            path = os.fsencode(project.root) + b"/" + raw
            os.makedirs(os.path.dirname(path), exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))


def _planned(capsys: pytest.CaptureFixture[str]) -> tuple[list[str], list[str]]:
    """What a plan ships (braketkit's own runtime left aside) and its warnings."""
    code, out, err = run_cli(capsys, *PLAN, "--json")
    assert (code, err) == (0, ""), err
    document = json.loads(out)
    names = [name for name in _tar_names(Path(document["uploads"][0]["path"]))
             if not is_runtime_member(name)]
    return names, document["warnings"]


SHIPPED = {
    "secret-names": (Tree(files=(
        "kubeconfig", ".kube/config", ".npmrc", ".pgpass", ".boto", ".s3cfg", ".docker/config.json",
        "terraform.tfstate", "terraform.tfstate.backup", "terraform.tfstate.1700000000.backup", "prod.tfvars",
        "service-account.json", "gcp_service_account_key.json", "client_secret.json",
        "client_secret_1234-abcd.apps.googleusercontent.com.json", "putty.ppk", "keystore.jks", ".htpasswd",
        "secrets.yaml", "secrets.yml", "secrets.json", "prod.env", "local.env", ".env", ".envrc", ".gnupg/pubring.kbx",
        ".netrc", ".pypirc", ".git-credentials", "id_ed25519", "server.key", "cert.pem", ".aws/credentials",
        "notes.txt", "config.json", "docker/config.json", "environment.yml", "envelope.py", "secrets_manager.py",
        "terraform/main.tf", "kube.py", "service.json", "client.json")),
        ["client.json", "config.json", "docker/config.json", "envelope.py", "environment.yml", "kube.py",
         "notes.txt", "secrets_manager.py", "service.json", "terraform/main.tf"],
    ),
    "secret-names-upper-and-mixed-case": (Tree(files=(
        "KUBECONFIG", ".KUBE/config", ".NPMRC", ".PGPASS", ".BOTO", ".S3CFG", ".Docker/Config.JSON",
        "TERRAFORM.TFSTATE", "Terraform.tfstate.BACKUP", "Service-Account.json", "CLIENT_SECRET.JSON", "KEY.PPK",
        "Store.JKS", ".HTPASSWD", "Secrets.YAML", "SECRETS.YML", "PROD.ENV", ".ENV", ".Env.Local",
        ".GNUPG/trustdb.gpg", "ID_RSA", "Server.PEM", "Credentials", ".AWS/config", "README.md")),
        ["README.md"],
    ),
    "secret-names-in-subfolders": (Tree(files=(
        "deploy/kubeconfig", "deploy/prod.kubeconfig", "deploy/.kube/config", "web/.npmrc", "db/.pgpass",
        "legacy/.boto", "s3/.s3cfg", "ci/.docker/config.json", "infra/terraform.tfstate",
        "infra/prod/terraform.tfstate.backup", "keys/my-service-account.json", "auth/client_secret_web.json",
        "keys/deploy.ppk", "java/keystore.jks", "web/.htpasswd", "k8s/secrets.yaml", "helm/secrets.yml",
        "config/prod.env", "config/.env.production", "config/.ENV", "home/.gnupg/private-keys-v1.d/a.key",
        "deploy/app.yaml", "infra/main.tf", "keys/README.md", "config/settings.toml")),
        ["config/settings.toml", "deploy/app.yaml", "infra/main.tf", "keys/README.md"],
    ),
    "virtual-environments-and-node-modules-by-name": (Tree(files=(
        ".venv/lib/site.py", "venv/bin/python", "VENV/lib/a.py", "sub/.venv/x.py", "node_modules/left-pad/index.js",
        "web/node_modules/x/index.js", "web/app.js", ".terraform/providers/p.bin")),
        ["web/app.js"],
    ),
    "a-folder-is-an-environment-when-it-looks-like-one": (Tree(files=(
        "env/bin/activate", "env/bin/python", "win/env/Scripts/activate.bat", "win/env/Lib/site.py",
        "old/lib/python3.11/site-packages/pkg.py", "old/bin/run", "cfg/env/pyvenv.cfg", "cfg/env/x.py",
        "conda/conda-meta/history")),
        [],
    ),
    "an-env-package-is-shipped": (Tree(files=(
        "env/__init__.py", "env/grid.py", "env/bin/run.sh", "env/lib/helpers.py", "env/lib/python/notes.txt")),
        ["env/__init__.py", "env/bin/run.sh", "env/grid.py", "env/lib/helpers.py", "env/lib/python/notes.txt"],
    ),
    "a-git-file-is-left-out-like-the-folder": (Tree(files={
        ".git": "gitdir: /elsewhere/.git/worktrees/w\n", "sub/.git": "gitdir: ../.git/modules/sub\n",
        "sub/mod.py": "", "other/.GIT/config": "", "other/.Hg/store": ""}),
        ["sub/mod.py"],
    ),
    "links-to-excluded-files-and-folders": (Tree(
        files=(".env", ".git/HEAD", ".kube/config", ".gnupg/pubring.kbx", "keys/id_rsa", "venv/lib/x.py",
               "node_modules/m/index.js", "real/a.csv", "myenv/pyvenv.cfg", "myenv/lib/x.py"),
        links={"settings.txt": ".env", "gitlink": ".git", "head.txt": ".git/HEAD", "cluster.yaml": ".kube/config",
               "keyring": ".gnupg", "key.txt": "keys/id_rsa", "envlink": "venv", "deps": "node_modules",
               "tools": "myenv", "data": "real", "SETTINGS.TXT": ".ENV"}),
        ["data/a.csv", "real/a.csv"],
    ),
    "links-to-gitignored-and-excluded-files": (Tree(
        files={".gitignore": "build/\n/private.txt\n", "build/out.bin": "", "private.txt": "", "drafts/d.md": ""},
        links={"out.bin": "build/out.bin", "public.txt": "private.txt", "final.md": "drafts/d.md",
               "built": "build"},
        settings="exclude = ['drafts/']\n"),
        [".gitignore"],
    ),
    "a-linked-folder-s-files-are-decided-by-their-real-path-too": (Tree(
        files={".gitignore": "/real/big.bin\n", "real/big.bin": "", "real/small.py": "", "real/private/x.txt": "",
               "real/.env": ""},
        links={"alias": "real", "nested/alias": "../real"},
        settings="exclude = ['real/private/']\n"),
        [".gitignore", "alias/small.py", "nested/alias/small.py", "real/small.py"],
    ),
    "dangling-links-fifos-and-excluded-loops-ship-nothing": (Tree(
        files=("data.csv",),
        links={"gone.txt": "nowhere.txt", ".#train.py": "root@host.1234:1700000000", "loop": "loop",
               "node_modules/.bin/a": "b", "node_modules/.bin/b": "a"},
        fifos=("pipe", "sub/pipe"), settings="exclude = ['loop']\n"),
        ["data.csv"],
    ),
    "names-that-are-not-utf-8-left-out-are-no-problem": (Tree(
        files={".gitignore": "scratch/\n"}, raw=(b"caf\xe9.txt", b"scratch/\xff.bin", b"scratch/d\xffir/x.py"),
        settings="exclude = ['caf?.txt']\n"),
        [".gitignore"],
    ),
    "an-include-naming-a-link-s-target-ships-it": (Tree(
        files={".env": "A=1\n"}, links={"settings.txt": ".env"}, settings="include = ['.env']\n"),
        [".env", "settings.txt"],
    ),
}


@pytest.mark.parametrize("tree, shipped", SHIPPED.values(), ids=SHIPPED.keys())
def test_what_is_shipped(tree: Tree, shipped: list[str], project: Project,
                         capsys: pytest.CaptureFixture[str]) -> None:
    tree.lay_out(project)
    names, _ = _planned(capsys)
    assert names == sorted(["pyproject.toml", "train.py", *shipped])


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail instead of hanging: SIGALRM interrupts a blocked open() (of a FIFO, say) with TimeoutError."""
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


LOOP = "symbolic link loop (following it leads back to itself); remove the link, or add {!r} to exclude"
FIFO_GITIGNORE = ("it is a FIFO (named pipe), not a regular file; braketkit reads every .gitignore to choose "
                  "what to ship: make it a file, or remove it")
REFUSED = {
    "a-link-to-itself": (Tree(links={"loop": "loop"}), "loop: " + LOOP.format("/loop")),
    "two-links-to-each-other": (Tree(links={"a": "b", "b": "a"}),
                                f"2 problems:\n  - a: {LOOP.format('/a')}\n  - b: {LOOP.format('/b')}"),
    "a-loop-in-a-subfolder": (Tree(files=("data/a.csv",), links={"data/current": "current"}),
                              "data/current: " + LOOP.format("data/current")),
    "a-link-leaving-the-folder": (Tree(links={"escape": "/"}),
                                  "escape: symbolic link points outside the source folder, to /; copy the file in, "
                                  "or add '/escape/' to exclude"),
    "a-fifo-named-gitignore": (Tree(fifos=(".gitignore",)), ".gitignore: " + FIFO_GITIGNORE),
    "a-fifo-named-gitignore-in-a-subfolder": (Tree(files=("sub/a.py",), fifos=("sub/.gitignore",)),
                                              "sub/.gitignore: " + FIFO_GITIGNORE),
    "a-folder-named-gitignore": (Tree(files=(".gitignore/x",)),
                                 ".gitignore: it is a folder, not a regular file; braketkit reads every .gitignore "
                                 "to choose what to ship: make it a file, or remove it"),
    "a-gitignore-link-loop": (Tree(links={".gitignore": ".gitignore"}),
                              "2 problems:\n  - .gitignore: cannot read .gitignore: Too many levels of symbolic "
                              f"links; make it readable, or remove it\n  - .gitignore: {LOOP.format('/.gitignore')}"),
    "dependencies-at-a-fifo": (Tree(fifos=("reqs.fifo",), settings="dependencies = 'reqs.fifo'\n"),
                               "pyproject.toml:5: dependencies: cannot read requirements file 'reqs.fifo': it is a "
                               "FIFO (named pipe), not a regular file"),
    "dependencies-at-a-link-to-a-fifo": (Tree(fifos=("pipe",), links={"requirements-job.txt": "pipe"},
                                              settings="dependencies = 'requirements-job.txt'\n"),
                                         "pyproject.toml:5: dependencies: cannot read requirements file "
                                         "'requirements-job.txt': it is a FIFO (named pipe), not a regular file"),
    "dependencies-at-a-folder": (Tree(files=("reqs/a.txt",), settings="dependencies = 'reqs'\n"),
                                 "pyproject.toml:5: dependencies: cannot read requirements file 'reqs': it is a "
                                 "folder, not a regular file"),
    "a-file-name-that-is-not-utf-8": (Tree(raw=(b"caf\xe9.txt",)),
                                      "caf\\xe9.txt: file name is not valid UTF-8; rename it, or add '/caf?.txt' to "
                                      "exclude"),
    "a-folder-name-that-is-not-utf-8": (Tree(raw=(b"d\xffir/x.py", b"d\xffir/y.py")),
                                        "d\\xffir: folder name is not valid UTF-8; rename it, or add '/d?ir/' to "
                                        "exclude"),
    "a-nested-name-that-is-not-utf-8": (Tree(raw=(b"data/\xe9t\xe9.csv",)),
                                        "data/\\xe9t\\xe9.csv: file name is not valid UTF-8; rename it, or add "
                                        "'data/?t?.csv' to exclude"),
    "every-problem-at-once": (Tree(fifos=(".gitignore",), links={"loop": "loop"}, raw=(b"\xff",)),
                              f"3 problems:\n  - .gitignore: {FIFO_GITIGNORE}\n  - loop: {LOOP.format('/loop')}\n"
                              "  - \\xff: file name is not valid UTF-8; rename it, or add '/?' to exclude"),
}


@pytest.mark.parametrize("tree, message", REFUSED.values(), ids=REFUSED.keys())
def test_what_is_refused(tree: Tree, message: str, project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    tree.lay_out(project)
    with deadline(20):
        code, out, err = run_cli(capsys, *PLAN)
    assert (code, out, err) == (2, "", f"error: {message}\n")
    assert not list((project.root / ".braketkit" / "archives").glob(".partial-*"))


# -- Files root cannot read either: the CLI runs without the capabilities that let root read anything --------

_NO_DAC = "-dac_override,-dac_read_search"


@pytest.fixture(scope="session")
def unprivileged(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The prefix that runs a command unable to read a file it may not read: nothing for a user; for root,
    setpriv without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (root reads any file otherwise)."""
    if os.geteuid() != 0:
        return []
    probe = tmp_path_factory.mktemp("probe") / "locked"
    probe.write_text("x")
    probe.chmod(0)
    prefix = ["setpriv", f"--inh-caps={_NO_DAC}", f"--bounding-set={_NO_DAC}"]
    try:
        result = subprocess.run([*prefix, "cat", str(probe)], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        pytest.skip("running as root, which reads every file, and setpriv (util-linux) is not installed")
    if "Permission denied" not in result.stderr:
        pytest.skip(f"running as root, and setpriv cannot drop CAP_DAC_OVERRIDE here: {result.stderr.strip()}")
    return prefix


UNREADABLE = {
    "a-file": ({"secret.txt": 0}, "secret.txt: cannot read: Permission denied; make it readable, or add "
                                  "'/secret.txt' to exclude"),
    "a-folder": ({"locked": 0}, "locked: cannot read folder: Permission denied; make it readable, or add "
                                "'/locked/' to exclude"),
    "a-folder-that-lists-but-cannot-be-entered": (
        {"noexec": 0o644}, "noexec/a.py: cannot read: Permission denied; make it readable, or add 'noexec/a.py' "
                           "to exclude"),
    "a-gitignore": ({".gitignore": 0}, ".gitignore: cannot read .gitignore: Permission denied; make it readable, "
                                       "or remove it"),
    "requirements": ({"reqs.txt": 0}, "pyproject.toml:5: dependencies: cannot read requirements file 'reqs.txt': "
                                      "Permission denied"),
}


@pytest.mark.parametrize("modes, message", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_what_cannot_be_read_is_refused(modes: dict[str, int], message: str, project: Project,
                                        unprivileged: list[str]) -> None:
    Tree(files=("secret.txt", "locked/a.py", "noexec/a.py", "reqs.txt"),
         settings="dependencies = 'reqs.txt'\n" if "reqs.txt" in modes else "").lay_out(project)
    (project.root / ".gitignore").write_text("*.log\n")
    try:
        for name, mode in modes.items():
            (project.root / name).chmod(mode)
        result = subprocess.run([*unprivileged, sys.executable, "-m", "braketkit", *PLAN], capture_output=True,
                                text=True, check=False, timeout=60)
    finally:
        for name in modes:
            (project.root / name).chmod(0o755)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"error: {message}\n")


def test_an_unreadable_file_left_out_is_never_opened(project: Project, unprivileged: list[str]) -> None:
    Tree(files=("main.py", "private/key.txt", "scratch.log"), settings="exclude = ['private/', '*.log']\n"
         ).lay_out(project)
    try:
        for name in ("private", "scratch.log"):
            (project.root / name).chmod(0)
        result = subprocess.run([*unprivileged, sys.executable, "-m", "braketkit", *PLAN], capture_output=True,
                                text=True, check=False, timeout=60)
    finally:
        for name in ("private", "scratch.log"):
            (project.root / name).chmod(0o755)
    assert (result.returncode, result.stderr) == (0, "")


# -- Files that change while they are packed ------------------------------------------------------------------

def _change_on_first_read(monkeypatch: pytest.MonkeyPatch, path: Path, change: Callable[[Path], None]) -> None:
    """Change ``path`` on disk just as packing starts reading it (the deterministic form of a concurrent writer)."""
    from braketkit.package import archive

    original = archive._Reader.read
    done: list[bool] = []

    def read(self: archive._Reader, count: int = -1, /) -> bytes:
        if not done and os.path.samestat(os.fstat(self._handle.fileno()), path.stat()):
            done.append(True)
            change(path)
        return original(self, count)

    monkeypatch.setattr(archive._Reader, "read", read)


def _grow(path: Path) -> None:
    with path.open("ab") as handle:
        handle.write(b"0123456789")


def _shrink(path: Path) -> None:
    os.truncate(path, 500)


CHANGED = {
    "grows": (_grow, "data.bin: changed while it was being packed (1000 bytes, then 1010); wait until whatever "
                     "writes it has finished and plan again, or add '/data.bin' to exclude"),
    "shrinks": (_shrink, "data.bin: shrank while it was being packed (1000 bytes, then 500); wait until whatever "
                         "writes it has finished and plan again, or add '/data.bin' to exclude"),
}


@pytest.mark.parametrize("change, message", CHANGED.values(), ids=CHANGED.keys())
def test_a_file_that_changes_while_it_is_packed_is_refused(
    change: Callable[[Path], None], message: str, project: Project, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Tree(files={"data.bin": "x" * 1000}).lay_out(project)
    _change_on_first_read(monkeypatch, project.root / "data.bin", change)
    code, out, err = run_cli(capsys, *PLAN)
    assert (code, out, err) == (2, "", f"error: {message}\n")
    assert os.listdir(project.root / ".braketkit" / "archives") == []


def test_a_file_removed_before_it_is_packed_is_refused(project: Project, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import braketkit.package as package

    Tree(files=("data.bin",)).lay_out(project)
    select = package.select_files

    def select_then_remove(*args: Any, **kwargs: Any) -> list[SourceFile]:
        chosen = select(*args, **kwargs)
        (project.root / "data.bin").unlink()
        return chosen

    monkeypatch.setattr(package, "select_files", select_then_remove)
    code, _, err = run_cli(capsys, *PLAN)
    assert (code, err) == (2, "error: data.bin: changed while the source was being packed (it is gone, or no "
                              "longer a file); wait until whatever writes it has finished and plan again, or add "
                              "'/data.bin' to exclude\n")


WRITER = '''
import os, sys
descriptor = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o644)
size = 16 << 20  # never small: reading it takes long enough for this process to change it meanwhile
os.ftruncate(descriptor, size)
print("writing", flush=True)
while True:  # grows and shrinks the file (sparse: no disk space), every moment, until it is killed
    size = size + 65536 if size < (48 << 20) else 16 << 20
    os.ftruncate(descriptor, size)
'''


def test_a_file_written_by_another_process_while_it_is_packed_is_refused(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    Tree(files=("main.py",), settings="max_source_mb = 1000\n").lay_out(project)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(project.root / "log.bin")], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
        with deadline(60):
            code, out, err = run_cli(capsys, *PLAN)
    finally:
        writer.kill()
        writer.wait()
    assert (code, out) == (2, "")
    assert re.fullmatch(r"error: log\.bin: (changed|shrank) while it was being packed \(\d+ bytes, then \d+\); wait "
                        r"until whatever writes it has finished and plan again, or add '/log\.bin' to exclude\n",
                        err), err


# -- Partial archives a killed packing left behind ------------------------------------------------------------

def test_stale_partial_archives_are_removed_by_the_next_packing(project: Project,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    import braketkit.package as package

    Tree(files=("main.py",)).lay_out(project)
    archives = project.root / ".braketkit" / "archives"
    archives.mkdir(parents=True)
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    host, hour_ago = package._host(), time.time() - 3600
    partials = {
        f".partial-{host}-{ended.pid}-dead": False,  # its writer is gone
        f".partial-{host}-{os.getpid()}-idle": False,  # its writer lives, but it has not been written for an hour
        ".partial-otherhost-1-idle": False,
        ".partial-oldstyle": False,
        f".partial-{host}-{os.getpid()}-live": True,  # another packing in this process, under way
        ".partial-otherhost-1-live": True,  # another machine's packing in a shared folder: its pid means nothing
    }
    for name, kept in partials.items():
        (archives / name).write_bytes(b"partial")
        if not kept and not name.endswith("dead"):
            os.utime(archives / name, (hour_ago, hour_ago))
    names, _ = _planned(capsys)
    assert names == ["main.py", "pyproject.toml", "train.py"]
    assert sorted(path.name for path in archives.glob(".partial-*")) == sorted(
        name for name, kept in partials.items() if kept)


def test_a_packing_killed_with_sigkill_leaves_nothing_behind_the_next(project: Project,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    Tree(files=("main.py",)).lay_out(project)
    (project.root / "weights.bin").write_bytes(os.urandom(24 << 20))  # seconds of deflate: time to kill it
    archives = project.root / ".braketkit" / "archives"
    packing = subprocess.Popen([sys.executable, "-m", "braketkit", *PLAN], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        start = time.monotonic()
        while not list(archives.glob(".partial-*")) and time.monotonic() - start < 60 and packing.poll() is None:
            time.sleep(0.002)
    finally:
        packing.kill()
        packing.wait()
    left = list(archives.glob(".partial-*"))
    if not left:
        pytest.fail("the packing ended before it could be killed; make weights.bin larger")
    names, _ = _planned(capsys)
    assert "weights.bin" in names
    assert list(archives.glob(".partial-*")) == []


# -- Shipped files that look like secrets: a warning in the plan ---------------------------------------------

SERVICE_ACCOUNT = '''{
  "type": "service_account",
  "project_id": "qml-lab",
  "private_key_id": "0123456789abcdef",
  "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n"
}
'''


SECRET_HOLDERS = {
    "notes/deploy.txt": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n",
    "gcp-qml-lab-0123456789ab.json": SERVICE_ACCOUNT,
    "settings.ini": "[aws]\naws_access_key_id = AKIA36G36UXP52G4FD6H\n",
    "db.py": 'URL = "postgresql://qml:hunter2@db.example.com/runs"\n',
}


def test_shipped_files_that_look_like_secrets_are_listed_in_a_warning(project: Project,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Secret-looking files an include pattern names are shipped on purpose: the plan's warning lists them."""
    Tree(
        files={
            ".env.job": "TOKEN=x\n", ".aws/config": "[default]\n", ".gitignore": "!.envrc\n!.env.example\n",
            ".envrc": "export A=1\n", ".env.example": "TOKEN=\n", "main.py": "", **SECRET_HOLDERS,
            "templates.py": 'URL = f"https://{user}:{password}@{host}/"\nDOCS = "https://docs.aws.amazon.com/x"\n',
            ".npmrc": "//registry.npmjs.org/:_authToken=abc\n", ".gnupg/pubring.kbx": "x"},
        links={"cluster.yaml": ".npmrc", "keyring": ".gnupg"},
        settings="include = ['.env.job', '.aws/config', '.npmrc', '.gnupg/', 'notes/', '/gcp-*.json', "
                 "'/settings.ini', '/db.py', '/pyproject.toml']\n"
                 "dependencies = ['mine @ https://me:s3cret@pypi.example.com/mine-1.0.tar.gz', 'numpy']\n",
    ).lay_out(project)
    names, warnings = _planned(capsys)
    assert names == [".aws/config", ".env.example", ".env.job", ".envrc", ".gitignore", ".gnupg/pubring.kbx",
                     ".npmrc", "cluster.yaml", "db.py", "gcp-qml-lab-0123456789ab.json", "keyring/pubring.kbx",
                     "main.py", "notes/deploy.txt", "pyproject.toml", "requirements.txt", "settings.ini",
                     "templates.py", "train.py"]
    assert warnings == [
        "these shipped files look like secrets: .aws/config (named like a secret), .env.job (named like a secret), "
        ".envrc (named like a secret), .gnupg/pubring.kbx (named like a secret), .npmrc (named like a secret), "
        "cluster.yaml (links to .npmrc, named like a secret), db.py (holds a password in a URL (://…) on line 1), "
        "gcp-qml-lab-0123456789ab.json (holds a private key (-----BEGIN…) on line 5), keyring/pubring.kbx (named "
        "like a secret), notes/deploy.txt (holds a private key (-----BEGIN…) on line 1), pyproject.toml (holds a "
        "password in a URL (://…) on line 6), requirements.txt (holds a password in a URL (://…) on line 1), "
        "settings.ini (holds an AWS access key id (AKIA…) on line 2); if the job does not need them, add them to "
        "exclude (or take them out of include)"]
    code, out, _ = run_cli(capsys, *PLAN)
    assert code == 0 and f"warning: {warnings[0]}\n" in out
    _, again = _planned(capsys)  # the archive of an unchanged tree is reused: the warning is not lost
    assert again == warnings


def test_a_file_holding_a_secret_stops_the_plan_unless_an_include_names_it(
        project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """The same files, not named by include: each stops the plan (exit 2) with its first line and the include that
    ships it on purpose; nothing is left in the archive folder."""
    Tree(files={**SECRET_HOLDERS, "main.py": ""}).lay_out(project)
    code, out, err = run_cli(capsys, *PLAN)
    leak = "a secret in the archive is a secret leaked (to S3, and to the job's container): take it out, or leave"
    assert (code, out) == (2, "")
    assert err == (
        "error: 4 problems:\n"
        f"  - db.py:1: holds a password in a URL (://…) on line 1; {leak} the file out with exclude = ['/db.py'], "
        "or, if the job needs it as it is, ship it on purpose with include = ['/db.py']\n"
        "  - gcp-qml-lab-0123456789ab.json:5: holds a private key (-----BEGIN…) on line 5; "
        f"{leak} the file out with exclude = ['/gcp-qml-lab-0123456789ab.json'], or, if the job needs it as it is, "
        "ship it on purpose with include = ['/gcp-qml-lab-0123456789ab.json']\n"
        f"  - notes/deploy.txt:1: holds a private key (-----BEGIN…) on line 1; {leak} the file out with exclude = "
        "['notes/deploy.txt'], or, if the job needs it as it is, ship it on purpose with include = "
        "['notes/deploy.txt']\n"
        f"  - settings.ini:2: holds an AWS access key id (AKIA…) on line 2; {leak} the file out with exclude = "
        "['/settings.ini'], or, if the job needs it as it is, ship it on purpose with include = ['/settings.ini']\n")
    assert list((project.root / ".braketkit" / "archives").glob("*.tar.gz")) == []


def test_no_warning_for_an_ordinary_tree(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    Tree(files={"main.py": 'ENDPOINT = "https://example.com:8443/api"\nKEY = os.environ["AWS_SECRET_ACCESS_KEY"]\n',
                "README.md": "ssh://git@github.com:22/org/repo and `id_rsa` and PRIVATE KEY handling\n",
                "tokenizer.json": "{}", "secrets_manager.py": "", "env/__init__.py": ""}).lay_out(project)
    _, warnings = _planned(capsys)
    assert warnings == []


def test_the_secret_search_reads_whole_files_as_they_are_packed(tmp_path: Path) -> None:
    """Every byte is searched (not the first 4 kB, as braketkit 0.2 did), a token cut by the blocks files are read in
    too, and each entry once: braketkit's own bytes as well as files."""
    from braketkit.package.archive import BLOCK
    from braketkit.package.secrets import FORMATS, Scan

    github, key, aws = (next(token.example.encode() for token in FORMATS if token.name == name)
                        for name in ("a GitHub token", "a private key", "an AWS access key id"))
    before = BLOCK - 10  # the token starts 10 bytes before the first block ends
    data = (b"x = 1\n" * BLOCK)[:before - 1] + b" " + github + b"\n" + b"y = 2\n" * (BLOCK // 3) + key + b"\n"
    (tmp_path / "late.txt").write_bytes(data)
    scans: dict[str, Scan] = {}

    def watch(name: str) -> Scan:
        scans[name] = Scan()
        return scans[name]

    write_archive([Member("late.txt", tmp_path / "late.txt"), Member("empty", b""), Member("made.py", b"K = '" + aws)],
                  io.BytesIO(), watch=watch)
    assert sorted(scans) == ["empty", "late.txt", "made.py"]
    assert [(found.start, found.format.name) for found in scans["late.txt"].findings] == [
        (before, "a GitHub token"), (data.index(key), "a private key")]
    assert [found.format.name for found in scans["made.py"].findings] == ["an AWS access key id"]
    assert scans["empty"].findings == []


# -- The built-in list is matched as gitignore would, whatever the case ---------------------------------------

_path_parts = st.sampled_from(["a", ".env", "ENV", "x.ENV", ".Docker", "config.json", ".kube", "config", "venv",
                               ".git", "id_rsa.pub", "Client_Secret_1.JSON", "m.pyc", "node_modules", "tf",
                               "terraform.tfstate.backup", "__pycache__", "secrets.yml", "k.PEM", "kubeconfig",
                               "café.ENV", "Ñode_modules", "clé.pem", "client_secret_é.json", "x.tfvars.json",
                               ".config", "gh", "Hosts.yml", "huggingface", "token", ".Cargo", "credentials", "gcloud",
                               "runtime", "jupyter"])


@functools.cache
def _built_in() -> tuple[Any, Any]:
    """The matcher and, as the reference, the same patterns parsed one by one: made once (the list is long, and a
    deadline holds for each example)."""
    from braketkit.package.gitignore import Matcher, parse
    from braketkit.package.select import ALWAYS_EXCLUDED

    matcher = Matcher(ALWAYS_EXCLUDED)
    matcher("café/.config/gh/hosts.yml", False)  # what it compiles when first needed, compiled before the deadline
    matcher("café/.config/gh", True)
    return matcher, parse([line.lower() for line in ALWAYS_EXCLUDED])


@given(parts=st.lists(_path_parts, min_size=1, max_size=4), is_folder=st.booleans())
def test_the_built_in_matcher_agrees_with_gitignore_rules_ignoring_case(parts: list[str], is_folder: bool) -> None:
    from braketkit.package.gitignore import last_match

    matcher, patterns = _built_in()
    name = "/".join(parts)
    assert matcher(name, is_folder) == (last_match(patterns, name.lower(), is_folder) is not None)
