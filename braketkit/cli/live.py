"""What ``run --follow`` shows of a job's log: every line as it comes, metric lines folded into one summary.

A job that logs a metric each iteration would otherwise bury its own output under ``Metrics -``
lines. On a terminal the summary is one line kept below the rest and redrawn with each metric line
(``iteration 12  expected_cut 2.87312 ▂▃▅▇``); anywhere else (a pipe, a file, CI) it is printed each
time the job passes another ``EVERY`` iterations (or metric lines, when they carry no iteration
number) and once more at the end, so a log file stays short and still shows the course of the run.
"""

from __future__ import annotations

import math
from collections import deque
from typing import IO, Final

from ..execute.progress import StatusLine, _isatty
from ..job.metrics import ITERATION, MARK, NODE_TAG, metric_names, parse_line
from ..terminal import on_terminal
from .metrics_text import SUMMARY_HISTORY, summary_line

__all__ = ["EVERY", "SummarisedLog"]

EVERY: Final = 10


class SummarisedLog:
    """Log lines in (``line``, or ``write`` as a local run's echo), the summarised log out on ``stream``."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._terminal = _isatty(stream)
        self._summary = StatusLine(stream)
        self._histories: dict[str, deque[float]] = {}
        self._iteration: float | None = None
        self._count = 0
        self._stretch: int | None = None
        """Which stretch of ``EVERY`` steps the latest metric line is in (off a terminal)."""
        self._unshown = False
        self._partial = ""

    def line(self, text: str) -> None:
        record = parse_line(text)
        if record is None:
            self._print(text)
            return
        before = text[:text.index(MARK)].rstrip()
        if before and not NODE_TAG.fullmatch(before):  # print("step 3", end=""), then log_metric: the job's words stay
            self._print(before)
        step = record.get(ITERATION, self._count)
        stretch = int(step // EVERY) if math.isfinite(step) else self._stretch  # iteration_number=nan is a line too
        if not self._terminal and self._unshown and stretch != self._stretch:
            self._summary.show(self._text())  # the stretch just finished, before this line starts the next
            self._unshown = False
        self._stretch = stretch
        self._count += 1
        self._iteration = record.get(ITERATION, self._iteration)
        for name in metric_names(record):
            self._histories.setdefault(name, deque(maxlen=SUMMARY_HISTORY)).append(record[name])
        if self._terminal:
            self._summary.show(self._text())
        else:
            self._unshown = True

    def _print(self, text: str) -> None:
        self._summary.clear()
        self._stream.write(on_terminal(text) + "\n")
        if self._terminal and self._histories:
            self._summary.show(self._text())
        else:
            self._stream.flush()

    def write(self, text: str) -> None:
        """Take output as a local run echoes it: whole lines are shown, a partial one waits for its end."""
        *complete, self._partial = (self._partial + text).split("\n")
        for line in complete:
            self.line(line)

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:
        """The rest: a last partial line, the summary once more if it changed, and the terminal's line ended.

        Closing again does nothing more; lines given after it are taken as before.
        """
        if self._partial:
            self.line(self._partial)
            self._partial = ""
        if self._unshown:
            self._summary.show(self._text())
            self._unshown = False
        self._summary.close()

    def _text(self) -> str:
        return summary_line(self._iteration, {name: list(values) for name, values in self._histories.items()})
