"""``braketkit diff``: what differs between two jobs, against moto, the loopback Braket service and local runs;
and the archive comparison on its own, with archives made here."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from braketkit.errors import DamagedResults, UnsafeArchive
from braketkit.job import AwsJob, LocalJob
from braketkit.job.compare import MAX_FILE_BYTES, compare_sources
from braketkit.job.extract import read_members
from braketkit.job.source import JobSource
from braketkit.s3uri import split_s3_uri

from .conftest import Cloud, Project, run_cli

STEP_LINE = '        print(f"step {step}")\n'


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = run_cli(capsys, "run", *argv, "--quiet")
    assert code == 0, err
    return out.splitlines()[1].split()[-1]


def _two_versions(project: Project, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    """Two cloud jobs of the same call whose code differs by one line of jobs.py."""
    first = _run(capsys, "jobs.py:train", "--steps", "3")
    source = (project.root / "jobs.py").read_text(encoding="utf-8")
    assert source.count(STEP_LINE) == 1
    (project.root / "jobs.py").write_text(source.replace(STEP_LINE, STEP_LINE.replace("{step}", "{step} of {steps}")),
                                          encoding="utf-8")
    return first, _run(capsys, "jobs.py:train", "--steps", "3")


def test_diff_of_two_jobs_whose_code_differs_by_one_line(cloud_project: Project, cloud: Cloud,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    first, second = _two_versions(cloud_project, capsys)
    shutil.rmtree(cloud_project.root / ".braketkit" / "archives")  # both are downloaded by their digests, verified
    code, out, err = run_cli(capsys, "diff", first, second)
    assert (code, err) == (1, "")
    names = AwsJob(first).name, AwsJob(second).name
    source = out.split("\nsource: ", 1)[1]
    lines = source.splitlines()
    assert lines[1:5] == ["  changed: jobs.py", "--- a/jobs.py", "+++ b/jobs.py", lines[4]]
    assert lines[4].startswith("@@ ")
    assert [line for line in lines[5:] if line[:1] in "+-"] == [
        '-        print(f"step {step}")', '+        print(f"step {step} of {steps}")']
    digests = lines[0].removeprefix("sha256 ").split(" -> ")
    assert out.split("\nsource: ")[0].splitlines() == [  # no git: the archive is all the provenance that differs
        f"first:  {names[0]}", f"second: {names[1]}", "provenance:",
        f"  archive_sha256: '{digests[0]}' -> '{digests[1]}'"]
    assert sorted(path.name for path in (cloud_project.root / ".braketkit" / "archives").iterdir()) == sorted(
        f"{digest}.tar.gz" for digest in digests)


def test_diff_of_two_runs_with_other_arguments_shows_only_the_argument(cloud_project: Project, cloud: Cloud,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    first, second = _run(capsys, "jobs.py:train", "--steps", "3"), _run(capsys, "jobs.py:train", "--steps", "4")
    code, out, err = run_cli(capsys, "diff", first, second)
    assert (code, err) == (1, "")
    digest = cloud.braket.jobs[first]["algorithmSpecification"]["scriptModeConfig"]["s3Uri"].split("/")[-2]
    assert out.splitlines()[2:] == ["arguments:", "  steps: 3 -> 4", f"source: same source archive (sha256 {digest})"]
    code, out, _ = run_cli(capsys, "diff", first, second, "--json")
    document = json.loads(out)
    assert code == 1
    assert document["arguments"] == [{"key": "steps", "first": 3, "second": 4}]
    assert document["source"] == {"first_sha256": digest, "second_sha256": digest, "same": True}
    assert (document["differ"], document["settings_from"]) == (True, "planned")
    assert not {"settings", "hyperparameters", "provenance", "source_problem"} & document.keys()


def test_diff_of_a_job_with_itself_finds_no_difference(cloud_project: Project, cloud: Cloud,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    arn = _run(capsys, "jobs.py:train", "--steps", "3")
    name = AwsJob(arn).name
    code, out, err = run_cli(capsys, "diff", arn, name, "--region", "us-east-1")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "no differences"
    assert json.loads(run_cli(capsys, "diff", arn, arn, "--json")[1])["differ"] is False


def test_a_job_and_its_unchanged_rerun_differ_in_nothing(cloud_project: Project, cloud: Cloud,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """The rerun's name is its own, not a planned setting: only --set job_name= is a difference; a local rerun
    records local = true and why."""
    arn = _run(capsys, "jobs.py:train", "--steps", "3")
    code, out, err = run_cli(capsys, "rerun", arn, "--quiet")
    again = out.splitlines()[1].split()[-1]
    code, out, err = run_cli(capsys, "diff", arn, again)
    assert (code, err, out.splitlines()[-1]) == (0, "", "no differences"), out
    code, out, err = run_cli(capsys, "rerun", arn, "--quiet", "--set", "job_name=renamed-1")
    code, out, err = run_cli(capsys, "diff", arn, out.splitlines()[1].split()[-1], "--json")
    assert (code, json.loads(out)["settings"]) == (1, [
        {"key": "job_name", "second": "renamed-1", "first_origin": "default", "second_origin": "--set job_name"}]), out
    from braketkit.model.provenance import PlannedSetting
    from braketkit.pipeline import plan_rerun

    record = plan_rerun(arn, local=True).plan.record
    assert record is not None and record.settings["local"] == PlannedSetting(value=True, origin="--local")
    code, out, err = run_cli(capsys, "run", "jobs.py:train", "--local", "--steps", "3", "--json", "--quiet")
    local = json.loads(out)["name"]
    code, out, err = run_cli(capsys, "rerun", local, "--quiet", "--json")
    assert code == 0, err
    code, out, err = run_cli(capsys, "diff", local, json.loads(out)["name"], "--json")
    assert [setting for setting in json.loads(out).get("settings", []) if setting["key"] == "local"] == [], out
    first, second = (LocalJob(cloud_project.root / ".braketkit" / "jobs" / name).planned() for name in (
        local, json.loads(run_cli(capsys, "rerun", local, "--quiet", "--json")[1])["name"]))
    assert first is not None and second is not None  # both ran here, each recorded with why
    assert (first.settings["local"], second.settings["local"]) == (
        PlannedSetting(value=True, origin="run here (--local, or .local())"),
        PlannedSetting(value=True, origin="a local job"))


def test_a_changed_archive_in_s3_is_refused(cloud_project: Project, cloud: Cloud,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    first, second = _two_versions(cloud_project, capsys)
    uri = cloud.braket.jobs[first]["algorithmSpecification"]["scriptModeConfig"]["s3Uri"]
    bucket, key = split_s3_uri(uri)
    cloud.client("s3").put_object(Bucket=bucket, Key=key, Body=b"not what the job ran")
    shutil.rmtree(cloud_project.root / ".braketkit" / "archives")
    code, out, err = run_cli(capsys, "diff", first, second)
    actual = hashlib.sha256(b"not what the job ran").hexdigest()
    assert (code, out) == (2, "")
    assert err == (f"error: the source archive of job {AwsJob(first).name} at {uri} has SHA-256 {actual}, not the "
                   f"{key.split('/')[-2]} the job ran: it was changed or replaced since, so braketkit will not use "
                   "it\n")


def test_diff_of_a_local_and_a_cloud_job_of_the_same_call(cloud_project: Project, cloud: Cloud,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """The same code, settings and arguments, run here and in the cloud: only where it ran differs."""
    arn = _run(capsys, "jobs.py:train", "--steps", "3")
    code, out, err = run_cli(capsys, "run", "jobs.py:train", "--local", "--steps", "3", "--json", "--quiet")
    local = json.loads(out)["name"]
    code, out, err = run_cli(capsys, "diff", local, "--json", arn)
    assert (code, err) == (1, "")
    document = json.loads(out)
    assert document["settings"] == [{"key": "local", "first": True, "second": False,
                                     "first_origin": "run here (--local, or .local())", "second_origin": "default"}]
    assert set(document) - {"first", "second", "settings", "settings_from", "differ", "source"} == set(), document
    assert document["source"]["same"] is True
    code, out, err = run_cli(capsys, "run", "jobs.py:train", "--local", "--steps", "5", "--json", "--quiet")
    assert run_cli(capsys, "diff", local, json.loads(out)["name"])[1].splitlines()[2:4] == [
        "arguments:", "  steps: 3 -> 5"]


def git(folder: Path, *arguments: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *arguments],
                          cwd=folder, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_of_settings_as_planned_and_of_commits(cloud_project: Project, cloud: Cloud,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Another commit of the repository, the project's files unchanged: the same archive, another commit."""
    top = cloud_project.root.parent
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "first")
    first = _run(capsys, "jobs.py:train", "--steps", "3")
    commits = [git(top, "rev-parse", "HEAD")]
    (top / "NOTES.md").write_text("outside the project folder\n", encoding="utf-8")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "notes")
    commits.append(git(top, "rev-parse", "HEAD"))
    second = _run(capsys, "jobs.py:train", "--steps", "3", "--set", "instance.type=ml.c5.xlarge")
    code, out, err = run_cli(capsys, "diff", first, second)
    assert (code, err) == (1, "")
    digest = cloud.braket.jobs[first]["tags"]["braketkit:archive-sha256"]
    assert out.splitlines()[2:] == [
        "settings (as planned):", "  instance.type: 'ml.m5.large' (default) -> 'ml.c5.xlarge' (--set instance.type)",
        "provenance:", f"  git_commit: '{commits[0]}' -> '{commits[1]}'",
        f"source: same source archive (sha256 {digest})"]
    document = json.loads(run_cli(capsys, "diff", first, second, "--json")[1])
    assert document["settings"] == [{"key": "instance.type", "first": "ml.m5.large", "second": "ml.c5.xlarge",
                                     "first_origin": "default", "second_origin": "--set instance.type"}]


