"""Results as untrusted input: damaged archives and results.json, pickles, downloads; cloud and local jobs alike.

Cloud jobs here are put straight into the loopback Braket service, COMPLETED, with a
crafted model.tar.gz in (moto's) S3 where the service would have put it. Local jobs
are folders under .braketkit/jobs/ as a local run leaves them. Every refusal exits 1
with one sentence naming the job and what is wrong, and leaves nothing behind.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import pickle
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from braketkit.converter import call_digest, record_text
from braketkit.errors import BraketkitError, DamagedResults, InvalidInput, PickledResults, ResultsError, UnsafeArchive
from braketkit.execute.record import write_planned_digest
from braketkit.job import AwsJob, LocalJob, read_results
from braketkit.model.provenance import CALL_TAG, JobCall, PlannedRecord, Provenance
from braketkit.runtime import contract

from .conftest import Cloud, Project, run_cli
from .test_extract import RESULTS, archive_bytes, folder, gz, member, snapshot, symlink, tar_bytes

BUCKET = "amazon-braket-us-east-1-123456789012"
SV1 = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"


def document(data: dict[str, Any], data_format: str = "plaintext", returned: bool = False) -> bytes:
    if data_format == "pickled_v4":
        data = {key: base64.b64encode(pickle.dumps(value, protocol=4)).decode() for key, value in data.items()}
    body: dict[str, Any] = {"braketSchemaHeader": {"name": "braket.jobs_data.persisted_job_data", "version": "1"},
                            "dataDictionary": data, "dataFormat": data_format}
    if returned:
        body[contract.MARKER] = {"return": contract.RETURN_KEY}
    return json.dumps(body).encode()


def results_archive(results: bytes, *others: tuple[Any, bytes]) -> bytes:
    return archive_bytes(member("results.json", results), *others)


class Trap:
    """Unpickling it makes a folder: proof that code ran."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.mkdir, (str(self.path),))


def planned(name: str, result_format: str) -> tuple[str, dict[str, str]]:
    """A function job's planned record, its call of ``result_format``, and the tag that vouches for the call."""
    call = JobCall(entry="jobs:train", result_format=result_format)
    record = PlannedRecord(job_name=name, planned_at="2026-01-01T00:00:00+00:00", entry=call.entry, settings={},
                           provenance=Provenance(archive_sha256="0" * 64, braketkit_version="0.2.0",
                                                 python_version="3.11.7"), call=call)
    return record_text(record), {CALL_TAG: call_digest(call)}


def script_record(name: str) -> str:
    """A script's job's planned record: no call, so nothing planned to pickle."""
    return record_text(PlannedRecord(job_name=name, planned_at="2026-01-01T00:00:00+00:00", entry="jobs", settings={},
                                     provenance=Provenance(archive_sha256="0" * 64, braketkit_version="0.2.0",
                                                           python_version="3.11.7")))


def cloud_job(cloud: Cloud, archive: bytes | None, result_format: str | None = None, *,
              legacy: bool = False) -> tuple[str, str]:
    """A COMPLETED job in the loopback service, its results archive in S3; (name, arn). ``result_format``: a
    function's job planned with it (its record beside its output, its tag), or with ``legacy`` a job of braketkit
    0.1, which kept it in a hyperparameter."""
    s3 = cloud.client("s3")
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        s3.create_bucket(Bucket=BUCKET)
    name = f"crafted-{uuid.uuid4().hex[:8]}"
    arn = f"arn:aws:braket:us-east-1:123456789012:job/{uuid.uuid4()}"
    output = f"jobs/{name}/output"
    job: dict[str, Any] = {
        "jobArn": arn, "jobName": name, "status": "COMPLETED", "createdAt": time.time(), "endedAt": time.time(),
        "deviceConfig": {"device": SV1}, "outputDataConfig": {"s3Path": f"s3://{BUCKET}/{output}"}}
    if result_format is not None and legacy:
        job |= {"algorithmSpecification": {"scriptModeConfig": {"entryPoint": "braketkit_runtime.entry:main"}},
                "hyperParameters": {"braketkit_entry": "jobs:train", "braketkit_result_format": result_format}}
    elif result_format is not None:
        text, tags = planned(name, result_format)
        s3.put_object(Bucket=BUCKET, Key=f"{output}/braketkit/planned.json", Body=text.encode())
        job |= {"algorithmSpecification": {"scriptModeConfig": {"entryPoint": "braketkit_job:train"}}, "tags": tags}
    cloud.braket.jobs[arn] = job
    if archive is not None:
        s3.put_object(Bucket=BUCKET, Key=f"{output}/output/model.tar.gz", Body=archive)
    return name, arn


