"""Default job names and sweep ids: the function's name and a UTC timestamp, always valid.

The service allows ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,50}`` and at most 50
characters. A per-process sequence (from a random start) keeps names made in
the same millisecond distinct.
"""

from __future__ import annotations

import itertools
import os
import re
import unicodedata
from datetime import datetime, timezone

__all__ = ["default_job_name", "sweep_id"]

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_SPAN = len(_ALPHABET) ** 3


def _random() -> int:
    """A random start below ``_SPAN``, from the system's source (``random`` itself costs a plan's start more)."""
    return int.from_bytes(os.urandom(4), "big") % _SPAN


_sequence = itertools.count(_random())


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-") or "job"


def _base36(number: int) -> str:
    digits = ""
    for _ in range(3):
        number, digit = divmod(number, len(_ALPHABET))
        digits = _ALPHABET[digit] + digits
    return digits


def default_job_name(function_name: str, now: datetime | None = None, max_length: int = 50) -> str:
    """``train-20261126-183400-123-k4z``: slug, UTC time to the millisecond, sequence."""
    now = now or datetime.now(timezone.utc)
    tail = f"-{now:%Y%m%d-%H%M%S}-{now.microsecond // 1000:03d}-{_base36(next(_sequence) % _SPAN)}"
    return _slug(function_name.rpartition(".")[2])[: max_length - len(tail)].rstrip("-") + tail


def sweep_id(function_name: str, now: datetime | None = None) -> str:
    """``train-sweep-20261126-183400-k4z``: what the ``braketkit:sweep`` tag of each job of a sweep says.

    Readable and unlike any job name (which has milliseconds where this says ``sweep``); a tag value
    and a job name alike, so it is valid wherever either is.
    """
    now = now or datetime.now(timezone.utc)
    tail = f"-sweep-{now:%Y%m%d-%H%M%S}-{_base36(_random())}"
    return _slug(function_name.rpartition(".")[2])[: 50 - len(tail)].rstrip("-") + tail
