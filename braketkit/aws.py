"""The one gateway to AWS: ``Aws`` owns a boto3 session, its clients and what braketkit learns of the account.

Every stage that talks to AWS is handed an ``Aws`` (the CLI and the pipeline make or take one per command
or call) instead of building clients or keeping caches of its own, so a test binds one to loopback servers
and nothing else changes.

Building a boto3 session re-reads botocore's JSON models (tens of milliseconds), so a hundred submissions
must not build a hundred: ``shared()`` gives the process's gateway for the present AWS configuration (the
``AWS_*`` variables: credentials, profile, endpoints, and the profile asked for), so a changed
configuration is honoured at once. Clients are made once per service, region and options, under a lock;
boto3 clients are thread-safe.

Times in answers are read in UTC (``_utc_timestamp``), never in local time.

With no region given, ``AWS_REGION`` counts (the AWS SDKs' variable, which botocore itself ignores), then
botocore's own chain (``AWS_DEFAULT_REGION``, the profile's ``region``).
"""

from __future__ import annotations

import os
import threading
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the stubs are a development dependency: nothing here imports boto3 at run time
    import boto3
    from mypy_boto3_braket import BraketClient
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sts import STSClient

    from .execute.pacing import TokenBucket

__all__ = ["ROLE_NAME", "Aws", "configuration", "shared"]

ROLE_NAME = "AmazonBraketJobsExecutionRole"
"""The default jobs role's name, as the Amazon Braket console creates it (under ``/service-role/``)."""


