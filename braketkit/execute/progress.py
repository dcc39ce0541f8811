"""One line that redraws in place: on a terminal with ``\\r``, in a notebook as one updating output.

IPython is never imported here: a notebook is recognised by a copy of IPython already in
``sys.modules`` whose ``get_ipython()`` answers, so ``import braketkit`` stays free of it.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from typing import IO, Any

from .. import ipython


def in_notebook() -> bool:
    """Running under IPython (a notebook's kernel) with stderr not a terminal."""
    # Terminal IPython has a shell too, but its stderr is a terminal: the ``\r`` line works there.
    return ipython.shell() is not None and not _isatty(sys.stderr)


def _isatty(stream: IO[str] | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class NotebookLine:
    """One output of the current notebook cell, drawn once and then updated in place."""

    def __init__(self) -> None:
        self._handle: Any = None
        self._shown: str | None = None

    def show(self, text: str) -> None:
        if text == self._shown:
            return
        display = importlib.import_module("IPython.display").display  # only ever reached under IPython
        bundle = {"text/plain": text}
        if self._handle is None:
            self._handle = display(bundle, raw=True, display_id=True)
        else:
            self._handle.update(bundle, raw=True)
        self._shown = text


class Progress:
    """Thread-safe byte counter shown as one redrawn line (boto3 calls it from its threads).

    A terminal gets the line on ``stream`` (stderr by default), redrawn with ``\\r``; a notebook,
    when no stream is given, one output updated in place; anything else nothing.
    """

    def __init__(self, label: str, total: int, stream: IO[str] | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = _isatty(self._stream)
        self._notebook = NotebookLine() if stream is None and not self._enabled and in_notebook() else None
        self._label, self._total, self._done = label, max(total, 1), 0
        self._lock = threading.Lock()

    def _text(self) -> str:
        share = min(self._done / self._total, 1.0)
        bar = "#" * int(share * 30)
        return f"{self._label} [{bar:<30}] {share:4.0%} of {self._total / 1e6:.1f} MB"

    def __call__(self, count: int) -> None:
        with self._lock:
            self._done += count
            if self._enabled:
                self._stream.write(f"\r{self._text()}")
                self._stream.flush()
            elif self._notebook is not None:
                self._notebook.show(self._text())  # sent only when the text changes: at most ~100 updates

    def close(self) -> None:
        if self._enabled:
            self._stream.write("\n")
            self._stream.flush()


class StatusLine:
    """News about something that takes a while: on a terminal one line redrawn in place (cut to the
    terminal's width, so that ``\\r`` can redraw it), in a notebook one output updated in place, and
    anywhere else a line each."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._terminal = _isatty(self._stream)
        self._notebook = NotebookLine() if stream is None and not self._terminal and in_notebook() else None
        self._shown = False

    def _width(self) -> int:
        """``COLUMNS`` if set (as ``shutil.get_terminal_size`` reads it), else the terminal's width, else 80."""
        columns = os.environ.get("COLUMNS", "")
        if columns.isdigit() and int(columns) > 0:
            return max(int(columns) - 1, 20)
        try:
            size = os.get_terminal_size(self._stream.fileno()).columns
        except (AttributeError, OSError, ValueError):  # no file descriptor, or not a terminal after all
            size = 0
        return max(size - 1, 20) if size > 0 else 79  # a pseudo-terminal may say 0 columns: it knows no width

    def show(self, text: str) -> None:
        if self._terminal:
            self._stream.write(f"\r{text[: self._width()]}\x1b[K")  # erase what a longer line left
        elif self._notebook is not None:
            self._notebook.show(text)
        else:
            self._stream.write(text + "\n")
        self._stream.flush()
        self._shown = True

    def clear(self) -> None:
        """Erase the redrawn line (on a terminal), so that a line printed next takes its place."""
        if self._terminal and self._shown:
            self._stream.write("\r\x1b[K")
        self._shown = False

    def close(self) -> None:
        """End the redrawn line, so that what is printed next starts on a line of its own."""
        if self._terminal and self._shown:
            self._stream.write("\n")
            self._stream.flush()
        self._shown = False