def test_a_local_jobs_archive_gone_from_the_cache_is_said_plainly(cloud_project: Project,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    names = []
    for line in ("x = 1\n", "x = 2\n"):
        cloud_project.write("settings_of_run.py", line)
        code, out, err = run_cli(capsys, "run", "jobs.py:train", "--local", "--json", "--quiet")
        names.append(json.loads(out)["name"])
    archives = cloud_project.root / ".braketkit" / "archives"
    gone = json.loads(run_cli(capsys, "show", names[0], "--json")[1])["provenance"]["archive_sha256"]
    (archives / f"{gone}.tar.gz").unlink()  # as `braketkit clean --archives` removes an old one
    code, out, err = run_cli(capsys, "diff", *names)
    assert code == 2
    assert out.splitlines()[2:4] == ["provenance:", out.splitlines()[3]]  # what can be said, is
    assert "source:" not in out
    assert err == (f"error: the source archive of local job {names[0]} (sha256 {gone}) is no longer in {archives}: "
                   "removed by `braketkit clean --archives`, or the cache was deleted; its files cannot be compared "
                   "(a run of the same source tree builds it again)\n")
    document = json.loads(run_cli(capsys, "diff", *names, "--json")[1])
    assert "source" not in document and document["source_problem"] == err.removeprefix("error: ").rstrip("\n")


# -- the archives alone -------------------------------------------------------------------------------------------


def _archive(path: Path, members: dict[str, bytes | str]) -> JobSource:
    """A gzipped tar of ``members``: bytes are a file's, a str starting with ``->`` a link to the rest."""
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            if isinstance(content, str):
                info.type, info.linkname = tarfile.SYMTYPE, content.removeprefix("->")
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return JobSource(path=path, sha256=digest, verified=True, script_uri=None, downloaded=False)


def test_archives_compared_file_by_file(tmp_path: Path) -> None:
    big = b"x" * (MAX_FILE_BYTES + 1)
    first = _archive(tmp_path / "a.tar.gz", {
        "same.py": b"x = 1\n", "train.py": b"a = 1\nb = 2\nc = 3", "gone.py": b"", "data.bin": b"\x00\x01",
        "big.txt": big, "link": "->same.py", "escape": "->same.py"})
    second = _archive(tmp_path / "b.tar.gz", {
        "same.py": b"x = 1\n", "train.py": b"a = 1\nb = 20\nc = 3", "new.py": b"", "data.bin": b"\x00\x02",
        "big.txt": big[:-1] + b"y", "link": "->same.py", "escape": "->../../etc/passwd"})
    found = compare_sources(first, second, "one", "two")
    assert (found.same, found.added, found.removed, found.note) == (False, ["new.py"], ["gone.py"], None)
    changes = {change.path: change for change in found.changed}
    assert sorted(changes) == ["big.txt", "data.bin", "escape", "train.py"]
    assert changes["train.py"].diff == ("--- a/train.py\n+++ b/train.py\n@@ -1,3 +1,3 @@\n a = 1\n-b = 2\n+b = 20\n"
                                        " c = 3\n\\ No newline at end of file\n")
    assert changes["data.bin"].note == "binary files differ"
    assert changes["big.txt"].note == "files differ (1.0 MiB: too large to compare line by line)"
    assert changes["escape"].note == "a link to 'same.py', now a link to '../../etc/passwd'"  # described, not followed


def test_equal_digests_are_the_same_source_without_reading(tmp_path: Path) -> None:
    first = _archive(tmp_path / "a.tar.gz", {"train.py": b"x = 1\n"})
    (tmp_path / "a.tar.gz").write_bytes(b"not even an archive")  # never read: the digests decide
    found = compare_sources(first, first, "one", "two")
    assert (found.same, found.changed, found.first_sha256) == (True, [], first.sha256)


def test_archives_that_differ_only_in_what_is_not_compared(tmp_path: Path) -> None:
    first = _archive(tmp_path / "a.tar.gz", {"train.py": b"x = 1\n", "util.py": b""})
    second = _archive(tmp_path / "b.tar.gz", {"util.py": b"", "train.py": b"x = 1\n"})  # another order
    found = compare_sources(first, second, "one", "two")
    assert (found.same, found.changed, found.added, found.removed) == (False, [], [], [])
    assert found.note == "the archives differ only in what is not compared: file modes, times, folders or order"


def test_reading_an_archive_in_memory_is_capped_and_checked(tmp_path: Path) -> None:
    source = _archive(tmp_path / "a.tar.gz", {f"f{index}.py": b"x" * 10 for index in range(5)})
    members = read_members(source.path, max_size=100, max_kept=25)
    assert [member.data is not None for member in members.values()] == [True, True, False, False, False]
    assert {member.sha256 for member in members.values()} == {hashlib.sha256(b"x" * 10).hexdigest()}
    with pytest.raises(UnsafeArchive, match="more than 4 members"):
        read_members(source.path, max_size=100, max_kept=100, max_members=4)
    with pytest.raises(UnsafeArchive, match="expands to more than 40 bytes"):
        read_members(source.path, max_size=100, max_kept=100, max_bytes=40)
    data = source.path.read_bytes()
    (tmp_path / "cut.tar.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(DamagedResults, match="truncated"):
        read_members(tmp_path / "cut.tar.gz", max_size=100, max_kept=100)


def test_member_names_cannot_forge_lines_of_the_diff(tmp_path: Path) -> None:
    from braketkit.cli.diff import diff_text
    from braketkit.model.details import JobComparison
    from braketkit.terminal import on_terminal

    forged = "x.py\nno differences"
    first = _archive(tmp_path / "a.tar.gz", {"train.py": b"a = 1\n", forged: b"1\n", "e\x1b[2J.py": b""})
    second = _archive(tmp_path / "b.tar.gz", {"train.py": b"a = 1\n", forged: b"2\n", "new\r.py": b""})
    source = compare_sources(first, second, "one", "two")
    text = on_terminal(diff_text(JobComparison(first="one", second="two", settings_from="planned", source=source,
                                               differ=True)))
    lines = text.splitlines()
    assert "no differences" not in lines and "\x1b" not in text and "\r" not in text
    named = [line for line in lines if line.startswith(("  added", "  removed", "  changed", "---", "+++"))]
    assert named == ["  added:   new\\r.py", "  removed: e\\x1b[2J.py", "  changed: x.py\\nno differences",
                     "--- a/x.py\\nno differences", "+++ b/x.py\\nno differences"]
    assert source.changed[0].path == forged  # JSON keeps the name as it is: its own escaping is safe
