"""The AWS gateway: one per AWS configuration in a process, each client made once, what it learns kept."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from braketkit.aws import Aws, shared


def test_one_gateway_per_configuration_and_one_client_per_service_and_region(
        aws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    gateway = shared()
    assert shared() is gateway and shared("research") is not gateway  # a profile has a gateway of its own
    with ThreadPoolExecutor(8) as pool:  # made once even when asked for from many threads at once
        clients = list(pool.map(lambda _: gateway.braket("us-east-1"), range(32)))
    assert all(client is clients[0] for client in clients)
    assert gateway.braket("us-west-2") is not clients[0] and gateway.braket("us-west-2").meta.region_name == "us-west-2"
    assert gateway.braket_once("us-east-1", 60.0) is not clients[0]  # botocore's retries off: a client of its own
    assert gateway.account() == "123456789012" and gateway.region == "us-east-1"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # another configuration: another gateway
    assert shared() is not gateway


def test_a_gateway_keeps_what_it_learnt_and_a_new_one_asks_again(aws: str) -> None:
    import boto3

    gateway = Aws()
    assert gateway.default_role() is None  # no role in the account yet: asked every time until there is one
    iam = boto3.Session(region_name="us-east-1").client("iam")
    role = iam.create_role(RoleName="AmazonBraketJobsExecutionRole", Path="/service-role/",
                           AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    assert gateway.default_role() == role
    iam.delete_role(RoleName="AmazonBraketJobsExecutionRole")
    assert gateway.default_role() == role  # found once: not looked up per job
    assert Aws().default_role() is None


def test_a_gateway_over_a_session_of_your_own(aws: str) -> None:
    import boto3

    session = boto3.Session(region_name="eu-west-2")
    gateway = Aws(session=session)
    assert gateway.session is session and gateway.region == "eu-west-2"  # the session's region, not AWS_REGION's
    assert Aws(region="eu-north-1").region == "eu-north-1"
    assert gateway.s3().meta.region_name == "eu-west-2"  # the session's own region for its clients
