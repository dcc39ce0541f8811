"""A hostile model.tar.gz corpus: nothing is ever written outside the target folder, nothing is left after a refusal.

Every archive is built here, with tarfile's writer or as raw bytes. The extraction
must behave the same on every Python we support, with or without tarfile's
extraction filter (Debian 12's /usr/bin/python3 is 3.11.2, which has none): run
this file under each (.venv-3.11.2/bin/pytest, .venv-3.10/bin/pytest).
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import stat
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from braketkit.errors import DamagedResults, ResultsError, UnsafeArchive
from braketkit.job import extract
from braketkit.job.extract import read_member, safe_extract

Member = tuple[tarfile.TarInfo, bytes]


def member(name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE, link: str = "", mode: int = 0o644,
           **fields: Any) -> Member:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode, info.size = kind, link, mode, len(data)
    for key, value in fields.items():
        setattr(info, key, value)
    return info, data


def folder(name: str, mode: int = 0o755) -> Member:
    return member(name, kind=tarfile.DIRTYPE, mode=mode)


def symlink(name: str, target: str) -> Member:
    return member(name, kind=tarfile.SYMTYPE, link=target)


def hardlink(name: str, target: str) -> Member:
    return member(name, kind=tarfile.LNKTYPE, link=target)


def tar_bytes(*members: Member, format: int = tarfile.PAX_FORMAT) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=format, encoding="utf-8", errors="surrogateescape") as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data else None)
    return buffer.getvalue()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def archive_bytes(*members: Member, format: int = tarfile.PAX_FORMAT) -> bytes:
    return gz(tar_bytes(*members, format=format))


RESULTS = member("results.json", b'{"dataDictionary": {"energy": -1.5}, "dataFormat": "plaintext"}')


def snapshot(root: Path) -> dict[str, Any]:
    """Every path under ``root``, without following links: what it is and holds."""
    seen: dict[str, Any] = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        key = str(path.relative_to(root))
        if stat.S_ISLNK(info.st_mode):
            seen[key] = ("link", os.readlink(path))
        elif stat.S_ISDIR(info.st_mode):
            seen[key] = ("folder", stat.S_IMODE(info.st_mode))
        else:
            seen[key] = ("file", path.read_bytes(), stat.S_IMODE(info.st_mode))
    return seen


class Scene:
    """A tmp folder with a victim outside the target, the archive, and the target folder (not made yet)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.victim = root / "outside" / "victim.txt"
        self.victim.parent.mkdir()
        self.victim.write_text("original")
        self.archive = root / "model.tar.gz"
        self.target = root / "sandbox" / "out"

    def write(self, data: bytes) -> Path:
        self.archive.write_bytes(data)
        return self.archive

    def refused(self, data: bytes, message: str, kind: type[Exception] = UnsafeArchive, **options: Any) -> None:
        self.write(data)
        before = snapshot(self.root)
        with pytest.raises(kind) as caught:
            safe_extract(self.archive, self.target, **options)
        assert str(caught.value) == message
        assert type(caught.value) is kind
        assert snapshot(self.root) == before  # nothing outside, nothing left inside, no staging folder
        assert self.victim.read_text() == "original"


@pytest.fixture
def scene(tmp_path: Path) -> Scene:
    return Scene(tmp_path)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def refusal(*problems: str) -> str:
    return "refusing to extract model.tar.gz: " + "; ".join(problems) + "; nothing was extracted"


FOLDER_LINK = "a folder (links are kept only to files, as copies)"

