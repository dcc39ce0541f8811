"""Packaging a generated 200 MB, 20,000-file tree: braketkit's archive versus `tar -czf`.

Both compress at gzip's default level 6; braketkit uses every core for deflate, and searches every file it
packs for secrets as it reads it (``secrets.Scan``, as a plan does). Target: braketkit no slower than tar.
Run: `python benchmarks/package_vs_tar.py` (add `--small` for a 20 MB, 2,000-file tree).
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from pathlib import Path

from _timing import interleaved

from braketkit.package.archive import members, write_archive
from braketkit.package.secrets import Scan
from braketkit.package.select import select_files

SMALL = "--small" in sys.argv
FILES = 2_000 if SMALL else 20_000
TOTAL = (20 if SMALL else 200) * 1_000_000
RUNS = 3
WORDS = [b"qubit", b"circuit", b"energy", b"gradient", b"ansatz", b"def", b"return", b"import", b"0.125", b"\n"]


def generate(root: Path) -> None:
    """Source-like text for 70% of the bytes, incompressible data for the rest; fixed seed."""
    rng = random.Random(7)
    average = TOTAL // FILES
    for index in range(FILES):
        folder = root / f"pkg{index % 40:02d}" / f"sub{index % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        size = rng.randint(average // 2, average * 3 // 2)
        if index % 10 < 7:
            data = b" ".join(rng.choices(WORDS, k=size // 6))[:size]
        else:
            data = rng.randbytes(size)
        (folder / f"file{index}.py").write_bytes(data)


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "tree"
        generate(root)
        size = sum(f.stat().st_size for f in root.rglob("*") if f.is_file())
        out_kit, out_tar = Path(scratch) / "kit.tar.gz", Path(scratch) / "tar.tar.gz"

        def braketkit() -> None:
            with out_kit.open("wb") as handle:
                write_archive(members(select_files(root)), handle, watch=lambda name: Scan())

        medians = interleaved(RUNS, braketkit=braketkit, tar=["tar", "-czf", str(out_tar), "-C", str(root), "."])
        ratio = medians["braketkit"] / medians["tar"]
        print(f"tree: {FILES} files, {size / 1e6:.0f} MB; {os.cpu_count()} cores")
        print(f"braketkit archive: {medians['braketkit']:6.2f} s  ({out_kit.stat().st_size / 1e6:.0f} MB)")
        print(f"tar -czf:          {medians['tar']:6.2f} s  ({out_tar.stat().st_size / 1e6:.0f} MB)")
        print(f"ratio braketkit / tar: {ratio:.2f}  (target: at most 1) -> {'PASS' if ratio <= 1 else 'FAIL'}")


if __name__ == "__main__":
    main()
