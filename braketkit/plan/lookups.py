"""Read-only AWS lookups for values the settings leave to the account, through the gateway (``Aws``).

Only called when the plan is not offline; each answers None (with a reason)
instead of failing, so a plan without credentials still shows everything else.
The gateway remembers what it found (account, default role): a sweep looks them up once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

from ..aws import ROLE_NAME

if TYPE_CHECKING:
    from ..aws import Aws

__all__ = ["ACCOUNT_FOR_CHECKS", "ROLE_NAME", "AccountFacts", "configured_region", "look_up"]

ACCOUNT_FOR_CHECKS = "123456789012"
"""Every AWS account ID has 12 digits: an offline plan checks the default bucket's paths with one this long."""


@attrs.frozen
class AccountFacts:
    account: str | None
    role: str | None
    notes: list[str]


def configured_region(aws: Aws, environ: Mapping[str, str]) -> str | None:
    """The region of the standard AWS configuration chain (variables first, cheaply; no AWS call)."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if environ.get(name):
            return environ[name]
    return aws.region


def look_up(aws: Aws, region: str, need_account: bool, need_role: bool) -> AccountFacts:
    """The caller's account and the default jobs role, as far as credentials allow."""
    if not (need_account or need_role):
        return AccountFacts(None, None, [])
    from botocore.exceptions import BotoCoreError, ClientError

    if not aws.has_credentials():
        return AccountFacts(None, None, ["no AWS credentials found; account-dependent values are unresolved"])
    notes: list[str] = []
    account = role = None
    try:
        account = aws.account(region)
    except (BotoCoreError, ClientError) as error:
        notes.append(f"could not read the caller's account (sts:GetCallerIdentity): {error}")
    if need_role:
        try:
            role = aws.default_role()
            if role is None:
                notes.append(f"no role named {ROLE_NAME}* in the account; set role = \"arn:aws:iam::...\" "
                             "or create it from the Amazon Braket console (Permissions and settings)")
        except (BotoCoreError, ClientError) as error:
            notes.append(f"could not list IAM roles (iam:ListRoles): {error}; set role = \"arn:aws:iam::...\"")
    return AccountFacts(account, role, notes)