CORPUS: dict[str, tuple[list[Member], str]] = {
    "absolute name": ([member("/tmp/braketkit-evil", b"x")], "'/tmp/braketkit-evil': its name is an absolute path"),
    "dot-dot": ([member("../evil.txt", b"x")], "'../evil.txt': its name holds '..'"),
    "dot-dot inside": ([member("model/../../evil.txt", b"x")], "'model/../../evil.txt': its name holds '..'"),
    "dot-dot that stays inside": ([member("model/../evil.txt", b"x")], "'model/../evil.txt': its name holds '..'"),
    "backslash": ([member("..\\..\\evil.txt", b"x")], "'..\\\\..\\\\evil.txt': its name holds a backslash"),
    "symlink to an absolute path": ([symlink("link", "/etc/passwd")],
                                    "'link': it links to '/etc/passwd': its target is an absolute path"),
    "symlink escaping": ([symlink("deep/link", "../../outside/victim.txt")],
                         "'deep/link': it links to '../../outside/victim.txt', outside the folder"),
    "symlink to the folder": ([symlink("here", ".")], f"'here': it links to '.', {FOLDER_LINK}"),
    "symlink to a folder": ([folder("checkpoints"), symlink("latest", "checkpoints")],
                            f"'latest': it links to 'checkpoints', {FOLDER_LINK}"),
    "dangling symlink": ([symlink("link", "missing.txt")], "'link': it links to 'missing.txt', which is not in the "
                                                           "archive"),
    "symlink with a backslash": ([symlink("link", "..\\outside")], "'link': it links to '..\\\\outside': its target "
                                                                   "holds a backslash"),
    "symlink through a missing folder": ([member("data.txt", b"1"), symlink("link", "nowhere/../data.txt")],
                                         "'link': it links to 'nowhere/../data.txt', through 'nowhere', which is "
                                         "not in the archive"),
    "symlink loop": ([symlink("a", "b"), symlink("b", "a")],
                     "'a': its links go round in a loop; 'b': it links to 'a', and 'a': its links go round in a loop"),
    "symlink loop at the end of a chain": ([symlink("l0", "l2"), symlink("l1", "l0"), symlink("l2", "l1"),
                                            symlink("start", "l2")],
                                           "'l0': its links go round in a loop; "
                                           "'l1': it links to 'l0', and 'l0': its links go round in a loop; "
                                           "'l2': it links to 'l1', and 'l0': its links go round in a loop; "
                                           "and 1 more"),
    "symlink chain a -> ., a/b -> .., b/x": (
        [symlink("a", "."), symlink("a/b", ".."), member("b/x", b"pwned")],
        f"'a': it links to '.', {FOLDER_LINK}; 'a/b': it is inside 'a', which is a link"),
    "hard link through that chain": (
        [symlink("a", "."), symlink("a/b", ".."), hardlink("h", "a/b/outside/victim.txt"), member("h", b"pwned")],
        f"'a': it links to '.', {FOLDER_LINK}; 'a/b': it is inside 'a', which is a link; "
        "'h': it hard-links to 'a/b/outside/victim.txt', which is not an earlier member; and 1 more"),
    "empty-named symlink": ([symlink("", "..")], "'': its name is empty"),
    "hard link to a symlink that leaves": ([symlink("s", "../outside/victim.txt"), hardlink("h", "s")],
                                           "'s': it links to '../outside/victim.txt', outside the folder; "
                                           "'h': it hard-links to 's', and 's': it links to "
                                           "'../outside/victim.txt', outside the folder"),
    "hard link escaping": ([hardlink("hard", "../outside/victim.txt")],
                           "'hard': it hard-links to '../outside/victim.txt': its target holds '..'"),
    "hard link to an absolute path": ([hardlink("hard", "/etc/passwd")],
                                      "'hard': it hard-links to '/etc/passwd': its target is an absolute path"),
    "hard link through a symlink": ([folder("d"), member("d/f", b"1"), symlink("s", "d"), hardlink("h", "s/f")],
                                    f"'s': it links to 'd', {FOLDER_LINK}; "
                                    "'h': it hard-links to 's/f', which is not an earlier member"),
    "hard link to a later member": ([hardlink("h", "later.txt"), member("later.txt", b"1")],
                                    "'h': it hard-links to 'later.txt', which is not an earlier member"),
    "hard link to a folder": ([folder("d"), hardlink("h", "d")], f"'h': it hard-links to 'd', {FOLDER_LINK}"),
    "a link, then a file written through it": ([symlink("link", "/tmp"), member("link/evil", b"x")],
                                               "'link': it links to '/tmp': its target is an absolute path; "
                                               "'link/evil': it is inside 'link', which is a link"),
    "a link, then a file of its name": ([member("data.txt", b"1"), symlink("x", "data.txt"), member("x", b"2")],
                                        "'x': it is both a link and a file"),
    "a hard link, then a file of its name": ([member("data.txt", b"1"), hardlink("x", "data.txt"), member("x", b"2")],
                                             "'x': it is both a hard link and a file"),
    "duplicate names": ([member("results.json", b"{}")], "'results.json': it appears twice"),
    "duplicate through ./": ([member("./results.json", b"{}")], "'./results.json': it appears twice"),
    "a file, then a folder of its name": ([member("a", b"1"), folder("a")], "'a': it is both a file and a folder"),
    "a file, then a file inside it": ([member("a", b"1"), member("a/b", b"2")], "'a/b': it is inside 'a', which is "
                                                                                "a file"),
    "a folder, then a file of its name": ([member("a/b", b"1"), member("a", b"2")],
                                          "'a': it is both a folder and a file"),
    "the folder itself as a file": ([member(".", b"x")], "'.': it names the folder itself, as a file"),
    "character device": ([member("tty", kind=tarfile.CHRTYPE)], "'tty': it is a character device"),
    "block device": ([member("disk", kind=tarfile.BLKTYPE)], "'disk': it is a block device"),
    "fifo": ([member("pipe", kind=tarfile.FIFOTYPE)], "'pipe': it is a FIFO"),
    "contiguous file type is a file, unknown type is not": ([member("odd", kind=b"Z")],
                                                           "'odd': it is of a type braketkit does not create ('Z')"),
    "non-UTF-8 name": ([member("caf\udce9.txt", b"x")], "'caf\\udce9.txt': its name is not UTF-8"),
}


