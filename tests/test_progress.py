"""The upload progress line: drawn on a terminal, silent anywhere else."""

from __future__ import annotations

import io

from braketkit.execute.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_on_a_terminal() -> None:
    screen = Terminal()
    progress = Progress("uploading source.tar.gz", 2_000_000, stream=screen)
    progress(1_000_000)
    progress(1_000_000)
    progress.close()
    frames = screen.getvalue().split("\r")[1:]
    assert frames[0] == "uploading source.tar.gz [###############               ]  50% of 2.0 MB"
    assert frames[1] == "uploading source.tar.gz [##############################] 100% of 2.0 MB\n"


def test_progress_is_silent_when_not_a_terminal() -> None:
    log = io.StringIO()
    progress = Progress("uploading x", 10, stream=log)
    progress(10)
    progress.close()
    assert log.getvalue() == ""