GOOD = results_archive(document({"energy": -1.5}))

DAMAGED = {
    "truncated gzip": (GOOD[:-30], "the archive is truncated (its data ends early)"),
    "gzip without its trailer": (GOOD[:-8], "the archive is truncated (its data ends early)"),
    "gzip with a wrong checksum": (GOOD[:-8] + bytes(8), "its gzip checksum does not match its data (the archive is "
                                                         "damaged)"),
    "not gzip": (tar_bytes(RESULTS), "it is not a gzip file"),
    "gzip of text": (gz(b"<html>AccessDenied</html>" * 30), "it is not a tar archive"),
    "empty": (b"", "it is not a tar archive"),
    "data after the gzip stream": (GOOD + b"more", "it has data after the end of its gzip stream"),
    "results.json as a link": (archive_bytes(member("real.json", b"{}"), symlink("results.json", "real.json")),
                               "its results.json is a link, not a file"),
    "results.json as a folder": (archive_bytes(folder("results.json")), "its results.json is a folder, not a file"),
    "results.json not JSON": (results_archive(b"{not json"), "results.json is not JSON (Expecting property name "
                                                             "enclosed in double quotes: line 1 column 2 (char 1))"),
}

BAD_RESULTS_JSON = {
    "not JSON": (b"{not json", "results.json is not JSON (Expecting property name enclosed in double quotes: line 1 "
                               "column 2 (char 1))"),
    "empty": (b"", "results.json is not JSON (Expecting value: line 1 column 1 (char 0))"),
    "not UTF-8": (b'{"dataDictionary": {"x": "\xff"}}', "results.json is not UTF-8 text"),
    "a list": (b"[1, 2]", "results.json holds a list, not a JSON object"),
    "a string": (b'"text"', "results.json holds a string, not a JSON object"),
    "no dataDictionary": (b'{"dataFormat": "plaintext"}', "results.json has no dataDictionary, not a JSON object"),
    "dataDictionary a list": (b'{"dataDictionary": [1]}', "results.json has a list as its dataDictionary, not a JSON "
                                                          "object"),
    "dataDictionary null": (b'{"dataDictionary": null}', "results.json has no dataDictionary, not a JSON object"),
    "dataFormat unknown": (b'{"dataDictionary": {}, "dataFormat": "pickled_v5"}',
                           'results.json has dataFormat "pickled_v5"; expected one of plaintext, pickled_v4'),
    "dataFormat a number": (b'{"dataDictionary": {}, "dataFormat": 4}',
                            "results.json has dataFormat 4; expected one of plaintext, pickled_v4"),
    "marker naming nothing": (b'{"dataDictionary": {"x": 1}, "braketkit": {"return": "result"}}',
                              "results.json's 'braketkit' member names no value of its dataDictionary"),
    "marker of the wrong type": (b'{"dataDictionary": {"x": 1}, "braketkit": {"return": [1]}}',
                                 "results.json's 'braketkit' member names no value of its dataDictionary"),
    "nested too deeply": (b'{"dataDictionary": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
                          "results.json is nested too deeply to read"),
}


@pytest.mark.parametrize("case", list(DAMAGED), ids=list(DAMAGED))
def test_damaged_cloud_results_exit_1_naming_the_job(cloud: Cloud, capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path, case: str) -> None:
    data, what = DAMAGED[case]
    name, arn = cloud_job(cloud, data)
    before = snapshot(tmp_path)
    code, out, err = run_cli(capsys, "result", arn, "--poll", "0.01")
    assert (code, out, err) == (1, "", f"error: cannot read the results of job {name}: {what}\n")
    assert snapshot(tmp_path) == before


def test_result_reads_results_json_and_nothing_else(cloud: Cloud, tmp_path: Path) -> None:
    """The rest of the archive is never extracted: a hostile member beside results.json does not matter."""
    archive = results_archive(document({"energy": -1.5}), symlink("escape", "/etc"), member("escape/passwd", b"x"),
                              member("../../outside.txt", b"x"))
    _, arn = cloud_job(cloud, archive)
    assert AwsJob(arn, poll=0.01).result() == {"energy": -1.5}
    _, empty = cloud_job(cloud, archive_bytes(member("model.pt", b"weights")))
    assert AwsJob(empty, poll=0.01).result() is None  # no results.json: the function returned nothing


