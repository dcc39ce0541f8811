"""Spending limits over the wire: ``braketkit limits``, the plan's view of a QPU's limit, and the refusal to submit.

Everything runs against the loopback Braket service (the four spending-limit
operations, validated against botocore's model) and moto, through real boto3.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from braketkit import InvalidInput, SpendingLimitReached
from braketkit.execute.cloud import submit
from braketkit.execute.retry import RetryPolicy
from braketkit.limits import delete_limit, set_limit, update_limit
from braketkit.pipeline import plan_target
from braketkit.plan.limits import moment
from braketkit.target import load_reference

from .conftest import CLOUD_JOBS, Cloud, Project, run_cli

FAST = RetryPolicy(deadline=30.0, base=0.001, cap=0.01)
FORTE = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"
ARIA = "arn:aws:braket:us-east-1::device/qpu/ionq/Aria-1"
QPU_SETTINGS = f'''
[tool.braketkit]
device = "forte"
region = "us-east-1"

[tool.braketkit.devices]
forte = "{FORTE}"
aria = "{ARIA}"
'''
NEXT_YEAR = datetime.now(timezone.utc).year + 1


@pytest.fixture
def qpu_project(project: Project, cloud: Cloud) -> Project:
    project.pyproject(QPU_SETTINGS)
    project.write("jobs.py", CLOUD_JOBS)
    sys.path.insert(0, str(project.root))
    return project


def braket(cloud: Cloud) -> Any:
    return boto3.Session(region_name="us-east-1").client("braket", endpoint_url=cloud.braket.url)


def limits_of(cloud: Cloud) -> list[dict[str, Any]]:
    return list(cloud.braket.limits.values())


# -- the loopback service ------------------------------------------------------------------------------------


def test_the_service_keeps_one_limit_per_client_token_and_refuses_a_reused_one(cloud: Cloud) -> None:
    client = braket(cloud)
    first = client.create_spending_limit(clientToken="t-1", deviceArn=FORTE, spendingLimit="100")
    again = client.create_spending_limit(clientToken="t-1", deviceArn=FORTE, spendingLimit="100")
    assert first["spendingLimitArn"] == again["spendingLimitArn"]
    assert len(cloud.braket.limits) == 1
    with pytest.raises(ClientError) as caught:
        client.create_spending_limit(clientToken="t-1", deviceArn=FORTE, spendingLimit="200")
    assert caught.value.response["Error"]["Code"] == "ConflictException"


@pytest.mark.parametrize(("arguments", "message"), [
    ({"deviceArn": "arn:aws:braket:::device/quantum-simulator/amazon/sv1", "spendingLimit": "5"},
     "Simulators do not support spending limits"),
    ({"deviceArn": FORTE, "spendingLimit": "1.005"}, "spendingLimit '1.005' is invalid"),
    ({"deviceArn": FORTE, "spendingLimit": "5", "timePeriod": {"startAt": datetime(2031, 1, 2),
                                                               "endAt": datetime(2031, 1, 1)}},
     "timePeriod endAt must be after startAt"),
])
def test_the_service_refuses_what_the_real_one_refuses(cloud: Cloud, arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ClientError) as caught:
        braket(cloud).create_spending_limit(**arguments)
    assert caught.value.response["Error"] == {"Code": "ValidationException", "Message": message}
    assert cloud.braket.limits == {}


def test_the_service_pages_its_answers(cloud: Cloud) -> None:
    client = braket(cloud)
    for amount in ("1", "2", "3", "4", "5"):
        client.create_spending_limit(deviceArn=FORTE, spendingLimit=amount)
    first = client.search_spending_limits()
    assert len(first["spendingLimits"]) == 2 and "nextToken" in first
    pages = list(client.get_paginator("search_spending_limits").paginate())
    assert [limit["spendingLimit"] for page in pages for limit in page["spendingLimits"]] == ["1", "2", "3", "4", "5"]


# -- braketkit limits ----------------------------------------------------------------------------------------


def test_set_then_list(qpu_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "limits", "set", "forte", "100", "--from", f"{NEXT_YEAR}-01-01",
                             "--until", f"{NEXT_YEAR}-01-31")
    assert (code, err) == (0, "")
    (limit,) = limits_of(cloud)
    assert out.splitlines()[0] == f"created {limit['spendingLimitArn']}"
    assert (limit["deviceArn"], limit["spendingLimit"]) == (FORTE, "100")
    start = datetime(NEXT_YEAR, 1, 1, tzinfo=timezone.utc)
    assert limit["timePeriod"] == {"startAt": int(start.timestamp()),
                                   "endAt": int((start + timedelta(days=31)).timestamp())}  # January 31 included
    code, out, _ = run_cli(capsys, "limits")
    assert code == 0
    header, row = out.splitlines()
    assert header.split() == ["DEVICE", "AMOUNT", "SPENT", "QUEUED", "LEFT", "PERIOD", "ARN"]
    assert row.split() == ["forte", "100.00", "0.00", "0.00", "100.00", f"{NEXT_YEAR}-01-01", "00:00", "to",
                           f"{NEXT_YEAR}-02-01", "00:00", "UTC,", "not", "begun", limit["spendingLimitArn"]]


def test_a_limit_without_dates_is_in_force_from_now(qpu_project: Project, cloud: Cloud,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "limits", "set", FORTE, "25.50")
    assert code == 0
    (limit,) = limits_of(cloud)
    assert limit["spendingLimit"] == "25.50"
    assert "in force" in out.splitlines()[2]
    assert cloud.braket.calls.count("CreateSpendingLimit") == 1


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Asia/Tokyo", "Pacific/Kiritimati"])
def test_an_open_ended_limit_reads_in_any_time_zone(qpu_project: Project, cloud: Cloud, zone: str,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Its end, 9999-12-31T23:59:59 UTC, is past year 9999 in local time east of UTC: answers are read in UTC."""
    import time

    assert run_cli(capsys, "limits", "set", FORTE, "5")[0] == 0
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        code, out, err = run_cli(capsys, "limits")
        assert (code, err) == (0, "") and "9999-12-31 23:59" in out
        code, out, err = run_cli(capsys, "plan", "jobs.py:train")
        assert code == 0 and row(out, "spending limit").startswith("5.00 of 5.00 USD left"), err
        assert run_cli(capsys, "limits", "delete", FORTE)[0] == 0
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()


