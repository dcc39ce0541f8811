"""The calls that change spending limits: create, update, delete.

Create and update carry one client token for as long as they are retried
(``send_retried``, the loop CreateJob uses), so a lost answer never makes a
second limit or applies a change twice. Delete has no token: a retry that
finds the limit gone after an unanswered attempt counts that attempt as done.
Refusals are botocore's errors, for ``talking_to_aws`` to explain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from ..converter import converter
from ..model.spending import CreateSpendingLimitRequest, UpdateSpendingLimitRequest
from .progress import StatusLine
from .retry import Attempts, RetryPolicy, error_code, send_retried

if TYPE_CHECKING:
    from mypy_boto3_braket import BraketClient

    from ..aws import Aws

__all__ = ["create", "delete", "update"]

T = TypeVar("T")
_LOOK = "`braketkit limits` shows whether it did"


def _send(operation: str, call: Callable[[BraketClient, Attempts], T], aws: Aws, region: str,
          policy: RetryPolicy | None, quiet: bool, unsure: str) -> T:
    policy = policy or RetryPolicy()
    braket = aws.braket_once(region, policy.read_timeout)
    attempts = Attempts()
    line = None if quiet else StatusLine()
    try:
        return send_retried(lambda: call(braket, attempts), operation=operation, policy=policy, attempts=attempts,
                            line=line, unsure=unsure)
    finally:
        if line is not None:
            line.close()


def create(aws: Aws, request: CreateSpendingLimitRequest, region: str, *, policy: RetryPolicy | None = None,
           quiet: bool = False) -> str:
    """CreateSpendingLimit under the request's client token; the new limit's ARN."""
    arguments = converter.unstructure(request)
    return _send("CreateSpendingLimit",
                 lambda braket, _: str(braket.create_spending_limit(**arguments)["spendingLimitArn"]), aws, region,
                 policy, quiet, f"The limit may or may not exist: {_LOOK} (running the command again would make "
                 "another one if it does).")


def update(aws: Aws, request: UpdateSpendingLimitRequest, region: str, *, policy: RetryPolicy | None = None,
           quiet: bool = False) -> None:
    """UpdateSpendingLimit under the request's client token."""
    arguments = converter.unstructure(request)
    _send("UpdateSpendingLimit", lambda braket, _: braket.update_spending_limit(**arguments), aws, region, policy,
          quiet, f"The change may or may not have been made: {_LOOK}.")


def delete(aws: Aws, limit: str, region: str, *, policy: RetryPolicy | None = None, quiet: bool = False) -> None:
    """DeleteSpendingLimit; gone already after an attempt that got no answer means that attempt deleted it."""
    from botocore.exceptions import ClientError

    def call(braket: BraketClient, attempts: Attempts) -> None:
        try:
            braket.delete_spending_limit(spendingLimitArn=limit)
        except ClientError as error:
            if error_code(error) != "ResourceNotFoundException" or attempts.maybe_done < 2:
                raise

    _send("DeleteSpendingLimit", call, aws, region, policy, quiet, f"The limit may or may not be deleted: {_LOOK}.")
