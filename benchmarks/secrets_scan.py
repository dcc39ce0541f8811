"""Secrets in the source tree: braketkit's search, what it costs the packing, and the detectors it was chosen over.

1. Packing the generated 200 MB, 20,000-file tree (package_vs_tar.py's) with braketkit's search of every shipped
   file (``secrets.Scan``, fed each block as it is packed) against packing it with braketkit 0.2's search (the
   first 4 kB of each file, three patterns), interleaved, in one run. Target: at most 1.1.
2. What each detector finds in a seeded tree (one file per token format of the table, the hand-written cases of
   tests/test_secrets.py, the ordinary research code those tests say holds no secret), and what it costs on the
   benchmark tree: braketkit's table; detect-secrets (its default plugins and filters), when it is importable;
   gitleaks' rule set (its config/gitleaks.toml, given with --gitleaks PATH) run as braketkit would run it, with
   Python's re, each rule tried where one of its keywords is, its entropy threshold and global allow list applied.

Run: `python benchmarks/secrets_scan.py [--small] [--no-detectors] [--gitleaks gitleaks.toml]`; `--small`
packs a 20 MB, 2,000-file tree; `--no-detectors` stops after the packing. The packing is timed in wall time and
in CPU time (of all its threads), which a busy machine disturbs less. detect-secrets is not a dependency of
braketkit: `pip install detect-secrets` to measure it.
"""

from __future__ import annotations

import functools
import math
import os
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import package_vs_tar

from braketkit.package.archive import members, write_archive
from braketkit.package.secrets import FORMATS, STORES, Scan
from braketkit.package.select import select_files

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RUNS = 5
SAMPLE = {"detect-secrets": 20, "gitleaks rules (Python re)": 5}
"""The slower detectors' cost is measured on every Nth file of the benchmark tree, and scaled up."""

# -- braketkit 0.2's search, as it was: the first 4 kB of each file --------------------------------------------

_OLD_HINTS = re.compile(rb"PRIVATE KEY|A[KS]IA[A-Z0-9]{16}|://")
_OLD_CONTENT = [re.compile(pattern) for pattern in (
    rb'"type"\s*:\s*"service_account"', rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
    rb"(?<![A-Z0-9])A[KS]IA[A-Z0-9]{16}(?![A-Za-z0-9])", rb"://[^\s/@:'\"{}$%<>]+:[^\s/@'\"{}$%<>]+@")]


class _OldSearch:
    def __init__(self) -> None:
        self.found = False
        self._seen = False

    def feed(self, data: bytes) -> None:
        if not self._seen:
            self._seen = True
            head = data[:4096]
            self.found = _OLD_HINTS.search(head) is not None and any(p.search(head) for p in _OLD_CONTENT)

    def close(self) -> None:
        pass


# -- gitleaks' rule set, run with Python's re --------------------------------------------------------------------


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(count / len(text) * math.log2(count / len(text)) for count in counts.values()) if text else 0.0