def test_result_of_a_bomb_is_capped(cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> None:
    from braketkit.job import extract, results

    name, arn = cloud_job(cloud, results_archive(b"{}", member("zeros", b"\0" * 3 * 1024**2)))
    monkeypatch.setattr(extract, "MAX_BYTES", 2 * 1024**2)
    with pytest.raises(UnsafeArchive) as caught:
        AwsJob(arn, poll=0.01).result()
    assert str(caught.value) == (f"refusing to read the results of job {name}: it expands to more than 2 MiB (the "
                                 "cap, max_bytes)")
    name, arn = cloud_job(cloud, results_archive(b" " * 2048 + b"{}"))
    monkeypatch.setattr(results, "MAX_RESULTS_BYTES", 1024)
    with pytest.raises(UnsafeArchive) as caught:
        AwsJob(arn, poll=0.01).result()
    assert str(caught.value) == f"refusing to read the results of job {name}: its results.json is larger than 1 KiB " \
                                "(the cap)"


def test_a_missing_archive_says_where_it_looked(cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    name, arn = cloud_job(cloud, None)
    code, _, err = run_cli(capsys, "result", arn, "--poll", "0.01")
    assert code == 1
    assert err.startswith(f"error: cannot download the results of job {name} from "
                          f"s3://{BUCKET}/jobs/{name}/output/output/model.tar.gz: ")


# -- pickles -----------------------------------------------------------------------------------------------------


def test_pickled_results_need_both_the_request_and_the_plan(cloud: Cloud, capsys: pytest.CaptureFixture[str],
                                                            tmp_path: Path) -> None:
    trap = tmp_path / "code-ran"
    hostile = results_archive(document({"value": Trap(trap)}, "pickled_v4"))
    name, arn = cloud_job(cloud, hostile)  # planned plaintext: something else wrote pickles
    code, out, err = run_cli(capsys, "result", arn, "--poll", "0.01")
    assert (code, out) == (1, "")
    assert err == (f"error: the results of job {name} are pickled (dataFormat pickled_v4), and unpickling runs "
                   "whatever code they hold; if you trust the job's code, every package it installed, and everyone "
                   "who can write its output, read them with result(allow_pickle=True) or braketkit result "
                   f"{name} --allow-pickle\n")
    code, out, err = run_cli(capsys, "result", arn, "--allow-pickle", "--poll", "0.01")
    assert (code, out) == (1, "")
    assert err == (f"error: the results of job {name} are pickled, but the job was not planned with result_format = "
                   "\"pickled_v4\", so braketkit will not unpickle them, even with allow_pickle: something other "
                   "than braketkit's runtime wrote them (the job's code, a package it installed, or someone who can "
                   "write its output); plan the job with result_format = \"pickled_v4\" to get pickled results\n")
    with pytest.raises(PickledResults):
        AwsJob(arn, poll=0.01).result(allow_pickle=True)
    assert not trap.exists()
    _, planned_arn = cloud_job(cloud, hostile, result_format="pickled_v4")
    with pytest.raises(PickledResults, match="read them with result\\(allow_pickle=True\\)"):
        AwsJob(planned_arn, poll=0.01).result()
    assert not trap.exists()
    assert AwsJob(planned_arn, poll=0.01).result(allow_pickle=True) == {"value": None}
    assert trap.is_dir()  # asked for, for a job planned to pickle: it ran


def test_a_job_cannot_change_its_planned_format(cloud: Cloud, tmp_path: Path) -> None:
    """The record is a file the job may write; its call's digest is a tag the service keeps. A job planned plaintext
    that rewrites its record to say pickled_v4 (and writes pickles) is refused: nothing is unpickled."""
    trap = tmp_path / "code-ran"
    hostile = results_archive(document({"value": Trap(trap)}, "pickled_v4"))
    name, arn = cloud_job(cloud, hostile, "plaintext")
    rewritten = planned(name, "pickled_v4")[0]  # what the job's own code writes over its record
    cloud.client("s3").put_object(Bucket=BUCKET, Key=f"jobs/{name}/output/braketkit/planned.json", Body=rewritten)
    with pytest.raises(BraketkitError) as caught:
        AwsJob(arn, poll=0.01).result(allow_pickle=True)
    assert str(caught.value) == (f"the call in the planned record of job {name} is not the one the job was created "
                                 "with (its braketkit:call-sha256 tag): the record was changed after the job was "
                                 "planned")
    assert not trap.exists()


def test_jobs_of_braketkit_0_1_keep_their_format_in_a_hyperparameter(cloud: Cloud) -> None:
    _, arn = cloud_job(cloud, results_archive(document({"result": 5 + 1j}, "pickled_v4", returned=True)),
                       "pickled_v4", legacy=True)
    assert AwsJob(arn, poll=0.01).result(allow_pickle=True) == 5 + 1j


def test_pickled_values_asked_for_come_back(cloud: Cloud, capsys: pytest.CaptureFixture[str]) -> None:
    name, arn = cloud_job(cloud, results_archive(document({"result": 1 + 2j}, "pickled_v4", returned=True)),
                          result_format="pickled_v4")
    assert AwsJob(arn, poll=0.01).result(allow_pickle=True) == 1 + 2j
    code, out, err = run_cli(capsys, "result", arn, "--allow-pickle", "--poll", "0.01")
    assert (code, err) == (0, "")
    assert out == f"job {name} completed ({arn})\nresult: \"(1+2j)\"\n"
    _, plain_arn = cloud_job(cloud, GOOD, result_format="pickled_v4")  # plaintext is read whatever was planned
    assert AwsJob(plain_arn, poll=0.01).result() == {"energy": -1.5}


@pytest.mark.parametrize(("value", "what"), [
    (5, "the pickled value 'x' in results.json is a number, not base64 text"),
    ("not base64!", "the pickled value 'x' in results.json is not base64"),
    (base64.b64encode(b"not a pickle").decode(), "the pickled value 'x' cannot be unpickled (UnpicklingError: "),
])
def test_damaged_pickles(value: Any, what: str) -> None:
    text = json.dumps({"dataDictionary": {"x": value}, "dataFormat": "pickled_v4"})
    with pytest.raises(DamagedResults) as caught:
        read_results(text, job="j", allow_pickle=True, planned_format=lambda: "pickled_v4")
    assert str(caught.value).startswith(f"cannot read the results of job j: {what}")


def test_messages_never_carry_control_characters() -> None:
    text = json.dumps({"dataDictionary": {"x": base64.b64encode(b"\x1b[2J\x07 not a pickle").decode()},
                       "dataFormat": "pickled_v4"})
    with pytest.raises(DamagedResults) as caught:
        read_results(text, job="j", allow_pickle=True, planned_format=lambda: "pickled_v4")
    assert str(caught.value).isprintable() and "\\x1b" in str(caught.value)


def test_a_value_that_does_not_fit_the_annotation() -> None:
    import dataclasses

    @dataclasses.dataclass
    class Energy:
        value: float

    text = json.dumps({"dataDictionary": {"result": {"other": 1}}, "braketkit": {"return": "result"}})
    with pytest.raises(DamagedResults, match=r"^cannot read the results of job j: its value does not fit the "
                                             r"function's return annotation Energy \(TypeError: "):
        read_results(text, Energy, job="j")


# -- download ----------------------------------------------------------------------------------------------------


def _archive_gets(cloud: Cloud) -> int:
    return len([seen for seen in cloud.gate.seen if seen.method == "GET" and seen.path.endswith("/model.tar.gz")])


def test_download_fetches_the_archive_once(cloud: Cloud, project: Project,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    archive = results_archive(document({"energy": -1.5}), member("data/values.csv", b"1,2\n"),
                              symlink("latest.csv", "data/values.csv"))
    name, arn = cloud_job(cloud, archive)
    code, out, err = run_cli(capsys, "result", arn, "--download", "out", "--json", "--poll", "0.01")
    assert (code, json.loads(out)) == (0, {"energy": -1.5})
    target = project.root / "out" / name
    assert err == f"extracted into out/{name}\n"
    assert _archive_gets(cloud) == 1
    assert snapshot(target) == {
        "data": ("folder", 0o755), "data/values.csv": ("file", b"1,2\n", 0o644),
        "latest.csv": ("file", b"1,2\n", 0o644), "results.json": ("file", document({"energy": -1.5}), 0o644)}
    code, _, err = run_cli(capsys, "result", arn, "--download", "out", "--poll", "0.01")
    assert (code, err) == (1, f"error: refusing to extract the results of job {name}: out/{name} already exists; "
                              "remove it, or choose another folder; nothing was extracted\n")
    assert _archive_gets(cloud) == 1  # refused before downloading anything


def test_an_unsafe_download_leaves_nothing(cloud: Cloud, project: Project,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    archive = results_archive(document({"energy": -1.5}), symlink("a", "."), symlink("a/b", ".."),
                              member("b/x", b"pwned"))
    name, arn = cloud_job(cloud, archive)
    before = snapshot(project.root.parent)
    code, out, err = run_cli(capsys, "result", arn, "--download", "deep/out", "--poll", "0.01")
    assert (code, out) == (1, "")
    assert err == (f"error: refusing to extract the results of job {name}: 'a': it links to '.', a folder (links "
                   "are kept only to files, as copies); 'a/b': it is inside 'a', which is a link; nothing was "
                   "extracted\n")
    assert snapshot(project.root.parent) == before  # not even deep/ was made
    assert AwsJob(arn, poll=0.01).result() == {"energy": -1.5}  # the result alone is still readable


def test_download_caps_can_be_raised(cloud: Cloud, tmp_path: Path) -> None:

    name, arn = cloud_job(cloud, results_archive(b"{}", *[member(f"f{index}", b"x") for index in range(5)]))
    job = AwsJob(arn, poll=0.01)
    with pytest.raises(UnsafeArchive, match=f"^refusing to extract the results of job {name}: it has more than 5 "
                                            r"members \(the cap, max_members\); nothing was extracted$"):
        job.download(tmp_path, max_members=5)
    assert list(tmp_path.iterdir()) == []
    assert len(list(job.download(tmp_path, max_members=6).iterdir())) == 6


@pytest.mark.parametrize("given", ["notes.txt", "notes.txt/deeper"])
def test_download_into_a_file_says_so(cloud: Cloud, project: Project, capsys: pytest.CaptureFixture[str],
                                      given: str) -> None:
    """From Python as from the command line: the folder given is a file, found before anything is downloaded."""
    _, arn = cloud_job(cloud, results_archive(document({"energy": -1.5})))
    (project.root / "notes.txt").write_text("mine")
    with pytest.raises(InvalidInput) as caught:
        AwsJob(arn, poll=0.01).download(given)
    message = f"cannot extract into {given}: notes.txt is a file, not a folder"
    assert str(caught.value) == f"path: {message}"
    code, out, err = run_cli(capsys, "result", arn, "--download", given, "--poll", "0.01")
    assert (code, out, err) == (2, "", f"error: --download: {message}\n")
    assert _archive_gets(cloud) == 0 and (project.root / "notes.txt").read_text() == "mine"
    code, out, err = run_cli(capsys, "show", arn, "--source", given)  # a job's source, the same way
    assert (code, out, err) == (2, "", f"error: --source: {message}\n")


def test_an_error_of_the_local_folder_is_never_called_damage(cloud: Cloud, tmp_path: Path) -> None:
    """The archive is sound; the folder cannot be made (a name longer than the file system takes)."""
    name, arn = cloud_job(cloud, results_archive(document({"energy": -1.5})))
    folder = tmp_path / ("x" * 300)
    with pytest.raises(ResultsError) as caught:
        AwsJob(arn, poll=0.01).download(folder)
    assert not isinstance(caught.value, DamagedResults)
    assert str(caught.value) == (f"cannot extract the results of job {name} into {folder / name}: File name too "
                                 "long; nothing was extracted")
    assert list(tmp_path.iterdir()) == []


# -- local jobs --------------------------------------------------------------------------------------------------


def local_job(project: Project, results: bytes | None, result_format: str | None = None) -> LocalJob:
    """A job folder as a completed local run leaves it."""
    name = f"local-{uuid.uuid4().hex[:8]}"
    folder = project.root / ".braketkit" / "jobs" / name
    (folder / "model").mkdir(parents=True)
    (folder / "input" / "config").mkdir(parents=True)
    (folder / "input" / "config" / "hyperparameters.json").write_text("{}")
    text, tags = planned(name, result_format) if result_format is not None else (script_record(name), {})
    (folder / "braketkit").mkdir()
    (folder / "braketkit" / "planned.json").write_text(text)
    write_planned_digest(folder, text.encode())  # as the runner keeps it, beside the folder
    (folder / "job.json").write_text(json.dumps({
        "name": name, "state": "COMPLETED", "device": "local:braket/braket_sv", "entry": "jobs:train",
        "started_at": "2026-01-01T00:00:00+00:00", "ended_at": "2026-01-01T00:00:01+00:00", "exit_code": 0,
        "tags": tags}))
    if results is not None:
        (folder / "model" / "results.json").write_bytes(results)
    return LocalJob(folder)


@pytest.mark.parametrize("case", list(BAD_RESULTS_JSON), ids=list(BAD_RESULTS_JSON))
def test_a_bad_results_json_exits_1_naming_the_job(project: Project, capsys: pytest.CaptureFixture[str],
                                                   case: str) -> None:
    data, what = BAD_RESULTS_JSON[case]
    job = local_job(project, data)
    code, out, err = run_cli(capsys, "result", job.name)
    assert (code, out, err) == (1, "", f"error: cannot read the results of job {job.name}: {what}\n")


def test_local_results_json_is_not_followed_through_a_link(project: Project, tmp_path: Path) -> None:
    job = local_job(project, None)
    secret = tmp_path / "secret.json"
    secret.write_text('{"dataDictionary": {"secret": 1}}')
    (job.folder / "model" / "results.json").symlink_to(secret)
    with pytest.raises(DamagedResults, match=f"^cannot read the results of job {job.name}: results.json cannot be "
                                             r"opened \(Too many levels of symbolic links; a link is not followed\)$"):
        job.result()


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_results_json_that_is_no_file_is_refused_at_once(project: Project, capsys: pytest.CaptureFixture[str],
                                                           kind: str) -> None:
    """What the job leaves as results.json may be a FIFO (which would block a reader forever) or a folder."""
    job = local_job(project, None)
    results = job.folder / "model" / "results.json"
    os.mkfifo(results) if kind == "fifo" else results.mkdir()
    started = time.monotonic()
    code, out, err = run_cli(capsys, "result", job.name)
    assert (code, out, err) == (1, "", f"error: cannot read the results of job {job.name}: results.json is not a "
                                       "file\n")
    assert time.monotonic() - started < 10


def test_local_pickles_follow_the_same_rules(project: Project, capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    trap = tmp_path / "code-ran"
    tampered = local_job(project, document({"x": Trap(trap)}, "pickled_v4"))
    with pytest.raises(PickledResults, match="not planned with result_format"):
        tampered.result(allow_pickle=True)
    code, _, err = run_cli(capsys, "result", tampered.name)
    assert code == 1 and err.startswith(f"error: the results of job {tampered.name} are pickled (dataFormat "
                                        "pickled_v4)")
    assert not trap.exists()
    planned = local_job(project, document({"result": 3 + 4j}, "pickled_v4", returned=True), "pickled_v4")
    code, out, err = run_cli(capsys, "result", planned.name, "--allow-pickle", "--json")
    assert (code, out, err) == (0, '"(3+4j)"\n', "")


# -- a local job's own code switching how its results are read ------------------------------------------------------

PICKLES = '''
import base64, json, os, pickle


class Trap:
    def __reduce__(self):
        return (os.mkdir, ({trap!r},))


def pickled_results():
    value = base64.b64encode(pickle.dumps(Trap(), protocol=4)).decode()
    return json.dumps({{"braketSchemaHeader": {{"name": "braket.jobs_data.persisted_job_data", "version": "1"}},
                       "dataDictionary": {{"value": value}}, "dataFormat": "pickled_v4"}})
'''

SWITCHING_SCRIPT = PICKLES + '''

import atexit
from pathlib import Path

folder = Path(os.environ["AMZN_BRAKET_JOB_RESULTS_DIR"]).parent


def switch():  # after the runtime is done: say "planned pickled" where braketkit 0.1 kept it, and write pickles
    (folder / "input" / "config" / "hyperparameters.json").write_text(json.dumps(
        {{"braketkit_entry": "jobs:train", "braketkit_result_format": "pickled_v4"}}))
    (folder / "model" / "results.json").write_text(pickled_results())


atexit.register(switch)
print("a script job, planned without pickles")
'''

FORGER = PICKLES + '''

import sys, time
from pathlib import Path

import attrs

from braketkit.converter import call_digest, converter
from braketkit.model.provenance import CALL_TAG, JobCall

folder = Path(sys.argv[1])
while json.loads((folder / "job.json").read_text())["state"] == "RUNNING":  # the runner's last word first
    time.sleep(0.02)
planned = folder / "braketkit" / "planned.json"
record = json.loads(planned.read_text())
call = attrs.evolve(converter.structure(record["call"], JobCall), result_format="pickled_v4")
record["call"] = converter.unstructure(call)
planned.write_text(json.dumps(record))
job = json.loads((folder / "job.json").read_text())
job["tags"][CALL_TAG] = call_digest(call)  # the record and its tag agree again
(folder / "job.json").write_text(json.dumps(job))
(folder / "model" / "results.json").write_text(pickled_results())
(folder / "forged").write_text("")
'''

LINGERING = '''
import atexit, os, subprocess, sys
from pathlib import Path

from braketkit import hybrid_job

FORGER = {forger!r}


def linger():  # a process of the job's that outlives the run, and rewrites its folder once the runner has ended
    folder = Path(os.environ["AMZN_BRAKET_JOB_RESULTS_DIR"]).parent
    subprocess.Popen([sys.executable, "-c", FORGER, str(folder)], start_new_session=True,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@hybrid_job(device="local")
def train() -> dict:
    atexit.register(linger)
    return {{"energy": -1.5}}
'''


def _local_run(reference: str) -> LocalJob[Any]:
    from braketkit.pipeline import run_target
    from braketkit.target import load_reference

    job = run_target(load_reference(reference), (), {}, local=True, quiet=True, echo=False)
    assert isinstance(job, LocalJob) and job.state() == "COMPLETED"
    return job


def test_a_local_script_job_cannot_switch_itself_to_pickles(project: Project, capsys: pytest.CaptureFixture[str],
                                                            tmp_path: Path) -> None:
    """A job planned without pickles whose atexit hook rewrites its hyperparameters.json (where braketkit 0.1 kept
    its result_format) and writes pickles: asked with allow_pickle, nothing is unpickled."""
    trap = tmp_path / "code-ran"
    project.pyproject('[tool.braketkit]\ndevice = "local"\n')
    project.write("switching.py", SWITCHING_SCRIPT.format(trap=str(trap)))
    job = _local_run("switching.py")
    assert "pickled_v4" in (job.folder / "input" / "config" / "hyperparameters.json").read_text()  # it did switch
    with pytest.raises(PickledResults, match="not planned with result_format"):
        job.result(allow_pickle=True)
    code, _, err = run_cli(capsys, "result", job.name, "--allow-pickle")
    assert code == 1 and "not planned with result_format" in err
    assert not trap.exists()


def test_a_local_job_cannot_rewrite_its_plan_after_the_run(project: Project, capsys: pytest.CaptureFixture[str],
                                                           tmp_path: Path) -> None:
    """A process the job left behind rewrites its planned record, the tag in job.json to match, and its results,
    once the runner has written its end: braketkit's own record of the plan, kept outside the job's folder, says
    plaintext, and the rewritten record is named for what it is."""
    trap = tmp_path / "code-ran"
    project.pyproject('[tool.braketkit]\ndevice = "local"\n')
    project.write("lingering.py", LINGERING.format(forger=FORGER.format(trap=str(trap))))
    job = _local_run("lingering.py:train")
    deadline = time.monotonic() + 60
    while not (job.folder / "forged").exists():
        assert time.monotonic() < deadline, "the forger never finished"
        time.sleep(0.05)
    with pytest.raises(BraketkitError, match=f"the planned record of job {job.name} .* is not the one braketkit "
                                             "wrote before the job ran"):
        job.result(allow_pickle=True)
    assert not trap.exists()


def test_a_local_job_whose_plan_braketkit_kept_no_digest_of_is_not_unpickled(project: Project,
                                                                             tmp_path: Path) -> None:
    """A folder moved away from its digest, or a job run before braketkit kept one: what it says of its plan is the
    job's own word, so its pickles stay unread, and the refusal says why."""
    trap = tmp_path / "code-ran"
    job = local_job(project, document({"x": Trap(trap)}, "pickled_v4"), "pickled_v4")
    moved = job.folder.rename(tmp_path / job.name)
    with pytest.raises(PickledResults, match=f"^braketkit keeps no record of how job {job.name} was planned outside "
                                             "its folder"):
        LocalJob(moved).result(allow_pickle=True)
    assert not trap.exists()