@pytest.mark.parametrize("case", list(CORPUS), ids=list(CORPUS))
def test_unsafe_archives_are_refused_whole(scene: Scene, case: str) -> None:
    members, problems = CORPUS[case]
    scene.refused(archive_bytes(RESULTS, *members, format=tarfile.GNU_FORMAT), refusal(problems))
    assert not Path("/tmp/braketkit-evil").exists()


def test_the_cve_2025_4517_shape_is_refused(scene: Scene) -> None:
    """Long symlink paths that defeat a realpath check, then a hard link through them, then a write through that.

    This very archive overwrites outside/victim.txt, exit status 0, when tarfile extracts it with
    filter="data" on 3.10.13, 3.11.7, 3.12.1 and 3.13.0, and without a filter on 3.11.2.
    """
    component = "d" * 247
    steps = "abcdefghijklmnop"
    members: list[Member] = []
    path = ""
    for step in steps:
        members += [folder(os.path.join(path, component)), symlink(os.path.join(path, step), component)]
        path = os.path.join(path, component)
    long_link = os.path.join(*steps, "l" * 254)
    members.append(symlink(long_link, "../" * len(steps)))
    members.append(symlink("escape", long_link + "/../../outside"))  # long_link is the target folder itself
    members.append(hardlink("victimlink", "escape/victim.txt"))
    members.append(member("victimlink", b"overwritten"))
    first = f"'a': it links to {short(component)}, {FOLDER_LINK}"
    second = f"{short(component + '/b')}: it links to {short(component)}, {FOLDER_LINK}"
    third = f"{short(component + '/' + component + '/c')}: it links to {short(component)}, {FOLDER_LINK}"
    scene.refused(archive_bytes(*members), refusal(first, second, third, "and 17 more"))


def short(name: str) -> str:
    """A long name as messages show it: its first 120 characters."""
    return repr(name[:120] + "…") if len(name) > 120 else repr(name)


def test_refusals_name_at_most_three_problems(scene: Scene) -> None:
    members = [member(f"../evil{index}", b"x") for index in range(5)]
    scene.refused(archive_bytes(*members), refusal("'../evil0': its name holds '..'", "'../evil1': its name holds '..'",
                                                   "'../evil2': its name holds '..'", "and 2 more"))


def test_member_count_is_capped(scene: Scene) -> None:
    members = [member(f"f{index}", b"x") for index in range(6)]
    scene.refused(archive_bytes(*members), "refusing to extract model.tar.gz: it has more than 5 members (the cap, "
                                           "max_members); nothing was extracted", max_members=5)
    assert extract.MAX_MEMBERS == 100_000
    safe_extract(scene.archive, scene.target, max_members=6)
    assert len(list(scene.target.iterdir())) == 6


def test_following_links_is_bounded(scene: Scene, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "_LINK_STEPS", 600)
    links = [symlink(f"l{index}", "a/../a/../data.txt") for index in range(30)]  # 5 steps, paths of 6 at most
    scene.refused(archive_bytes(folder("a"), member("data.txt", b"1"), *links),
                  "refusing to extract model.tar.gz: its links take more than 600 steps to follow; nothing was "
                  "extracted")
    scene.write(archive_bytes(folder("a"), member("data.txt", b"1"), *links[:20]))
    safe_extract(scene.archive, scene.target)  # 20 links of 30 each


