"""One call that changes something in AWS, retried under one client token until it answers.

CreateJob and the spending-limit calls carry a client token: sent again with the
same token, the service makes one job (one limit) however often a response was
lost. ``send_retried`` is the one loop that does this, for all of them; braketkit
alone decides when to retry, so its clients are made with botocore's retries off (``Aws.braket_once``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from ..errors import AwsError, BraketkitError
from .progress import StatusLine

__all__ = ["RETRYABLE_CODES", "Attempts", "RetryPolicy", "error_code", "send_retried"]

T = TypeVar("T")
RETRYABLE_CODES = {"ThrottlingException", "InternalServiceException", "ServiceUnavailable", "RequestTimeout"}


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """Capped exponential backoff with full jitter, until a deadline.

    Jitter spreads the retries of many clients throttled together; the deadline is long because giving up
    on a call that may have worked helps no one, and the client token makes every retry safe.

    Attributes:
        deadline: Seconds after the first attempt past which no retry starts.
        base: The largest pause after the first attempt, in seconds; it doubles with each attempt.
        cap: The largest pause ever, in seconds.
        read_timeout: Seconds to wait for an answer before counting the attempt as unanswered.
        sleep: How to pause (tests pass one that does not).
    """

    deadline: float = 900.0
    base: float = 0.5
    cap: float = 30.0
    read_timeout: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int) -> float:
        """The pause after ``attempt``: anything from 0 up to ``base * 2 ** attempt``, at most ``cap``.

        Args:
            attempt: How many attempts have been made so far (1 after the first).
        """
        return random.uniform(0, min(self.cap, self.base * 2 ** attempt))


@attrs.define
class Attempts:
    """Attempts so far, and how many of them may have done the change (no answer yet or ever, or a 5xx)."""

    sent: int = 0
    maybe_done: int = 0


def error_code(error: Any) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def send_retried(
    send: Callable[[], T],
    *,
    operation: str,
    policy: RetryPolicy,
    attempts: Attempts,
    line: StatusLine | None,
    unsure: str,
    refused: Callable[[Any], BraketkitError] | None = None,
    pace: Callable[[], None] | None = None,
) -> T:
    """``send()`` until it answers or the deadline passes; each attempt must carry the same client token.

    ``pace()`` is called before each attempt (it waits for the service's rate; what it raises goes on, and
    counts as no attempt).

    Throttling, 5xx, dropped connections and timeouts are retried; any other refusal becomes ``refused(error)``
    (without ``refused``, botocore's error goes on as it is, for ``talking_to_aws`` to explain).
    When the deadline passes, the error says how often it was sent and then ``unsure``: whether the change
    may have happened, and how to find out.
    """
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    started = time.monotonic()
    while True:
        if pace is not None:
            pace()
        attempts.sent += 1
        attempts.maybe_done += 1  # until an answer says otherwise, this attempt may have done it
        try:
            answer = send()
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if error_code(error) not in RETRYABLE_CODES and status < 500:
                attempts.maybe_done -= 1  # refused: this attempt changed nothing
                if refused is None:
                    raise
                raise refused(error) from error
            if status < 500:  # refused (throttled): this attempt changed nothing; a 5xx may come after the change
                attempts.maybe_done -= 1
            reason = f"{error_code(error)}: {error.response.get('Error', {}).get('Message', '')}"
        except (ConnectionError, HTTPClientError) as error:
            reason = f"{type(error).__name__}: {error}"
        else:
            if line is not None and attempts.sent > 1:
                line.show(f"{operation} answered on attempt {attempts.sent}, "
                          f"after {time.monotonic() - started:.0f} s of retries")
            return answer
        pause = policy.delay(attempts.sent)
        if time.monotonic() - started + pause > policy.deadline:
            raise AwsError(f"{operation} did not succeed after {attempts.sent} attempts over "
                           f"{time.monotonic() - started:.0f} s (last: {reason}). {unsure}")
        if line is not None:
            at = time.strftime("%H:%M:%S", time.localtime(time.time() + pause))
            line.show(f"{operation} attempt {attempts.sent} failed ({reason}); next try in {pause:.1f} s, at {at}")
        policy.sleep(pause)
