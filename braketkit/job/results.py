"""Reading a job's results.json back into what the function returned.

Shared by local and cloud jobs. A dict return is the data dictionary itself;
anything else sits under one key named by braketkit's marker. The function's
return annotation, when known, rebuilds tuples, dataclasses and attrs classes
with the same code that rebuilds call arguments in the job.
"""

from __future__ import annotations

import base64
import json
import pickle
from typing import Any

from ..runtime import contract
from ..runtime.rebuild import value_as

__all__ = ["read_results"]


def read_results(text: str, annotation: Any = Any) -> Any:
    document = json.loads(text)
    data = document["dataDictionary"]
    if document.get("dataFormat") == "pickled_v4":
        # The job's own results, in the format its settings chose.
        data = {key: pickle.loads(base64.b64decode(value)) for key, value in data.items()}
    marker = document.get(contract.MARKER)
    value = data[marker["return"]] if isinstance(marker, dict) and "return" in marker else data
    return value_as(value, annotation)
