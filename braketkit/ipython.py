"""The running IPython shell (a notebook's kernel, or terminal IPython), if there is one.

Found without importing IPython: only a copy already in ``sys.modules`` counts, so
``import braketkit`` stays free of it and a plain script never pays for it.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["shell"]


def shell() -> Any | None:
    module = sys.modules.get("IPython")
    if module is None:
        return None
    try:
        return module.get_ipython()
    except Exception:  # a half-imported or unusual IPython is no shell
        return None