def test_a_long_chain_of_links_is_followed_whatever_its_order(scene: Scene) -> None:
    chain = [symlink(f"l{index + 1}", f"l{index}") for index in range(5000)]
    scene.write(archive_bytes(*reversed(chain), symlink("l0", "data.txt"), member("data.txt", b"1")))
    safe_extract(scene.archive, scene.target)
    assert (scene.target / "l5000").read_bytes() == b"1" and not (scene.target / "l5000").is_symlink()


def test_data_of_a_refused_member_still_counts(scene: Scene) -> None:
    """tarfile reads past an unknown member's data: 20 GiB of it would be decompressed before any refusal."""
    info = tarfile.TarInfo("odd")
    info.type, info.size = b"Z", 20 * 1024**3
    scene.refused(gz(info.tobuf(tarfile.GNU_FORMAT)), "refusing to extract model.tar.gz: it expands to more than "
                                                      "10 GiB (the cap, max_bytes); nothing was extracted")


def test_a_size_field_of_20_gib_is_refused_from_its_header(scene: Scene) -> None:
    """512 bytes of header claim 20 GiB; the data is not even there: the cap refuses before reading it."""
    info = tarfile.TarInfo("weights.bin")
    info.size = 20 * 1024**3
    scene.refused(gz(info.tobuf(tarfile.GNU_FORMAT)), "refusing to extract model.tar.gz: it expands to more than "
                                                      "10 GiB (the cap, max_bytes); nothing was extracted")
    assert scene.archive.stat().st_size < 1024 and extract.MAX_BYTES == 10 * 1024**3


def sparse(name: str, real_size: int) -> Member:
    """A pax (GNU 1.0) sparse member: one byte of data at the end of ``real_size`` bytes of holes."""
    layout = f"1\n{real_size - 1}\n1\n".encode().ljust(512, b"\0")
    info, data = member(f"GNUSparseFile.0/{name}", layout + b"x".ljust(512, b"\0"))
    info.pax_headers = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0", "GNU.sparse.name": name,
                        "GNU.sparse.realsize": str(real_size)}
    return info, data


def test_a_sparse_member_counts_at_its_expanded_size(scene: Scene) -> None:
    scene.refused(archive_bytes(sparse("huge.bin", 20 * 1024**3)), "refusing to extract model.tar.gz: it expands to "
                  "more than 10 GiB (the cap, max_bytes); nothing was extracted")
    assert scene.archive.stat().st_size < 1024
    scene.archive.write_bytes(archive_bytes(sparse("small.bin", 100_000)))
    safe_extract(scene.archive, scene.target)
    data = (scene.target / "small.bin").read_bytes()
    assert data == b"\0" * 99_999 + b"x"


def test_zeros_are_capped_and_links_count_as_the_copies_they_become(scene: Scene) -> None:
    zeros = member("zeros.bin", b"\0" * (4 * 1024**2))
    scene.refused(archive_bytes(zeros), "refusing to extract model.tar.gz: it expands to more than 3 MiB (the cap, "
                                        "max_bytes); nothing was extracted", max_bytes=3 * 1024**2)
    assert scene.archive.stat().st_size < 10_000
    copies = [hardlink(f"copy{index}", "zeros.bin") for index in range(3)]
    scene.refused(archive_bytes(zeros, *copies), "refusing to extract model.tar.gz: it expands to more than 15 MiB "
                                                 "(the cap, max_bytes); nothing was extracted", max_bytes=15 * 1024**2)
    safe_extract(scene.archive, scene.target, max_bytes=16 * 1024**2)
    assert sorted(path.name for path in scene.target.iterdir()) == ["copy0", "copy1", "copy2", "zeros.bin"]


def test_free_space_is_checked_first(scene: Scene, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract.shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(100, 90, 10))
    scene.refused(archive_bytes(member("data.bin", b"x" * 2048)),
                  f"refusing to extract model.tar.gz: it expands to 2 KiB, but {scene.root} has only 10 bytes free; "
                  "nothing was extracted", kind=ResultsError)


HEADERS_TOO_LARGE = "cannot read model.tar.gz: a member's tar headers take more than 1 MiB; nothing was extracted"


