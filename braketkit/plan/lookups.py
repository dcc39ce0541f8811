"""Read-only AWS lookups for values the settings leave to the account.

Only called when the plan is not offline; each answers None (with a reason)
instead of failing, so a plan without credentials still shows everything else.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import attrs

from .. import aws

__all__ = ["ACCOUNT_FOR_CHECKS", "ROLE_NAME", "AccountFacts", "configured_region", "look_up"]

ROLE_NAME = "AmazonBraketJobsExecutionRole"
ACCOUNT_FOR_CHECKS = "123456789012"
"""Every AWS account ID has 12 digits: an offline plan checks the default bucket's paths with one this long."""
_found_roles: dict[tuple[object, ...], str] = {}
"""The default role, once found, per AWS configuration: roles are not looked up per job."""


@attrs.frozen
class AccountFacts:
    account: str | None
    role: str | None
    notes: list[str]


def configured_region(environ: Mapping[str, str]) -> str | None:
    """The region of the standard AWS configuration chain (variables first, cheaply)."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if environ.get(name):
            return environ[name]
    region = aws.session(None).region_name
    return str(region) if region else None


def look_up(region: str, need_account: bool, need_role: bool) -> AccountFacts:
    """The caller's account and the default jobs role, as far as credentials allow."""
    if not (need_account or need_role):
        return AccountFacts(None, None, [])
    from botocore.exceptions import BotoCoreError, ClientError

    if aws.session(region).get_credentials() is None:
        return AccountFacts(None, None, ["no AWS credentials found; account-dependent values are unresolved"])
    notes: list[str] = []
    account = role = None
    try:
        account = aws.account(region)
    except (BotoCoreError, ClientError) as error:
        notes.append(f"could not read the caller's account (sts:GetCallerIdentity): {error}")
    if need_role:
        role = os.environ.get("BRAKET_JOBS_ROLE_ARN") or _found_roles.get(aws.configuration(region))
    if need_role and role is None:
        try:
            pages = aws.client("iam", region).get_paginator("list_roles").paginate(PathPrefix="/service-role/")
            names = sorted((r["RoleName"], r["Arn"]) for page in pages for r in page["Roles"]
                           if r["RoleName"].startswith(ROLE_NAME))
            role = names[0][1] if names else None
            if role is not None:
                _found_roles[aws.configuration(region)] = role
            else:
                notes.append(f"no role named {ROLE_NAME}* in the account; set role = \"arn:aws:iam::...\" "
                             "or create it from the Amazon Braket console (Permissions and settings)")
        except (BotoCoreError, ClientError) as error:
            notes.append(f"could not list IAM roles (iam:ListRoles): {error}; set role = \"arn:aws:iam::...\"")
    return AccountFacts(account, role, notes)
