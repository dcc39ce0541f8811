"""A one-line upload progress display, shown only on a terminal."""

from __future__ import annotations

import sys
import threading
from typing import IO


class Progress:
    """Thread-safe byte counter that redraws one stderr line (boto3 calls it from its threads)."""

    def __init__(self, label: str, total: int, stream: IO[str] | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = self._stream.isatty()
        self._label, self._total, self._done = label, max(total, 1), 0
        self._lock = threading.Lock()

    def __call__(self, count: int) -> None:
        with self._lock:
            self._done += count
            if self._enabled:
                share = min(self._done / self._total, 1.0)
                bar = "#" * int(share * 30)
                self._stream.write(f"\r{self._label} [{bar:<30}] {share:4.0%} of {self._total / 1e6:.1f} MB")
                self._stream.flush()

    def close(self) -> None:
        if self._enabled:
            self._stream.write("\n")
            self._stream.flush()