def test_a_header_too_large_to_hold_in_memory_is_refused(scene: Scene) -> None:
    info, data = member("results.json", b"{}")
    info.pax_headers = {"comment": "x" * (2 * 1024**2)}
    scene.refused(archive_bytes((info, data)), HEADERS_TOO_LARGE, kind=DamagedResults)


def test_a_chain_of_headers_is_refused(scene: Scene) -> None:
    """Each pax header makes tarfile parse the next one from inside the last: a deep chain was a RecursionError."""
    chain = b"".join(tarfile.TarInfo("x")._create_pax_generic_header({"comment": "c"}, tarfile.XHDTYPE, "utf-8")
                     for _ in range(3000))
    scene.refused(gz(chain + tarfile.TarInfo("end").tobuf() + bytes(1024)),
                  "cannot read model.tar.gz: its tar headers are nested too deeply; nothing was extracted",
                  kind=DamagedResults)
    long_chain = b"".join(tarfile.TarInfo("x")._create_pax_generic_header({"comment": "c" * 8000}, tarfile.XHDTYPE,
                                                                          "utf-8") for _ in range(200))
    scene.refused(gz(long_chain + tarfile.TarInfo("end").tobuf() + bytes(1024)), HEADERS_TOO_LARGE,
                  kind=DamagedResults)


