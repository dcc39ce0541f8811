"""The settings as they are shown and recorded: every leaf with its origin, secrets redacted.

One vocabulary for ``braketkit config show --json``, ``plan --json`` and a job's planned record
(``model.provenance.PlannedRecord.settings``), so that what a plan records is what ``config show``
would have shown.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..model.provenance import PlannedSetting

if TYPE_CHECKING:
    from . import Resolved

__all__ = ["REDACTED", "planned_settings", "redact"]

REDACTED = "<redacted>"
_SECRET = re.compile(r"(?i)secret|token|password|passwd|passphrase|credential|api[_-]?key|access[_-]?key|private"
                     r"|(?:^|[_-])(?:pass|pwd|key)(?:$|[_-])|auth(?:$|[_-]|orization)")

_URL_PASSWORD = re.compile(r"(?<=://)([^/@:\s]+):[^/@\s]+@")
"""A password in a URL (``git+https://user:token@host/...`` among the dependencies): the user is kept, it is not."""
_NAMED_NOT_SECRET = frozenset({"s3.kms_key"})
"""Settings whose names look secret and whose values are not: a KMS key's ID or ARN grants nothing by itself."""


def redact(key: str, value: Any) -> Any:
    """``value``, or ``REDACTED`` when ``key``'s last part names a secret (``s3.api_key``, ``hyperparameters.token``)
    and it is set; a password inside a URL is redacted whatever the key."""
    secret = key not in _NAMED_NOT_SECRET and _SECRET.search(key.rpartition(".")[2])
    if secret and value not in (None, ""):
        return REDACTED
    if isinstance(value, str):
        return _URL_PASSWORD.sub(rf"\1:{REDACTED}@", value)
    if isinstance(value, list):
        return [_URL_PASSWORD.sub(rf"\1:{REDACTED}@", item) if isinstance(item, str) else item for item in value]
    return value


def planned_settings(resolved: Resolved) -> dict[str, PlannedSetting]:
    """Every leaf of the settings by flat key, in key order: its value (secrets redacted) and its origin."""
    from . import leaves

    return {key: PlannedSetting(value=redact(key, value), origin=resolved.origin(key))
            for key, value in sorted(leaves(resolved.settings).items())}