def configuration(profile: str | None = None) -> tuple[Any, ...]:
    """What a session depends on: the profile asked for and the AWS variables of the environment."""
    return (profile, *sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_")))


class Aws:
    """The gateway: one boto3 session, its clients, and what braketkit learnt through them.

    What it remembers holds for the life of the gateway: the caller's account, the default jobs role,
    the buckets found ready (owned by the caller, public access blocked), the uploads S3 is known to
    hold, and CreateJob's pace per region.

    Args:
        profile: The AWS profile; default: the standard chain's (``AWS_PROFILE``, then ``default``).
        region: The region when a call names none; default: ``AWS_REGION``, then botocore's chain.
        session: A boto3 session to use as it is (its own profile and region then count).
    """

    def __init__(self, *, profile: str | None = None, region: str | None = None,
                 session: boto3.Session | None = None) -> None:
        self.profile = profile
        self._region = region or (session.region_name if session is not None else None)
        self._session = session
        self._lock = threading.RLock()
        self._clients: dict[tuple[Any, ...], Any] = {}
        self._account: str | None = None
        self._role: str | None = None
        self._paces: dict[str, TokenBucket] = {}
        self.ready_buckets: set[str] = set()
        """Buckets checked in this gateway's life: owned by the caller, public access blocked."""
        self.present: set[tuple[str, str]] = set()
        """(S3 URI, SHA-256) known to be in S3: not asked about again."""

    def __repr__(self) -> str:
        return f"Aws(profile={self.profile!r}, region={self._region!r})"

    @property
    def session(self) -> boto3.Session:
        """The boto3 session, made on first use (boto3 is imported only then)."""
        with self._lock:
            if self._session is None:
                import boto3
                import botocore.session

                core = botocore.session.get_session()
                core.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=_utc_timestamp)
                self._session = boto3.Session(botocore_session=core, profile_name=self.profile,
                                              region_name=self._region or os.environ.get("AWS_REGION") or None)
            return self._session

    @property
    def region(self) -> str | None:
        """The configured region: the gateway's, ``AWS_REGION``, ``AWS_DEFAULT_REGION``, then the profile's."""
        if self._region:
            return self._region
        for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):  # cheaply, before any session is made
            if os.environ.get(name):
                return os.environ[name]
        region = self.session.region_name
        return str(region) if region else None

    def has_credentials(self) -> bool:
        """Whether the session finds credentials (read locally: no AWS call)."""
        return self.session.get_credentials() is not None

    def _client(self, service: str, region: str | None = None, **config: Any) -> Any:
        """A client of ``service`` in ``region``, made once, under the lock (a boto3 session makes one at a time).

        Args:
            service: The AWS service's name, as boto3 spells it (``"braket"``).
            region: Its region; default: the gateway's.
            **config: botocore ``Config`` options (timeouts, retries); each set of them has a client of its own.
        """
        key = (service, region, repr(sorted(config.items())))
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                from botocore.config import Config

                found = self._clients[key] = self.session.client(  # type: ignore[call-overload]
                    service, region_name=region, config=Config(**config) if config else None)
            return found

    def braket(self, region: str | None = None) -> BraketClient:
        """Amazon Braket's control plane, with botocore's own retries.

        Args:
            region: Its region; default: the gateway's.
        """
        client: BraketClient = self._client("braket", region)
        return client

    def braket_once(self, region: str | None, read_timeout: float) -> BraketClient:
        """A Braket client for ``send_retried``: botocore's own retries off, so one token is never sent blindly.

        Args:
            region: Its region; default: the gateway's.
            read_timeout: Seconds to wait for an answer before counting the attempt as unanswered.
        """
        client: BraketClient = self._client("braket", region, retries={"total_max_attempts": 1, "mode": "standard"},
                                           connect_timeout=10, read_timeout=read_timeout)
        return client

    def s3(self, region: str | None = None) -> S3Client:
        """Amazon S3.

        Args:
            region: Its region; default: the gateway's.
        """
        client: S3Client = self._client("s3", region)
        return client

    def logs(self, region: str | None = None) -> CloudWatchLogsClient:
        """CloudWatch Logs, where jobs log.

        Args:
            region: Its region; default: the gateway's.
        """
        client: CloudWatchLogsClient = self._client("logs", region)
        return client

    def iam(self) -> IAMClient:
        """IAM (global), for the default jobs role."""
        client: IAMClient = self._client("iam")
        return client

    def sts(self, region: str | None = None) -> STSClient:
        """STS, for the caller's account.

        Args:
            region: Its region; default: the gateway's.
        """
        client: STSClient = self._client("sts", region)
        return client

    def account(self, region: str | None = None) -> str:
        """The caller's account id (STS GetCallerIdentity, once).

        Args:
            region: The region to ask STS in; default: the gateway's.
        """
        with self._lock:
            known = self._account
        if known is None:
            known = str(self.sts(region).get_caller_identity()["Account"])
            with self._lock:
                self._account = known
        return known

    def default_role(self) -> str | None:
        """The ARN of the account's default jobs role (``BRAKET_JOBS_ROLE_ARN``, else IAM ListRoles, once found).

        None when the account has none; botocore's error when it may not be listed.
        """
        given = os.environ.get("BRAKET_JOBS_ROLE_ARN")
        if given:
            return given
        with self._lock:
            if self._role is not None:
                return self._role
        pages = self.iam().get_paginator("list_roles").paginate(PathPrefix="/service-role/")
        names = sorted((role["RoleName"], role["Arn"]) for page in pages for role in page["Roles"]
                       if role["RoleName"].startswith(ROLE_NAME))
        with self._lock:
            self._role = names[0][1] if names else None
            return self._role

    def pace(self, region: str, rate: float, burst: int) -> TokenBucket:
        """CreateJob's token bucket in ``region``, shared by every submission through this gateway.

        Args:
            region: The region CreateJob is sent to.
            rate: Calls a second the service allows (``sweep.rate``); a changed value applies from now on.
            burst: Calls the service allows at once (``sweep.burst``).
        """
        from .execute.pacing import TokenBucket

        with self._lock:
            bucket = self._paces.get(region)
            if bucket is None:
                bucket = self._paces[region] = TokenBucket(rate, burst)
                return bucket
        if (bucket.rate, bucket.burst) != (rate, burst):
            bucket.limits(rate, burst)
        return bucket


_lock = threading.Lock()
_shared: dict[tuple[Any, ...], Aws] = {}


def shared(profile: str | None = None) -> Aws:
    """The process's gateway for the present AWS configuration: what the CLI and the pipeline take by default.

    Args:
        profile: The AWS profile; default: the standard chain's. Each profile has a gateway of its own.
    """
    key = configuration(profile)
    with _lock:
        gateway = _shared.get(key)
        if gateway is None:
            gateway = _shared[key] = Aws(profile=profile)
        return gateway


def _utc_timestamp(value: Any) -> datetime:
    """A time in an AWS answer, in UTC. botocore's own parser puts epoch seconds in local time, which fails for
    a time near the end of year 9999 (an open-ended spending limit's end) anywhere east of UTC."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        from botocore.utils import parse_timestamp

        return parse_timestamp(value)  # text: ISO 8601 or RFC 822, zone included
    return datetime.fromtimestamp(seconds, timezone.utc)
