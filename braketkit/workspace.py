"""``.braketkit/``: the project's folder of braketkit's own state (local job folders, the archive cache).

Whatever creates anything in it goes through ``make_folder``, which also gives ``.braketkit/`` a
``.gitignore`` of ``*``: the folder never shows in ``git status``, whatever the project's own
``.gitignore`` says.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["FOLDER", "IGNORE_ALL", "LOCAL_JOB_PREFIX", "archives_folder", "jobs_folder", "make_folder", "plans_folder",
           "project_root"]

FOLDER = ".braketkit"
IGNORE_ALL = "*\n"
"""The content of ``.braketkit/.gitignore``: everything in the folder, the file itself included."""
LOCAL_JOB_PREFIX = "local:job/"
"""``local:job/<name>``: a local job, as the Braket SDK names one (its ``LocalQuantumJob.arn``)."""


def project_root(start: Path) -> Path:
    """The project ``start`` is in: the folder of the nearest ``pyproject.toml`` at or above it, else ``start``."""
    from .resolve.pyproject import find_pyproject

    found = find_pyproject(start)
    return found.parent if found is not None else start


def jobs_folder(root: Path) -> Path:
    """Where local runs of the project at ``root`` keep their job folders."""
    return root / FOLDER / "jobs"


def plans_folder(root: Path) -> Path:
    """Where the digests of local jobs' planned records are kept: beside the job folders, outside each job's own."""
    return root / FOLDER / "plans"


def archives_folder(root: Path) -> Path:
    """Where the project's source archives are built (a cache: content-addressed, rebuilt when missing)."""
    return root / FOLDER / "archives"


def make_folder(folder: Path) -> Path:
    """Create ``folder`` and its parents; a ``.braketkit`` folder among them gets its ``.gitignore``.

    An existing ``.gitignore`` is left as it is (the user may have written their own).
    """
    folder.mkdir(parents=True, exist_ok=True)
    for candidate in (folder, *folder.parents):
        if candidate.name == FOLDER:
            try:
                with (candidate / ".gitignore").open("x", encoding="utf-8") as ignore:
                    ignore.write(IGNORE_ALL)
            except FileExistsError:
                pass
    return folder
