"""The one place braketkit gets boto3 sessions and clients, kept for the life of the process.

Building a boto3 session re-reads botocore's JSON models (tens of
milliseconds), so a hundred submissions must not build a hundred. Sessions,
clients and the caller's account are kept per region and per AWS
configuration (the ``AWS_*`` variables: credentials, profile, endpoints), so a
changed configuration is honoured at once. boto3 clients are thread-safe.

Times in answers are read in UTC (``_utc_timestamp``), never in local time.

With no region given, ``AWS_REGION`` counts (the AWS SDKs' variable, which
botocore itself ignores), then botocore's own chain (``AWS_DEFAULT_REGION``,
the profile's ``region``).
"""

from __future__ import annotations

import os
import threading
from datetime import datetime, timezone
from typing import Any

__all__ = ["account", "client", "configuration", "session"]

_lock = threading.Lock()
_sessions: dict[tuple[Any, ...], Any] = {}
_clients: dict[tuple[Any, ...], Any] = {}
_accounts: dict[tuple[Any, ...], str] = {}


def configuration(region: str | None) -> tuple[Any, ...]:
    """What a session depends on: the region and the AWS variables of the environment."""
    return (region, *sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_")))


def session(region: str | None) -> Any:
    key = configuration(region)
    with _lock:
        if key not in _sessions:
            import boto3
            import botocore.session

            core = botocore.session.get_session()
            core.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=_utc_timestamp)
            _sessions[key] = boto3.Session(botocore_session=core,
                                           region_name=region or os.environ.get("AWS_REGION") or None)
        return _sessions[key]


def _utc_timestamp(value: Any) -> datetime:
    """A time in an AWS answer, in UTC. botocore's own parser puts epoch seconds in local time, which fails for
    a time near the end of year 9999 (an open-ended spending limit's end) anywhere east of UTC."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        from botocore.utils import parse_timestamp

        return parse_timestamp(value)  # type: ignore[no-any-return]  # text: ISO 8601 or RFC 822, zone included
    return datetime.fromtimestamp(seconds, timezone.utc)


def client(service: str, region: str | None, **config: Any) -> Any:
    """A client of ``service``; ``config`` are botocore ``Config`` options (timeouts, retries)."""
    key = (service, repr(sorted(config.items())), *configuration(region))
    with _lock:
        found = _clients.get(key)
    if found is None:
        from botocore.config import Config

        found = session(region).client(service, config=Config(**config) if config else None)
        with _lock:
            found = _clients.setdefault(key, found)
    return found


def account(region: str | None) -> str:
    """The caller's account id (STS GetCallerIdentity, once per configuration)."""
    key = configuration(region)
    with _lock:
        known = _accounts.get(key)
    if known is None:
        known = str(client("sts", region).get_caller_identity()["Account"])
        with _lock:
            _accounts[key] = known
    return known