def test_until_alone_starts_now_and_zones_are_honoured(qpu_project: Project, cloud: Cloud) -> None:
    before = datetime.now(timezone.utc).replace(microsecond=0)
    set_limit("forte", "10", until=f"{NEXT_YEAR}-03-01T12:00+02:00", policy=FAST, quiet=True)
    (limit,) = limits_of(cloud)
    assert before.timestamp() <= limit["timePeriod"]["startAt"] <= datetime.now(timezone.utc).timestamp()
    assert limit["timePeriod"]["endAt"] == datetime(NEXT_YEAR, 3, 1, 10, tzinfo=timezone.utc).timestamp()


def test_listing_reads_every_page(qpu_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    client = braket(cloud)
    for amount in ("1", "2", "3", "4", "5"):
        client.create_spending_limit(deviceArn=FORTE, spendingLimit=amount)
    client.create_spending_limit(deviceArn=ARIA, spendingLimit="6")
    code, out, _ = run_cli(capsys, "limits", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [limit["spendingLimit"] for limit in listed] == ["1", "2", "3", "4", "5", "6"]
    assert cloud.braket.calls.count("SearchSpendingLimits") == 3
    assert listed[0]["left"] == "1" and listed[0]["inForce"] is True
    code, out, _ = run_cli(capsys, "limits", "--device", "aria")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == ["DEVICE", "aria"]


def test_no_limits_says_so(qpu_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "limits") == (0, "no spending limits in us-east-1\n", "")
    assert run_cli(capsys, "limits", "--device", "forte") == (0, "no spending limits on forte in us-east-1\n", "")


@pytest.mark.parametrize("faults", [["drop_after_create"], ["throttle", "error500", "drop"],
                                    ["drop_after_create", "throttle", "drop_after_create"]])
def test_a_retried_create_makes_one_limit(qpu_project: Project, cloud: Cloud, faults: list[str]) -> None:
    cloud.braket.faults["CreateSpendingLimit"].extend(faults)
    arn, region = set_limit("forte", "100", policy=FAST, quiet=True)
    assert region == "us-east-1"
    assert list(cloud.braket.limits) == [arn]
    assert cloud.braket.calls.count("CreateSpendingLimit") == len(faults) + 1
    assert len(cloud.braket.limit_tokens) == 1  # every attempt carried the one token


def test_update_changes_what_is_given_and_keeps_the_rest(qpu_project: Project, cloud: Cloud,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    arn, _ = set_limit("forte", "100", start=f"{NEXT_YEAR}-01-01", until=f"{NEXT_YEAR}-06-30", policy=FAST,
                       quiet=True)
    period = dict(cloud.braket.limits[arn]["timePeriod"])
    code, out, err = run_cli(capsys, "limits", "update", "forte", "150")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"updated {arn}"
    assert (cloud.braket.limits[arn]["spendingLimit"], cloud.braket.limits[arn]["timePeriod"]) == ("150", period)
    code, _, _ = run_cli(capsys, "limits", "update", arn, "--until", f"{NEXT_YEAR}-12-31")
    assert code == 0
    changed = cloud.braket.limits[arn]
    assert changed["spendingLimit"] == "150"
    assert changed["timePeriod"] == {"startAt": period["startAt"],
                                     "endAt": datetime(NEXT_YEAR + 1, 1, 1, tzinfo=timezone.utc).timestamp()}


def test_a_retried_update_is_made_once(qpu_project: Project, cloud: Cloud) -> None:
    arn, _ = set_limit("forte", "100", policy=FAST, quiet=True)
    cloud.braket.faults["UpdateSpendingLimit"].extend(["drop_after_create", "error500"])
    before, _ = update_limit("forte", "120", policy=FAST, quiet=True)
    assert (before.spending_limit_arn, str(before.spending_limit)) == (arn, "100")
    assert cloud.braket.limits[arn]["spendingLimit"] == "120"
    assert cloud.braket.calls.count("UpdateSpendingLimit") == 3
    assert [operation for operation, _ in cloud.braket.limit_tokens].count("UpdateSpendingLimit") == 1


def test_an_update_must_change_something_and_a_start_must_stay_before_the_end(
    qpu_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str]
) -> None:
    set_limit("forte", "100", until=f"{NEXT_YEAR}-06-30", policy=FAST, quiet=True)
    searches = cloud.braket.calls.count("SearchSpendingLimits")
    assert run_cli(capsys, "limits", "update", "forte") == (
        2, "", "error: LIMIT_OR_DEVICE: nothing to change: give AMOUNT, --from or --until\n")
    assert cloud.braket.calls.count("SearchSpendingLimits") == searches  # refused before any call
    code, _, err = run_cli(capsys, "limits", "update", "forte", "--from", f"{NEXT_YEAR}-07-01")
    assert (code, err) == (2, f"error: --from: the period would end at {NEXT_YEAR}-07-01 00:00 UTC (the end of "
                              f"{NEXT_YEAR}-06-30), not after it starts, at {NEXT_YEAR}-07-01 00:00 UTC\n")
    assert "UpdateSpendingLimit" not in cloud.braket.calls


def test_a_device_with_several_limits_asks_for_the_arn(qpu_project: Project, cloud: Cloud,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    first, _ = set_limit("forte", "100", policy=FAST, quiet=True)
    second, _ = set_limit("forte", "200", until=f"{NEXT_YEAR}-01-01", policy=FAST, quiet=True)
    code, out, err = run_cli(capsys, "limits", "delete", "forte")
    assert (code, out) == (2, "")
    assert err == (f"error: LIMIT_OR_DEVICE: forte has 2 spending limits in us-east-1; give the ARN of the one you "
                   f"mean: {first}, {second}\n")
    code, out, _ = run_cli(capsys, "limits", "delete", second)
    assert code == 0 and out.startswith(f"deleted {second} (200.00 USD on {FORTE}, ")
    assert list(cloud.braket.limits) == [first]


def test_delete_by_device_and_a_retry_after_a_lost_answer(qpu_project: Project, cloud: Cloud) -> None:
    set_limit("aria", "5", policy=FAST, quiet=True)
    cloud.braket.faults["DeleteSpendingLimit"].extend(["drop_after_create"])
    deleted, region = delete_limit("aria", policy=FAST, quiet=True)
    assert (deleted.device_arn, region) == (ARIA, "us-east-1")
    assert cloud.braket.limits == {}
    assert cloud.braket.calls.count("DeleteSpendingLimit") == 2  # the retry found it gone: the first one did it


def test_no_limit_to_change(qpu_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "limits", "delete", "forte") == (
        2, "", f"error: LIMIT_OR_DEVICE: no spending limit on {FORTE} in us-east-1; `braketkit limits set` makes "
               "one\n")


def test_a_refused_call_is_explained(qpu_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    cloud.braket.faults["CreateSpendingLimit"].append("denied")
    code, out, err = run_cli(capsys, "limits", "set", "forte", "100")
    assert (code, out) == (1, "")
    assert err == ("error: not allowed to call CreateSpendingLimit (AccessDeniedException: User is not authorized to "
                   "perform: braket:CreateSpendingLimit); check the AWS credentials and that they allow "
                   "braket:CreateSpendingLimit\n")


# -- the plan ------------------------------------------------------------------------------------------------


def row(text: str, label: str) -> str:
    (found,) = [line for line in text.splitlines() if line.strip().startswith(label + "  ")]
    return found.strip()[len(label):].strip()


def test_the_plan_shows_what_is_left(qpu_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    set_limit("forte", "100", until=f"{NEXT_YEAR}-01-01", policy=FAST, quiet=True)
    cloud.braket.set_spend(FORTE, total="12.50", queued="7.5")
    code, out, _ = run_cli(capsys, "plan", "jobs.py:train")
    assert code == 0
    assert row(out, "spending limit").startswith("80.00 of 100.00 USD left (12.50 spent, 7.50 queued, ")
    code, out, _ = run_cli(capsys, "plan", "jobs.py:train", "--json")
    spending = json.loads(out)["spending"]
    assert (spending["looked_up"], spending["left"], spending["active"]["totalSpend"]) == (True, "80.00", "12.50")


def test_a_qpu_without_a_limit_says_so(qpu_project: Project, cloud: Cloud,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    set_limit("forte", "100", start=f"{NEXT_YEAR}-01-01", until=f"{NEXT_YEAR}-02-01", policy=FAST, quiet=True)
    code, out, _ = run_cli(capsys, "plan", "jobs.py:train")
    assert code == 0
    assert row(out, "spending limit") == "no spending limit in force on this device (1 more not in force now)"
    code, out, _ = run_cli(capsys, "plan", "jobs.py:train", "--set", "device=aria")
    assert row(out, "spending limit") == "no spending limit in force on this device"


def test_of_several_limits_in_force_the_plan_shows_the_one_with_least_left(
        qpu_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    set_limit("forte", "100", until=f"{NEXT_YEAR}-01-01", policy=FAST, quiet=True)
    set_limit("forte", "20", until=f"{NEXT_YEAR}-06-01", policy=FAST, quiet=True)
    out = run_cli(capsys, "plan", "jobs.py:train")[1]
    assert row(out, "spending limit").startswith("20.00 of 20.00 USD left")
    assert "not in force" not in out  # both are in force: none is counted as not
    set_limit("forte", "5", start=f"{NEXT_YEAR}-07-01", until=f"{NEXT_YEAR}-08-01", policy=FAST, quiet=True)
    assert row(run_cli(capsys, "plan", "jobs.py:train")[1], "spending limit").endswith("(1 more not in force now)")


def test_offline_or_without_credentials_the_limit_is_a_note(qpu_project: Project, cloud: Cloud,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "plan", "jobs.py:train", "--offline")
    assert code == 0
    assert "note: offline: the device's spending limit was not looked up" in out.splitlines()
    assert "spending limit  " not in out
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, out, _ = run_cli(capsys, "plan", "jobs.py:train", "--json")
    document = json.loads(out)
    assert "no AWS credentials found: the device's spending limit was not looked up" in document["unresolved"]
    assert document["spending"]["looked_up"] is False
    assert "SearchSpendingLimits" not in cloud.braket.calls


def test_a_failed_lookup_is_a_note_and_does_not_stop_the_job(qpu_project: Project, cloud: Cloud) -> None:
    cloud.braket.faults["SearchSpendingLimits"].extend(["denied"])
    plan = plan_target(load_reference("jobs.py:train"))
    assert plan.spending is not None and not plan.spending.looked_up
    assert plan.spending.note is not None and "braket:SearchSpendingLimits" in plan.spending.note
    assert plan.spending.note in plan.warnings and plan.unresolved == []
    submit(plan, policy=FAST, quiet=True)  # the service enforces the limit on the job's tasks all the same
    assert "CreateJob" in cloud.braket.calls


def test_simulators_are_not_looked_up(cloud_project: Project, cloud: Cloud,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "plan", "jobs.py:train")
    assert code == 0 and "spending limit" not in out and "max_runtime is the built-in default" not in out
    assert row(out, "instance time") == "at most 120 h: 1 instance x max_runtime 120 h  (default)"
    assert "SearchSpendingLimits" not in cloud.braket.calls


def test_instance_time_and_the_default_runtime_warning(qpu_project: Project, cloud: Cloud,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "plan", "jobs.py:chatty")
    assert code == 0
    assert row(out, "instance time") == "at most 240 h: 2 instances x max_runtime 120 h  (default)"
    assert ("warning: stopping.max_runtime is the built-in default, 120 h, on a QPU: a job that hangs (waiting on a "
            "busy QPU, say) keeps its instances, and their bill, that long; set [tool.braketkit.stopping] max_runtime "
            'to what the job needs, such as "2h"') in out.splitlines()
    assert json.loads(run_cli(capsys, "plan", "jobs.py:chatty", "--json")[1])["instance_hours"] == 240
    _, out, _ = run_cli(capsys, "plan", "jobs.py:chatty", "--set", "stopping.max_runtime=90m")
    assert row(out, "instance time") == "at most 3 h: 2 instances x max_runtime 1.5 h  (--set stopping.max_runtime)"
    assert "warning: stopping.max_runtime" not in out


# -- submitting ----------------------------------------------------------------------------------------------


def test_a_run_with_nothing_left_is_refused_before_anything_is_sent(
    qpu_project: Project, cloud: Cloud, capsys: pytest.CaptureFixture[str]
) -> None:
    arn, _ = set_limit("forte", "100.00", until=f"{NEXT_YEAR}-01-01", policy=FAST, quiet=True)
    cloud.braket.set_spend(FORTE, total="95.00", queued="5.00")
    _, out, _ = run_cli(capsys, "plan", "jobs.py:train")
    assert row(out, "spending limit").startswith("nothing left of 100.00 USD (95.00 spent, 5.00 queued, ")
    assert row(out, "spending limit").endswith("UTC): a run is refused until the limit is raised")
    code, out, err = run_cli(capsys, "run", "jobs.py:train")
    assert (code, out) == (2, "")
    message = err.splitlines()[-1]
    assert message.startswith(f"error: the spending limit on forte ({FORTE}) has nothing left (100.00 USD for ")
    assert message.endswith(": 95.00 spent, 5.00 queued), so the job's QPU tasks would be refused; it was not "
                            "submitted (nothing uploaded, no CreateJob). Raise the limit with `braketkit limits "
                            f"update {arn} AMOUNT`.")
    import jobs  # type: ignore[import-not-found]

    with pytest.raises(SpendingLimitReached):
        jobs.train(steps=2)
    assert cloud.client("s3").list_buckets()["Buckets"] == []  # not even the bucket
    assert "CreateJob" not in cloud.braket.calls


def test_a_run_with_something_left_goes_ahead(qpu_project: Project, cloud: Cloud) -> None:
    set_limit("forte", "100", policy=FAST, quiet=True)
    cloud.braket.set_spend(FORTE, total="99.99")
    import jobs

    job = jobs.train(steps=2)
    assert cloud.braket.jobs[job.arn]["deviceConfig"]["device"] == FORTE


def test_a_sweep_looks_the_limit_up_once(qpu_project: Project, cloud: Cloud) -> None:
    set_limit("forte", "100", policy=FAST, quiet=True)
    searches = cloud.braket.calls.count("SearchSpendingLimits")
    import jobs

    created = jobs.train.map([1, 2, 3])
    assert len(created) == 3
    assert cloud.braket.calls.count("SearchSpendingLimits") == searches + 1


# -- reading what a user types -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2026-06-01", "2026-06-01T00:00:00+00:00", "2026-06-02T00:00:00+00:00"),
    ("2026-06-01T09:30", "2026-06-01T09:30:00+00:00", "2026-06-01T09:30:00+00:00"),
    ("2026-06-01 09:30:15", "2026-06-01T09:30:15+00:00", "2026-06-01T09:30:15+00:00"),
    ("2026-06-01T09:30Z", "2026-06-01T09:30:00+00:00", "2026-06-01T09:30:00+00:00"),
    ("2026-06-01T09:30:00.250+02:00", "2026-06-01T07:30:00.250000+00:00", "2026-06-01T07:30:00.250000+00:00"),
])
def test_dates_read_alike_on_every_python(text: str, start: str, end: str) -> None:
    assert moment(text, "--from").isoformat() == start
    assert moment(text, "--until", end_of_day=True).isoformat() == end


@pytest.mark.parametrize("text", ["20260601", "2026-06-01T0930", "2026-06-01T09:30:00.5", "2026-02-30",
                                  "2026-06-01T24:00", "next monday", ""])
def test_dates_that_some_pythons_would_read_are_refused_on_all(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        moment(text, "--from")
    assert [problem.key for problem in caught.value.problems] == ["--from"]
