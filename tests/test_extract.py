"""A malicious model.tar.gz corpus: nothing is ever written outside the target folder."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from braketkit.job.extract import UnsafeArchive, safe_extract


def _archive(path: Path, *members: tuple[tarfile.TarInfo, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for info, data in members:
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if data else None)
    return path


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info


BENIGN = (_member("results.json"), b"{}")
CORPUS = {
    "absolute path": (_member("/tmp/braketkit-evil"), b"x"),
    "dot-dot": (_member("../evil.txt"), b"x"),
    "dot-dot inside": (_member("model/../../evil.txt"), b"x"),
    "symlink to an absolute path": (_member("link", tarfile.SYMTYPE, "/etc/passwd"), b""),
    "symlink escaping": (_member("deep/link", tarfile.SYMTYPE, "../../outside"), b""),
    "hard link escaping": (_member("hard", tarfile.LNKTYPE, "../outside.txt"), b""),
    "character device": (_member("tty", tarfile.CHRTYPE), b""),
    "block device": (_member("disk", tarfile.BLKTYPE), b""),
    "fifo": (_member("pipe", tarfile.FIFOTYPE), b""),
}


@pytest.mark.parametrize("case", list(CORPUS), ids=list(CORPUS))
def test_unsafe_members_are_refused_and_nothing_is_extracted(tmp_path: Path, case: str) -> None:
    archive = _archive(tmp_path / "model.tar.gz", BENIGN, CORPUS[case])
    target = tmp_path / "sandbox" / "out"
    with pytest.raises(UnsafeArchive, match="nothing was extracted"):
        safe_extract(archive, target)
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["model.tar.gz"]
    assert not Path("/tmp/braketkit-evil").exists()


def test_a_link_that_stays_inside_is_kept(tmp_path: Path) -> None:
    archive = _archive(tmp_path / "model.tar.gz", BENIGN, (_member("data/values.txt"), b"1 2 3"),
                       (_member("latest", tarfile.SYMTYPE, "data/values.txt"), b""))
    names = safe_extract(archive, tmp_path / "out")
    assert names == ["results.json", "data/values.txt", "latest"]
    assert (tmp_path / "out" / "latest").read_text() == "1 2 3"
