"""The ``braketkit`` command (``run``), also as ``python -m braketkit``."""

from __future__ import annotations

import gc


def run() -> None:
    """Start the CLI.

    What importing it makes (modules, classes, functions: most of the objects a plan ever has) lives as long as
    the process, so the cyclic garbage collector is kept off it: off while the CLI is imported (its passes over the
    growing heap find nothing to free), then frozen out of every later pass and the one at exit (``gc.freeze``).
    That is a tenth of the instructions of a ``plan --offline`` (docs/performance.md). Objects made later are
    collected as ever; ``braketkit.cli.main``, which tests call in-process, leaves the collector alone.
    """
    gc.disable()
    try:
        from .cli import main
    finally:
        gc.freeze()
        gc.enable()
    main()


if __name__ == "__main__":
    run()