@functools.cache
def _gitleaks(path: str) -> tuple[list[tuple[str, re.Pattern[str], list[str], float | None, int | None]],
                                  list[tuple[str, re.Pattern[str]]], list[re.Pattern[str]], list[str], int]:
    """Content rules, path rules, the global allow list's regexes and stop words, and how many rules Python's re
    cannot take as they are written (Go's ``(?i)`` inside a pattern is made global here)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    config = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    content, paths, adapted = [], [], 0
    for rule in config["rules"]:
        if "regex" not in rule:
            if "path" in rule:
                paths.append((rule["id"], re.compile(rule["path"])))
            continue
        text, flags = rule["regex"].replace(r"\z", r"\Z"), 0
        if "(?i)" in text:
            adapted += text.replace("(?i)", "", 1) != text.removeprefix("(?i)")
            text, flags = text.replace("(?i)", ""), re.IGNORECASE
        content.append((rule["id"], re.compile(text, flags), [word.lower() for word in rule.get("keywords", [])],
                        rule.get("entropy"), rule.get("secretGroup")))
    allow = config.get("allowlist", {})
    return (content, paths, [re.compile(text.replace("(?i)", ""), re.IGNORECASE if "(?i)" in text else 0)
                             for text in allow.get("regexes", [])],
            [word.lower() for word in allow.get("stopwords", [])], adapted)


def gitleaks_scan(config: str, path: Path, name: str) -> list[str]:
    content, paths, allowed, stopwords, _ = _gitleaks(config)
    found = [rule for rule, pattern in paths if pattern.search(name)]
    data = path.read_bytes()
    if b"\0" in data[:8000]:
        return found
    text = data.decode("utf-8", "replace")
    lower = text.lower()
    for rule, pattern, keywords, entropy, group in content:
        if keywords and not any(keyword in lower for keyword in keywords):
            continue
        for match in pattern.finditer(text):
            secret = match.group(group if group else (1 if match.re.groups else 0)) or match.group(0)
            if entropy and _entropy(secret) < entropy:
                continue
            if any(regex.search(secret) for regex in allowed) or any(word in secret.lower() for word in stopwords):
                continue
            found.append(rule)
    return found


# -- The seeded tree ---------------------------------------------------------------------------------------------


def seeded(root: Path) -> dict[str, list[str]]:
    """Lay out the seeded tree; the files of each group, by their names in it."""
    from tests.test_secrets import ORDINARY, SILENT

    groups: dict[str, list[str]] = {"formats": [], "hand-written": [], "stores": [], "ordinary": []}

    def put(group: str, name: str, text: str | bytes) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        groups[group].append(name)

    for index, token in enumerate(FORMATS):
        put("formats", f"formats/f{index:02d}.py", f'"""Settings."""\nVALUE = "{token.example}"\n')
    for case, item in SILENT.items():
        put("hand-written", f"cases/{case}/{item.path}", item.text)
    for path in sorted({path for store in STORES for path in store.examples}):
        put("stores", f"stores/{path}", "x\n")
    for name, text in ORDINARY.items():
        put("ordinary", f"ordinary/{name}", text)
    return groups


def braketkit_finds(root: Path, names: list[str]) -> set[str]:
    """The seeded files braketkit leaves out by name or finds a token in."""
    shipped = {file.name for file in select_files(root)}
    found = set()
    for name in names:
        if name not in shipped:  # left out by its name
            found.add(name)
            continue
        scan = Scan()
        scan.feed((root / name).read_bytes())
        scan.close()
        if scan.findings:
            found.add(name)
    return found


def detect_secrets_finds(root: Path, names: list[str]) -> set[str]:
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.settings import default_settings

    with default_settings():
        collection = SecretsCollection()
        collection.scan_files(*(str(root / name) for name in names))
    return {str(Path(os.path.abspath(filename)).relative_to(root)) for filename, _ in collection}


def _detect_secrets_available() -> bool:
    try:
        import detect_secrets  # noqa: F401
    except ImportError:
        return False
    return True


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    gitleaks = sys.argv[sys.argv.index("--gitleaks") + 1] if "--gitleaks" in sys.argv else None
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "tree"
        package_vs_tar.generate(tree)
        files = select_files(tree)
        size = sum(file.size for file in files)
        out = Path(scratch) / "out.tar.gz"

        def pack(search: Callable[[], object] | None) -> Callable[[], None]:
            def run() -> None:
                with out.open("wb") as handle:
                    write_archive(members(select_files(tree)), handle,
                                  watch=None if search is None else lambda name: search())  # type: ignore[arg-type,return-value]
            return run

        variants = {"old": pack(_OldSearch), "new": pack(Scan), "none": pack(None)}
        walls: dict[str, list[float]] = {name: [] for name in variants}
        cpus: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(RUNS):  # interleaved, so that whatever else runs on the machine hits each alike
            for name, run in variants.items():
                cpu_before, wall_before = time.process_time(), time.perf_counter()
                run()
                walls[name].append(time.perf_counter() - wall_before)
                cpus[name].append(time.process_time() - cpu_before)
        medians = {name: statistics.median(values) for name, values in walls.items()}
        fastest = {name: min(values) for name, values in walls.items()}
        cpu = {name: statistics.median(values) for name, values in cpus.items()}
        ratio, cpu_ratio = medians["new"] / medians["old"], cpu["new"] / cpu["old"]
        print(f"tree: {len(files)} files, {size / 1e6:.0f} MB; {os.cpu_count()} cores; load average "
              f"{os.getloadavg()[0]:.1f}; medians of {RUNS}, interleaved (wall, and CPU of every thread)")
        for name, label in (("old", "braketkit 0.2's search (first 4 kB)"), ("new", "the table's search (every byte)"),
                            ("none", "no search at all")):
            print(f"packing, {label + ':':38} {medians[name]:6.2f} s (fastest {fastest[name]:6.2f} s)  "
                  f"CPU {cpu[name]:6.2f} s")
        print(f"ratio new / 0.2: {ratio:.3f} wall, {fastest['new'] / fastest['old']:.3f} fastest, {cpu_ratio:.3f} CPU  "
              f"(target: at most 1.1) -> {'PASS' if max(ratio, cpu_ratio) <= 1.1 else 'FAIL'}")
        if "--no-detectors" in sys.argv:
            return

        seeds = Path(scratch) / "seeded"
        groups = seeded(seeds)
        every = [name for names in groups.values() for name in names]
        detectors: dict[str, Callable[[Path, list[str]], set[str]]] = {"braketkit (the table)": braketkit_finds}
        if _detect_secrets_available():
            detectors["detect-secrets"] = detect_secrets_finds
        if gitleaks:
            detectors["gitleaks rules (Python re)"] = lambda root, names: {
                name for name in names if gitleaks_scan(gitleaks, root / name, name)}
        print(f"\nseeded tree: {len(groups['formats'])} token formats, {len(groups['hand-written'])} hand-written "
              f"cases, {len(groups['stores'])} credential stores' files, {len(groups['ordinary'])} ordinary files")
        print(f"{'detector':28} {'formats':>8} {'cases':>6} {'stores':>7} {'false+':>7}  cost on the benchmark tree")
        for label, finds in detectors.items():
            found = finds(seeds, every)
            counts = {group: sum(name in found for name in names_) for group, names_ in groups.items()}
            every_nth = SAMPLE.get(label, 1)
            names = [file.name for file in files][::every_nth]
            if label.startswith("braketkit"):
                def cost(names: list[str] = names) -> None:
                    for name in names:
                        scan = Scan()
                        with (tree / name).open("rb") as handle:
                            while block := handle.read(1 << 20):
                                scan.feed(block)
                        scan.close()
            elif label == "detect-secrets":
                def cost(names: list[str] = names) -> None:
                    detect_secrets_finds(tree, names)
            else:
                def cost(names: list[str] = names) -> None:
                    for name in names:
                        gitleaks_scan(gitleaks, tree / name, name)  # type: ignore[arg-type]
            spent = _timed(cost) * every_nth
            sampled = f", from every {every_nth}th file" if every_nth > 1 else ""
            wrong = ", ".join(name.removeprefix("ordinary/") for name in groups["ordinary"] if name in found)
            print(f"{label:28} {counts['formats']:>4}/{len(groups['formats']):<3} {counts['hand-written']:>3}/"
                  f"{len(groups['hand-written']):<2} {counts['stores']:>3}/{len(groups['stores']):<3} "
                  f"{counts['ordinary']:>3}/{len(groups['ordinary']):<3} {spent:8.1f} s "
                  f"({size / 1e6 / spent:.1f} MB/s{sampled}), {spent / medians['none']:.2f} x packing"
                  + (f"; taken for secrets: {wrong}" if wrong else ""))
        if gitleaks:
            print(f"(gitleaks: {_gitleaks(gitleaks)[4]} rules' Go (?i) made global for Python's re)")


if __name__ == "__main__":
    main()
