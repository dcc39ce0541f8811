"""The settings as they are shown and recorded: every leaf with its origin, secrets redacted.

One vocabulary for ``braketkit config show --json``, ``plan --json`` and a job's planned record
(``model.provenance.PlannedRecord.settings``), so that what a plan records is what ``config show``
would have shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..model.provenance import PlannedSetting

if TYPE_CHECKING:
    from . import Resolved

__all__ = ["REDACTED", "looks_secret", "planned_settings", "redact"]

REDACTED = "<redacted>"
_SECRET_WORDS = ("secret", "token", "password", "passwd", "passphrase", "credential", "private", "apikey", "api_key",
                 "api-key", "accesskey", "access_key", "access-key", "authorization")
"""Found anywhere in a name, in any case: it names a secret."""
_SECRET_PARTS = frozenset({"pass", "pwd", "key", "auth"})
"""Found as a whole part of a name (parts split at ``_`` and ``-``): ``db_pass``, ``wandb_key``, ``auth``."""
_NAMED_NOT_SECRET = frozenset({"s3.kms_key"})
"""Settings whose names look secret and whose values are not: a KMS key's ID or ARN grants nothing by itself."""


def looks_secret(name: str) -> bool:
    """Whether a setting's, argument's or hyperparameter's name says its value is a secret. Plain string tests: every
    plan redacts its settings, and compiling a pattern for it would cost each plan's start more than the tests."""
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS) or not _SECRET_PARTS.isdisjoint(
        lowered.replace("-", "_").split("_"))


def _without_password(text: str) -> str:
    """``text`` with a password inside a URL (``git+https://user:token@host/...``) redacted; the user is kept."""
    if "://" not in text or "@" not in text:
        return text
    import re

    return re.sub(r"(?<=://)([^/@:\s]+):[^/@\s]+@", rf"\1:{REDACTED}@", text)


def redact(key: str, value: Any) -> Any:
    """``value``, or ``REDACTED`` when ``key``'s last part names a secret (``s3.api_key``, ``hyperparameters.token``)
    and it is set; a password inside a URL is redacted whatever the key."""
    if key not in _NAMED_NOT_SECRET and looks_secret(key.rpartition(".")[2]) and value not in (None, ""):
        return REDACTED
    if isinstance(value, str):
        return _without_password(value)
    if isinstance(value, list):
        return [_without_password(item) if isinstance(item, str) else item for item in value]
    return value


def planned_settings(resolved: Resolved) -> dict[str, PlannedSetting]:
    """Every leaf of the settings by flat key, in key order: its value (secrets redacted) and its origin."""
    from . import leaves

    return {key: PlannedSetting(value=redact(key, value), origin=resolved.origin(key))
            for key, value in sorted(leaves(resolved.settings).items())}
