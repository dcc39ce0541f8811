"""CreateJob at the service's pace: one token bucket per region in each AWS gateway (``Aws.pace``).

Amazon Braket allows CreateJob at ``sweep.rate`` calls a second with bursts of ``sweep.burst``; a
call over that is throttled. Every CreateJob braketkit sends (each attempt, retries too) first takes
a token from its region's bucket in the gateway (``shared()`` keeps one per AWS configuration), so
the submissions of a sweep, and of every sweep and call in the process, share one pace. The bucket
holds one token less than the burst (``RESERVE``): the service's bucket starts refilling when the
first request of a burst reaches it, which the network may delay by up to a whole interval, and the
token kept back covers that.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["RESERVE", "PacingStopped", "TokenBucket"]

RESERVE = 1
"""Tokens of the service's burst kept back (a burst of 1 keeps none)."""


class PacingStopped(KeyboardInterrupt):
    """The sweep was stopped while this submission waited for its turn: nothing was sent for it.

    A KeyboardInterrupt, so ``submit`` reports it as an interruption (with whether the job may exist)."""


class TokenBucket:
    """The service's ``burst`` less ``RESERVE`` tokens, refilled at ``rate`` a second; ``take`` waits for one.

    Thread-safe: each taker reserves its token under the lock (the count may go below zero) and then
    waits outside it until the token is due, so takers are served in the order they came.
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self._clock = rate, burst, clock
        self._tokens = self._capacity()
        self._at = clock()
        self._lock = threading.Lock()

    def _capacity(self) -> float:
        return float(max(1, self.burst - RESERVE))

    def limits(self, rate: float, burst: int) -> None:
        """Keep to other limits from now on (settings changed between submissions), keeping what is left."""
        with self._lock:
            self._refill()
            self.rate, self.burst = rate, burst
            self._tokens = min(self._tokens, self._capacity())

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self._capacity(), self._tokens + (now - self._at) * self.rate)
        self._at = now

    def reserve(self) -> float:
        """Take a token: the moment (on the bucket's clock) it is due, now or later."""
        with self._lock:
            self._refill()
            self._tokens -= 1
            return self._at + max(0.0, -self._tokens / self.rate)

    def take(self, stop: threading.Event | None = None, sleep: Callable[[float], Any] = time.sleep) -> None:
        """Wait until a token is due; ``stop`` set meanwhile raises ``PacingStopped`` (the token is not used).

        Never returns before the token is due, even if a wait ends early.
        """
        due = self.reserve()
        while (left := due - self._clock()) > 0 or (stop is not None and stop.is_set()):
            if stop is None:
                sleep(left)
            elif stop.is_set() or stop.wait(left):
                with self._lock:
                    self._tokens += 1  # not used: the next taker need not wait for it
                raise PacingStopped

