"""Side-by-side timing helpers: interleaved runs of commands, medians, one ratio."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

Command = Sequence[str] | Callable[[], object]


INSTALLED = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
"""The environment a fresh process is timed in: bytecode cached as an installed package has it (pip compiles on
install), even where the shell says PYTHONDONTWRITEBYTECODE; otherwise every run would compile braketkit anew
while the Braket SDK's bytecode sits ready in site-packages."""


def wall(command: Command, cwd: Path | None = None) -> float:
    start = time.perf_counter()
    if callable(command):
        command()
    else:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=cwd, env=INSTALLED)
    return time.perf_counter() - start


def interleaved(runs: int, cwd: Path | None = None, **commands: Command) -> dict[str, float]:
    """Median wall time of each command, alternating them so machine noise hits all alike; a fresh-process command
    runs once first, untimed, so that its bytecode is written and its files are in the page cache."""
    for command in commands.values():
        if not callable(command):
            wall(command, cwd)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(wall(command, cwd))
    return {name: statistics.median(values) for name, values in times.items()}


def interleaved_measures(runs: int, **measures: Callable[[], float]) -> dict[str, float]:
    """Median of what each measure reports (its own timing, e.g. of a child process), alternating them."""
    values: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(runs):
        for name, measure in measures.items():
            values[name].append(measure())
    return {name: statistics.median(found) for name, found in values.items()}