def test_a_sparse_map_is_held_to_the_header_budget(scene: Scene) -> None:
    """tarfile turns a pax 1.0 sparse map into a list of numbers: 2 bytes each on disk, far more in memory."""
    entries = 300_000
    layout = f"{entries}\n".encode() + b"0\n0\n" * entries
    info, data = member("GNUSparseFile.0/s", layout.ljust(-(-len(layout) // 512) * 512, b"\0"))
    info.pax_headers = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0", "GNU.sparse.name": "s",
                        "GNU.sparse.realsize": "1"}
    scene.refused(archive_bytes((info, data)), HEADERS_TOO_LARGE, kind=DamagedResults)
    assert scene.archive.stat().st_size < 5_000


def test_deep_names_are_refused_and_implied_folders_capped(scene: Scene) -> None:
    deep = "/".join(["a"] * 300)
    scene.refused(archive_bytes(member(deep, b"x"), symlink("link", "../" * 300)),
                  refusal(f"{short(deep)}: its name has more than 256 parts",
                          f"'link': it links to {short('../' * 300)}: its target has more than 256 parts"))
    scene.refused(archive_bytes(*[member(f"d{index}/{'/'.join(['a'] * 200)}/f", b"x") for index in range(3)]),
                  "refusing to extract model.tar.gz: its names imply more than 500 folders (the cap, max_members); "
                  "nothing was extracted", max_members=500)


def test_names_longer_than_a_path_can_be_are_refused(scene: Scene) -> None:
    name, target = "n" * 5000, "t" * 5000
    scene.refused(archive_bytes(member(name, b"x"), symlink("link", target)),
                  refusal(f"{short(name)}: its name is longer than 4096 bytes",
                          f"'link': it links to {short(target)}: its target is longer than 4096 bytes"))


GOOD = archive_bytes(RESULTS, folder("data"), member("data/values.txt", b"1 2 3" * 10_000))
DAMAGED = {
    "truncated gzip": (GOOD[:-100], "the archive is truncated (its data ends early)"),
    "gzip without its trailer": (GOOD[:-8], "the archive is truncated (its data ends early)"),
    "gzip with a wrong checksum": (GOOD[:-8] + bytes(4) + GOOD[-4:], "its gzip checksum does not match its data "
                                                                     "(the archive is damaged)"),
    "gzip with a wrong length": (GOOD[:-4] + bytes(4), "its gzip checksum does not match its data (the archive is "
                                                       "damaged)"),
    "not gzip": (b"PK\x03\x04 this is a zip file" + bytes(100), "it is not a gzip file"),
    "empty file": (b"", "it is not a tar archive"),
    "gzip of text": (gz(b"hello, this is not a tar archive\n" * 40), "it is not a tar archive"),
    "gzip of nothing": (gz(b""), "it is not a tar archive"),
    "data after the gzip stream": (GOOD + b"trailing garbage", "it has data after the end of its gzip stream"),
    "a tar truncated inside a member": (gz(tar_bytes(RESULTS, member("big", b"y" * 5000))[:2048]),
                                        "the archive is truncated (its data ends early)"),
    "a damaged header after the first member": (
        gz(tar_bytes(RESULTS, member("second", b"2"))[:1024] + b"\x07" * 512 + bytes(1024)),
        "its tar data is damaged at byte 1024 (something other than zeros follows the last member)"),
    "data after the end of the tar": (gz(tar_bytes(RESULTS) + tar_bytes(member("hidden", b"2"))),
                                      "its tar data is damaged at byte 10240 (something other than zeros follows the "
                                      "last member)"),
}


@pytest.mark.parametrize("case", list(DAMAGED), ids=list(DAMAGED))
def test_damaged_archives_are_reported_and_nothing_is_extracted(scene: Scene, case: str) -> None:
    data, what = DAMAGED[case]
    scene.refused(data, f"cannot read model.tar.gz: {what}; nothing was extracted", kind=DamagedResults)


def test_corrupt_deflate_data(scene: Scene) -> None:
    data = bytearray(GOOD)
    data[len(data) // 2: len(data) // 2 + 16] = b"\xff" * 16
    scene.write(bytes(data))
    with pytest.raises(DamagedResults, match=r"^cannot read model\.tar\.gz: its (compressed data is damaged \(.*\)|"
                                             r"gzip checksum does not match its data \(the archive is damaged\)); "
                                             r"nothing was extracted$"):
        safe_extract(scene.archive, scene.target)
    assert not scene.target.parent.exists()


def test_a_benign_archive_extracts_with_links_as_copies(scene: Scene) -> None:
    scene.write(archive_bytes(
        folder("./"), RESULTS, folder("data/"), member("data/values.txt", b"1 2 3", mtime=1_700_000_000),
        folder("data/"),  # a folder named twice is one folder
        symlink("latest", "data/values.txt"), symlink("data/also", "../latest"), hardlink("hard", "data/values.txt"),
        member("./run.sh", b"#!/bin/sh\n", mode=0o775), member("empty.txt")))
    names = safe_extract(scene.archive, scene.target)
    assert names == ["results.json", "data", "data/values.txt", "latest", "data/also", "hard", "run.sh", "empty.txt"]
    seen = snapshot(scene.target)
    assert seen == {
        "data": ("folder", 0o755), "data/values.txt": ("file", b"1 2 3", 0o644), "data/also": ("file", b"1 2 3", 0o644),
        "latest": ("file", b"1 2 3", 0o644), "hard": ("file", b"1 2 3", 0o644), "empty.txt": ("file", b"", 0o644),
        "results.json": ("file", RESULTS[1], 0o644), "run.sh": ("file", b"#!/bin/sh\n", 0o755)}
    assert (scene.target / "data" / "values.txt").stat().st_mtime == 1_700_000_000
    assert stat.S_IMODE(scene.target.stat().st_mode) == 0o755
    assert sorted(path.name for path in scene.root.iterdir()) == ["model.tar.gz", "outside", "sandbox"]
    assert [path.name for path in scene.target.parent.iterdir()] == ["out"]  # no staging folder left


def test_modes_are_masked_and_owners_never_applied(scene: Scene) -> None:
    scene.write(archive_bytes(
        member("setuid", b"x", mode=0o4755, uid=0, gid=0, uname="root", gname="root"),
        member("setgid", b"x", mode=0o2777), member("sticky", b"x", mode=0o1644),
        member("private", b"x", mode=0o000), folder("open", mode=0o1777), folder("closed", mode=0o000),
        member("closed/inside", b"x", mode=0o666)))
    safe_extract(scene.archive, scene.target)
    modes = {name: entry[-1] for name, entry in snapshot(scene.target).items()}
    assert modes == {"setuid": 0o755, "setgid": 0o755, "sticky": 0o644, "private": 0o644, "open": 0o755,
                     "closed": 0o755, "closed/inside": 0o644}
    assert {path.stat().st_uid for path in scene.target.rglob("*")} == {os.getuid()}


def test_the_umask_narrows_every_mode(scene: Scene) -> None:
    os.umask(0o077)
    scene.write(archive_bytes(folder("d"), member("d/run.sh", b"x", mode=0o777), member("d/data", b"x", mode=0o666)))
    safe_extract(scene.archive, scene.target)
    assert stat.S_IMODE(scene.target.stat().st_mode) == 0o700
    assert {name: entry[-1] for name, entry in snapshot(scene.target).items()} == {
        "d": 0o700, "d/run.sh": 0o700, "d/data": 0o600}


def test_an_existing_target_is_never_written_into(scene: Scene) -> None:
    scene.target.mkdir(parents=True)
    (scene.target / "mine.txt").write_text("keep")
    scene.refused(archive_bytes(RESULTS), f"refusing to extract model.tar.gz: {scene.target} already exists; remove "
                                          "it, or choose another folder; nothing was extracted", kind=ResultsError)
    (scene.target / "mine.txt").unlink()
    safe_extract(scene.archive, scene.target)  # an empty folder is taken
    assert [path.name for path in scene.target.iterdir()] == ["results.json"]


def test_a_target_that_is_a_link_is_refused(scene: Scene) -> None:
    scene.target.parent.mkdir()
    scene.target.symlink_to(scene.victim.parent)
    scene.refused(archive_bytes(RESULTS), f"refusing to extract model.tar.gz: {scene.target} already exists; remove "
                                          "it, or choose another folder; nothing was extracted", kind=ResultsError)


def test_a_write_failure_leaves_nothing(scene: Scene, monkeypatch: pytest.MonkeyPatch) -> None:
    real = extract._write_file

    def failing(path: Path, *args: Any) -> None:
        if path.name == "second":
            raise OSError(28, "No space left on device")
        real(path, *args)

    monkeypatch.setattr(extract, "_write_file", failing)
    scene.refused(archive_bytes(RESULTS, member("d/second", b"2")),
                  f"cannot extract model.tar.gz into {scene.target}: No space left on device; nothing was extracted",
                  kind=ResultsError)


def test_labels_name_the_job(scene: Scene) -> None:
    scene.refused(archive_bytes(member("../x", b"1")), "refusing to extract the results of job train-1: '../x': its "
                  "name holds '..'; nothing was extracted", label="the results of job train-1")


# -- one member, straight from the stream ------------------------------------------------------------------------


def test_read_member_reads_only_what_it_is_asked(scene: Scene) -> None:
    hostile = [symlink("link", "/etc/passwd"), member("../evil", b"x"), member("pipe", kind=tarfile.FIFOTYPE)]
    scene.write(archive_bytes(member("./results.json", b"{}"), *hostile))
    before = snapshot(scene.root)
    assert read_member(scene.archive, "results.json", max_size=10) == b"{}"
    assert read_member(scene.archive, "absent.json", max_size=10) is None
    assert snapshot(scene.root) == before


@pytest.mark.parametrize(("data", "message"), [
    (archive_bytes(member("results.json", b"x" * 11)),
     "refusing to read model.tar.gz: its results.json is larger than 10 bytes (the cap)"),
    (archive_bytes(member("other", b"1"), symlink("results.json", "other")),
     "cannot read model.tar.gz: its results.json is a link, not a file"),
    (archive_bytes(folder("results.json")), "cannot read model.tar.gz: its results.json is a folder, not a file"),
    (archive_bytes(member("results.json", b"{}"), member("rest", b"z" * 100_000))[:-8],
     "cannot read model.tar.gz: the archive is truncated (its data ends early)"),
    (archive_bytes(member("results.json", b"{}"), member("rest", b"\0" * 2 * 1024**2)),
     "refusing to read model.tar.gz: it expands to more than 1 MiB (the cap, max_bytes)"),
    (archive_bytes(member("first", b"\0" * (1024**2 + 1)), member("results.json", b"{}")),
     "refusing to read model.tar.gz: it expands to more than 1 MiB (the cap, max_bytes)"),
    (archive_bytes(*[member(f"f{index}", b"") for index in range(4)], member("results.json", b"{}")),
     "refusing to read model.tar.gz: it has more than 3 members before its results.json (the cap, max_members)"),
    (gz(b"not a tar" * 100), "cannot read model.tar.gz: it is not a tar archive"),
    (b"\x1f\x8b\x08", "cannot read model.tar.gz: the archive is truncated (its data ends early)"),
], ids=["too large", "a link", "a folder", "no trailer", "a bomb after it", "a bomb before it", "too many members",
        "not tar", "stub"])
def test_read_member_refusals(scene: Scene, data: bytes, message: str) -> None:
    scene.write(data)
    with pytest.raises((DamagedResults, UnsafeArchive)) as caught:
        read_member(scene.archive, "results.json", max_size=10, max_bytes=1024**2, max_members=3)
    assert str(caught.value) == message
