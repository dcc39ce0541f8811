"""For a local run, where no requirements.txt is installed: which requirement a missing module asks for.

Shared by the function runtime (``entry.py``) and, for script-mode jobs, the local container, which imports it from
the job's own archive: both add the same hint to the ``ModuleNotFoundError`` the job raised. Standard library only.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from . import contract

__all__ = ["requirement_hint"]


def _normalized(project: str) -> str:
    return re.sub(r"[-_.]+", "-", project).lower()


def requirement_hint(error: ModuleNotFoundError, code_root: Path) -> str:
    """The hint for ``error``: the line of a requirements.txt in the job's tree that names the missing module's
    project (the container installs every one, nested ones too), else to install it here; empty outside local runs."""
    name = (error.name or "").partition(".")[0]
    if not name or not os.environ.get(contract.LOCAL_RUN):
        return ""
    wanted = _normalized(name)
    for path in sorted(code_root.rglob("requirements.txt")):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for line in lines:
            project = re.split(r"[\s\[<>=!~;@]", line.strip(), maxsplit=1)[0]
            if project and _normalized(project) == wanted:
                where = path.relative_to(code_root).as_posix()
                return (f"; the job's {where} asks for {line.strip()!r}, which local runs do not install: "
                        f"pip install {line.strip()!r}")
    return f"; local runs use your environment: install {name}, and add it to dependencies for the cloud"
