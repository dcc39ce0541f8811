"""The archive index: an unchanged tree is found again by a new process, and any edit is a new archive."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from braketkit import package
from braketkit.package import cache as index
from braketkit.package import package_source

from .conftest import Project


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trust changes of any age: these trees were all written a moment ago."""
    monkeypatch.setattr(index, "RACY_NS", 0)


@pytest.fixture
def no_packing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the archives written (and write them as usual)."""
    written: list[str] = []
    real = package.write_archive

    def counting(*args: object, **kwargs: object) -> tuple[str, int]:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        written.append(result[0])
        return result

    monkeypatch.setattr(package, "write_archive", counting)
    return written


def tree(project: Project) -> Path:
    project.write("train.py", "print('train')\n")
    project.write("pkg/util.py", "X = 1\n")
    project.write("deploy.key", "-----BEGIN RSA PRIVATE KEY-----\nabc\n")
    return project.root


def test_an_unchanged_tree_is_not_packed_again(project: Project, tmp_path: Path, settled: None,
                                               no_packing: list[str]) -> None:
    root, cache = tree(project), tmp_path / "cache"
    first = package_source(root, include=["deploy.key"], cache=cache)
    again = package_source(root, include=["deploy.key"], cache=cache)
    assert len(no_packing) == 1
    assert (again.sha256, again.size, again.files, again.source_bytes) == \
        (first.sha256, first.size, first.files, first.source_bytes)
    assert again.warnings == first.warnings and "deploy.key" in first.warnings[0]  # secrets still reported
    assert not list((cache / "index").glob(".partial-*"))


def test_a_new_process_finds_the_archive(project: Project, tmp_path: Path) -> None:
    """The second process would fail if it packed anything: it must find the first one's archive."""
    root, cache = tree(project), tmp_path / "cache"
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from braketkit import package
        from braketkit.package import cache
        cache.RACY_NS = 0
        if sys.argv[1] == "again":
            package.write_archive = None  # calling it would fail
        print(package.package_source(Path({str(root)!r}), cache=Path({str(cache)!r})).sha256)
    """)
    digests = [subprocess.run([sys.executable, "-c", script, step], capture_output=True, text=True, check=True
                              ).stdout.strip() for step in ("first", "again")]
    assert digests[0] == digests[1] and len(digests[0]) == 64


def test_every_kind_of_edit_is_a_new_archive(project: Project, tmp_path: Path, settled: None) -> None:
    root, cache = tree(project), tmp_path / "cache"
    seen = {package_source(root, cache=cache).sha256}
    target = root / "pkg" / "util.py"
    before = target.stat()
    target.write_text("X = 2\n")  # the same size, and the same modification time put back
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    seen.add(package_source(root, cache=cache).sha256)
    target.chmod(0o755)
    seen.add(package_source(root, cache=cache).sha256)
    (root / "new.py").write_text("")
    seen.add(package_source(root, cache=cache).sha256)
    assert len(seen) == 4
    assert package_source(root, cache=cache, exclude=["new.py"]).sha256 in seen  # selection counts too


def test_a_tree_changed_just_now_is_not_indexed(project: Project, tmp_path: Path, no_packing: list[str]) -> None:
    root, cache = tree(project), tmp_path / "cache"
    package_source(root, cache=cache)
    package_source(root, cache=cache)
    assert len(no_packing) == 2  # a second change within the same timestamp tick would go unseen
    assert not (cache / "index").exists() or not list((cache / "index").iterdir())


@pytest.mark.parametrize("damage", ["garbage", "wrong types", "truncated", "archive gone", "archive shorter",
                                    "archive rewritten", "empty"])
def test_a_damaged_entry_is_a_miss_not_an_error(project: Project, tmp_path: Path, settled: None,
                                                no_packing: list[str], damage: str) -> None:
    root, cache = tree(project), tmp_path / "cache"
    first = package_source(root, cache=cache)
    [entry] = (cache / "index").glob("*.json")
    archive = first.path
    if damage == "garbage":
        entry.write_bytes(b"\x00\xff not json")
    elif damage == "wrong types":
        entry.write_text(json.dumps({**json.loads(entry.read_text()), "size": "many"}))
    elif damage == "truncated":
        entry.write_bytes(entry.read_bytes()[:20])
    elif damage == "empty":
        entry.write_bytes(b"")
    elif damage == "archive gone":
        archive.unlink()
    elif damage == "archive shorter":
        archive.write_bytes(archive.read_bytes()[:-10])
    else:
        stamp = archive.stat().st_mtime_ns
        archive.write_bytes(archive.read_bytes())
        os.utime(archive, ns=(stamp + 10**9, stamp + 10**9))
    again = package_source(root, cache=cache)
    assert len(no_packing) == 2
    assert again.sha256 == first.sha256 and again.path.read_bytes() == archive.read_bytes()
