"""Stage 2 alone: which files are shipped, and archives that are byte-for-byte reproducible."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import braketkit
from braketkit import InvalidInput
from braketkit.package import RUNTIME_PACKAGE, collect_channel, package_source
from braketkit.package.archive import Member, write_archive
from braketkit.package.select import select_files

from .conftest import Project


def names(root: Path, **kwargs: list[str]) -> list[str]:
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
        f"{project.root / 'escape.txt'}: symbolic link points outside the source folder, to {outside}; "
        "copy the file in, or add 'escape.txt' to exclude"
    )


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
    assert _tar_names(archive.path) == [*(f"{RUNTIME_PACKAGE}/{name}" for name in runtime), "main.py",
                                        "requirements.txt"]
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
