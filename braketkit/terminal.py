"""Text braketkit did not write, made safe to print on a terminal: the one escaping every command uses.

A job's log lines, failure reason, metric tags and results archive are written by the job's code and
every package it installed; job names, hyperparameters and messages quoting them can hold anything
too. A terminal acts on some characters (ESC starts a sequence that clears the screen, retitles the
window or hides what follows; CR and backspace write over a line; a right-to-left override reorders
it), so whatever braketkit prints as text shows each such character escaped, as Python writes it in a
string (``\\x1b``). JSON is not text for a terminal: its own escaping keeps every character.
"""

from __future__ import annotations

from typing import IO

__all__ = ["EscapingStream", "on_terminal", "printable"]


def printable(text: str) -> str:
    """``text`` as one line with every character that is not printable shown escaped (``\\x1b``, ``\\n``)."""
    return "".join(character if character.isprintable() else repr(character)[1:-1] for character in text)


def on_terminal(text: str) -> str:
    """``text`` line by line with every character a terminal would act on shown escaped: ``printable`` for
    each line, the line ends kept."""
    return "\n".join(printable(line) for line in text.split("\n"))


class EscapingStream:
    """A stream that passes on what it is given through ``on_terminal``: a job's output, echoed as it comes.

    Each character is escaped alone, so output split anywhere (half a line, half a sequence) is escaped alike.
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(on_terminal(text))

    def flush(self) -> None:
        self._stream.flush()
