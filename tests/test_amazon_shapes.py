"""Amazon's hybrid-job examples 0, 1, 2, 4, 7 and 8, in their shapes (tests/amazon_shapes.py), run as a researcher
runs them: the notebooks in a real Jupyter kernel, the scripts in this process; their jobs through the loopback AWS,
whose Braket runs them as Braket's container would and their quantum tasks on SV1, and here where the example runs a
local job (4 and 8: ``LocalQuantumJob.create``) or a check cell does (0: ``.local``, the same parameters as in the
cloud).

Each test looks at what the researcher would: the results and metrics, the job's hyperparameters (exactly theirs) and
entry point, what was shipped (source: nothing pickled travels), the job's quantum tasks, and that ``braketkit show``
reads the job. The loopback Braket runs each job as it is created, as SDK code waits five seconds between polls.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
from pathlib import Path
from typing import Any

import boto3
import nbformat
import pytest
from nbclient import NotebookClient

from braketkit.job import AwsJob

from . import amazon_shapes as shapes
from .conftest import Cloud, Project, run_cli
from .test_notebook import _text, _value, kernel_home  # noqa: F401 - kernel_home: the fixture, for a real kernel

SV1 = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"
RUNTIME = ("braketkit_job.py", "braketkit_runtime/")
"""What every archive carries of braketkit's: the job-side runtime (docs/job-side.md)."""


@pytest.fixture
def amazon(cloud: Cloud, project: Project, monkeypatch: pytest.MonkeyPatch) -> Cloud:
    """The loopback AWS, running jobs as they are created (SDK code sleeps five seconds between polls), and
    braketkit's handles in this process polling at once."""
    cloud.braket.run_jobs_when_created()
    monkeypatch.setattr(AwsJob, "DEFAULT_POLL", 0.01)
    return cloud


def run_notebook(cells: shapes.Cells, folder: Path) -> dict[str, Any]:
    """Run the cells in a real Jupyter kernel with ``folder`` as the working directory; each cell by its id. A cell
    that raises fails the test with its traceback."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source, id=cell_id) for cell_id, source in cells]
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    return {cell.id: cell for cell in notebook.cells}


def run_script(text: str, capsys: pytest.CaptureFixture[str]) -> str:
    """Run a script's text in this process as ``python script.py`` would (``__main__``); what it printed."""
    capsys.readouterr()
    exec(compile(text, "script.py", "exec"), {"__name__": "__main__"})
    return capsys.readouterr().out


def jobs_of(cloud: Cloud) -> list[dict[str, Any]]:
    """The jobs the loopback Braket was asked to create, oldest first: each as CreateJob gave it."""
    return sorted(cloud.braket.jobs.values(), key=lambda job: job["createdAt"])


def shipped(cloud: Cloud, job: dict[str, Any]) -> dict[str, bytes]:
    """The files of the job's source archive, as the container downloads it: by name, their bytes."""
    bucket, _, key = job["algorithmSpecification"]["scriptModeConfig"]["s3Uri"].removeprefix("s3://").partition("/")
    archive = cloud.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(archive)) as opened:
        return {member.name: opened.extractfile(member).read() for member in opened.getmembers() if member.isfile()}


def assert_nothing_pickled(files: dict[str, bytes], job: dict[str, Any]) -> None:
    """Source and the user's data travel, and the hyperparameters are text: no pickle, in a file or a value."""
    for name, data in files.items():
        assert not data.startswith((b"\x80\x04", b"\x80\x05")), f"{name} is a pickle"
        assert not name.endswith((".pkl", ".pickle")), name
    for name, value in (job.get("hyperParameters") or {}).items():
        assert not re.fullmatch(r"[A-Za-z0-9+/=]{40,}", value), f"{name} looks like an encoded pickle"


def tasks_of(job_arn: str) -> list[dict[str, Any]]:
    """The job's quantum tasks, as SearchQuantumTasks by jobArn gives them, every page read."""
    client: Any = boto3.Session(region_name="us-east-1").client("braket")  # AWS_ENDPOINT_URL_BRAKET: the loopback's
    pages = client.get_paginator("search_quantum_tasks").paginate(
        filters=[{"name": "jobArn", "operator": "EQUAL", "values": [job_arn]}])
    return [task for page in pages for task in page["quantumTasks"]]


def show(capsys: pytest.CaptureFixture[str], arn: str) -> dict[str, Any]:
    """``braketkit show --json`` of the job: braketkit's own tools read the SDK's jobs."""
    code, out, err = run_cli(capsys, "show", arn, "--json")
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


def _metrics(text: str, name: str) -> list[float]:
    """The values a cell's ``log_metric`` lines gave ``name``, in order."""
    return [float(value) for value in re.findall(rf"\b{name}=([-0-9.e]+);", text)]


# -- 0: Creating your first hybrid job ------------------------------------------------------------------------


def test_first_hybrid_job(amazon: Cloud, project: Project, kernel_home: Path,  # noqa: F811 - the fixture
                          capsys: pytest.CaptureFixture[str]) -> None:
    """The decorated function runs in the job as in the notebook (the same parameters, the same metrics); the QPU
    variant's PennyLane device reaches SV1 from inside the job, whose tasks are the job's."""
    cells = run_notebook(shapes.FIRST_JOB, project.root)
    rotation, qpu = jobs_of(amazon)
    here = _value(cells["here"])
    assert _value(cells["state"]) == "'COMPLETED'"
    assert _value(cells["result"]) == f"{{'result': {here}}}"  # the job computed what the notebook did
    rows = json.loads(_text(cells["frame"]))
    assert [row["iteration_number"] for row in rows] == [0, 1, 2]
    assert [row["expval"] for row in rows] == pytest.approx(_metrics(_text(cells["here"]), "expval"))
    assert rotation["hyperParameters"] == {"num_steps": "3", "stepsize": "0.5"}  # the call's, as the SDK writes them
    assert rotation["algorithmSpecification"]["scriptModeConfig"]["entryPoint"] == \
        "braketkit_job:qubit_rotation_hybrid_job"
    files = shipped(amazon, rotation)
    assert_nothing_pickled(files, rotation)
    assert "def qubit_rotation_hybrid_job(num_steps=1, stepsize=0.5):" in files["braketkit_main.py"].decode()
    assert tasks_of(rotation["jobArn"]) == []  # its simulator is embedded

    assert _value(cells["qpu-result"]).startswith("{'result': tensor([")
    assert [row["iteration_number"] for row in json.loads(_text(cells["qpu-frame"]))] == [0]
    assert qpu["deviceConfig"]["device"] == SV1 and qpu["hyperParameters"] == {"num_steps": "1", "stepsize": "0.5"}
    tasks = tasks_of(qpu["jobArn"])
    assert tasks and {(task["deviceArn"], task["status"]) for task in tasks} == {(SV1, "COMPLETED")}
    assert {task["quantumTaskArn"] for task in tasks} == set(amazon.braket.tasks)  # every task is the job's
    assert _text(cells["cost"]) == "Estimated cost to run this example: 0.00 USD\n"  # the notebook ran none
    local = _text(cells["check-local"])  # its log as it runs, then what it gave
    assert local.endswith("\nCOMPLETED True\n")
    assert _metrics(local, "expval") == _metrics(_text(cells["here"]), "expval")
    details = show(capsys, rotation["jobArn"])
    assert (details["state"], details["arguments"], details["entry"]) == (
        "COMPLETED", {"num_steps": 3, "stepsize": 0.5}, "braketkit_main:qubit_rotation_hybrid_job")


# -- 1: Quantum machine learning in Amazon Braket Hybrid Jobs --------------------------------------------------


def test_quantum_machine_learning(amazon: Cloud, project: Project, kernel_home: Path,  # noqa: F811 - the fixture
                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A helper module folder shipped by ``include_modules``, the data file a cell saved as the input channel, a
    function of another cell called by the decorated one, several jobs made in a loop."""
    project.write("qcbm/qcbm.py", shapes.QCBM_MODULE)
    cells = run_notebook(shapes.QML, project.root)
    first, *looped = jobs_of(amazon)
    assert [job["hyperParameters"] for job in (first, *looped)] == [
        {"n_qubits": "2", "n_layers": layers, "n_iterations": "2"} for layers in ("1", "1", "2")]
    assert _value(cells["state"]) == "'COMPLETED'"
    rows = json.loads(_text(cells["frame"]))
    assert [row["iteration_number"] for row in rows] == list(range(1, len(rows) + 1)) and rows
    assert all(0 <= row["loss"] < 2 for row in rows)
    assert _text(cells["probabilities"]) == "4 1.0\n"  # the trained parameters, read back in the notebook
    assert _text(cells["losses"]).endswith(" [6, 12]\n")  # 3 parameters a qubit and a layer
    assert _text(cells["cost"]) == "Estimated cost to run quantum tasks in these hybrid jobs: 0.0 USD\n"
    files = shipped(amazon, first)
    assert_nothing_pickled(files, first)
    assert files["qcbm/qcbm.py"].decode() == shapes.QCBM_MODULE  # include_modules="qcbm": its source
    module = files["braketkit_main.py"].decode()
    assert "\nfrom qcbm.qcbm import QCBM\n" in module and "\ndef train_circuit(n_qubits, n_layers, n_iterations=10):" \
        in module
    channels = {channel["channelName"]: channel["dataSource"]["s3DataSource"]["s3Uri"]
                for channel in first["inputDataConfig"]}
    assert set(channels) == {"input", "braketkit"}  # the data file, and braketkit's planned record
    bucket, _, prefix = channels["input"].removeprefix("s3://").partition("/")
    s3 = amazon.client("s3")
    (saved,) = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]
    assert s3.get_object(Bucket=bucket, Key=saved["Key"])["Body"].read() == (project.root / "data.npy").read_bytes()
    details = show(capsys, looped[-1]["jobArn"])
    assert details["arguments"] == {"n_qubits": 2, "n_layers": 2, "n_iterations": 2}


# -- 2: Using PennyLane with Braket Hybrid Jobs ---------------------------------------------------------------


def test_pennylane_qaoa_with_checkpoints(amazon: Cloud, project: Project, kernel_home: Path,  # noqa: F811
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """The graph and the Hamiltonians made in cells by library calls are replayed in the job, ``range`` and the NumPy
    parameters travel as values; the second job starts from the first one's checkpoint, named by its ARN."""
    cells = run_notebook(shapes.PENNYLANE, project.root)
    first, continued = jobs_of(amazon)
    assert first["hyperParameters"] == {"p": "2", "steps": "2"}
    assert first["instanceConfig"]["instanceType"] == "ml.m5.xlarge"
    assert first["deviceConfig"]["device"] == "local:pennylane/lightning.qubit"
    name = first["jobName"]
    assert _text(cells["names"]) == f"{first['jobArn']}\n{name}\n"
    rows = json.loads(_text(cells["frame"]))
    assert [row["iteration_number"] for row in rows] == [0, 1, 2]
    checkpoint = first["checkpointConfig"]["s3Uri"].removeprefix("s3://")
    bucket, _, prefix = checkpoint.partition("/")
    s3 = amazon.client("s3")
    assert [item["Key"] for item in s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]] == [
        f"{prefix}/{name}.json"]  # save_job_checkpoint's file, uploaded by the service when the job ended
    copied = continued["checkpointConfig"]["s3Uri"].removeprefix("s3://").partition("/")[2]
    assert [item["Key"] for item in s3.list_objects_v2(Bucket=bucket, Prefix=copied)["Contents"]] == [
        f"{copied}/{name}.json"]  # copy_checkpoints_from_job=previous_job_arn
    merged = json.loads(_text(cells["continued-frame"]))
    assert [row["iteration_number"] for row in merged] == [0, 1, 2, 3, 4]  # the second job went on from 3
    assert _text(cells["check-costs"]) == "True 0\n"  # its cost is its last loss; no quantum task, no cost
    files = shipped(amazon, first)
    assert_nothing_pickled(files, first)
    module = files["braketkit_main.py"].decode()
    assert "\nwires = range(0, 4, 1)\n" in module and "\ninput_file_path = 'input-data.adjlist'\n" in module
    assert "\ngraph = nx.gnm_random_graph(num_nodes, num_edges, seed=seed)\n" in module  # replayed, for circuit
    assert "\ncost_h, mixer_h = qaoa.maxcut(graph)\n" in module
    assert "spring_layout" not in module and "write_adjlist" not in module  # what the job does not use stays here
    assert f"\nprevious_job_name = {name!r}\n" in shipped(amazon, continued)["braketkit_main.py"].decode()
    details = show(capsys, continued["jobArn"])
    assert details["arguments"] == {"p": 2, "steps": 4} and details["inputs"].keys() >= {"input"}


# -- 4: Embedded simulators in Braket Hybrid Jobs -------------------------------------------------------------


def test_embedded_simulator_script(amazon: Cloud, project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """``source_module`` a folder, ``entry_point`` a module of it run as ``python -m``: the script reads every
    hyperparameter from AMZN_BRAKET_HP_FILE and its device from AMZN_BRAKET_DEVICE_ARN, through ``qaoa.utils``; in
    the cloud its PennyLane device is SV1, whose tasks the job makes in parallel; here an embedded simulator."""
    from braket.jobs.image_uris import Framework, retrieve_image

    project.write("qaoa/qaoa_algorithm.py", shapes.QAOA_ALGORITHM)
    project.write("qaoa/utils.py", shapes.QAOA_UTILS)
    project.write("results.csv", "not the job's\n")
    out = run_script(shapes.EMBEDDED, capsys)
    (job,) = jobs_of(amazon)
    expected = {"n_nodes": "4", "n_edges": "4", "n_layers": "1", "iterations": "1", "stepsize": "0.1", "seed": "42"}
    assert job["hyperParameters"] == {**expected, "diff_method": "parameter-shift"}  # each as its str, no more
    assert job["algorithmSpecification"]["scriptModeConfig"]["entryPoint"] == "qaoa.qaoa_algorithm"
    assert job["algorithmSpecification"]["containerImage"]["uri"] == retrieve_image(Framework.PL_PYTORCH, "us-east-1")
    assert job["instanceConfig"]["instanceType"] == "ml.m5.large" and job["jobName"].startswith("embedded-simulation-")
    assert [channel["channelName"] for channel in job.get("inputDataConfig", [])] == []  # nothing of braketkit's
    files = shipped(amazon, job)
    assert sorted(name for name in files if not name.startswith(RUNTIME)) == [
        "qaoa/qaoa_algorithm.py", "qaoa/utils.py"]  # the folder alone, as the SDK ships it (with braketkit's runtime)
    assert_nothing_pickled(files, job)
    lines = dict(line.split(" ", 1) for line in out.splitlines() if line.startswith(("RESULT ", "LOCAL ")))
    cloud_result, local_result = json.loads(lines["RESULT"]), json.loads(lines["LOCAL"])
    assert len(cloud_result["params"]) == 2 and len(cloud_result["params"][0]) == 1  # [gammas, alphas], one layer
    # SV1 from the cloud job and the embedded simulator here, from the same seed, compute the same
    assert cloud_result["cost"] == pytest.approx(local_result["cost"])
    assert [value for layer in cloud_result["params"] for value in layer] == pytest.approx(
        [value for layer in local_result["params"] for value in layer])
    log = "\n".join(line for line in AwsJob(job["jobArn"]).logs())
    assert "Using AWS managed device:  braket.aws.qubit" in log and "Training Successful!!" in log
    tasks = tasks_of(job["jobArn"])
    assert tasks and {task["deviceArn"] for task in tasks} == {SV1}  # the job's, by its token
    metrics = AwsJob(job["jobArn"]).metrics("iteration_number")
    assert metrics["iteration_number"] == [0.0, 1.0] and len(metrics["Cost"]) == 2
    (local,) = (project.root / ".braketkit" / "jobs").iterdir()
    assert json.loads((local / "input" / "config" / "hyperparameters.json").read_text()) == {
        **expected, "diff_method": "adjoint"}
    local_log = (local / "log.txt").read_text()
    assert "Using local simulator:  default.qubit" in local_log and "Training Successful!!" in local_log
    details = show(capsys, job["jobArn"])
    assert (details["entry"], details["hyperparameters"]) == ("qaoa.qaoa_algorithm", job["hyperParameters"])


# -- 7: Running notebooks as hybrid jobs ----------------------------------------------------------------------


def test_notebook_runner(amazon: Cloud, project: Project, kernel_home: Path,  # noqa: F811 - the fixture
                         capsys: pytest.CaptureFixture[str]) -> None:
    """The runner reads every hyperparameter with ``ast.literal_eval`` and checks how it was started by its entry
    point: both are exactly the SDK's. It executes the input notebook in a kernel inside the job, whose Bell pair
    runs on SV1 through the loopback Braket as the job's task; the results come back with ``download_result``."""
    project.write("src/notebook_runner.py", shapes.NOTEBOOK_RUNNER)
    project.write("src/0_Getting_started_papermill.ipynb", shapes.INPUT_NOTEBOOK)
    project.write("src/requirements.txt", "nbclient\nipykernel\n")
    out = run_script(shapes.NOTEBOOK_JOB, capsys)
    (job,) = jobs_of(amazon)
    assert job["hyperParameters"] == {"shots": "100", "label": "bell", "layers": "[1, 2]"}
    assert job["algorithmSpecification"]["scriptModeConfig"]["entryPoint"] == "src.notebook_runner:run_notebook"
    assert [channel["channelName"] for channel in job["inputDataConfig"]] == ["input"]
    log = "\n".join(AwsJob(job["jobArn"]).logs())
    assert "Papermill parameters are: {'shots': 100, 'label': 'bell', 'layers': [1, 2], 'device_arn': " \
           f"'{SV1}', 'results_dir': " in log
    counts = json.loads(out.split("COUNTS ", 1)[1])
    assert set(counts) <= {"00", "11"} and sum(counts.values()) == 100
    assert "Braket quantum task cost: $0.00375 USD\n" in out  # $0.075 a minute of SV1, billed 3 seconds at least
    executed = nbformat.read(project.root / "result" / job["jobName"] / "0_Getting_started_papermill.ipynb",
                             as_version=4)
    injected = executed.cells[1]
    assert injected.metadata["tags"] == ["injected-parameters"] and "layers = [1, 2]\n" in injected.source
    assert executed.cells[5].outputs[0]["text"] == f"{counts}\n".replace('"', "'")  # the counts it printed
    (task,) = tasks_of(job["jobArn"])  # the kernel's task, the job's by its token
    assert (task["deviceArn"], task["shots"], task["status"]) == (SV1, 100, "COMPLETED")
    files = shipped(amazon, job)
    assert sorted(name for name in files if not name.startswith(RUNTIME)) == [
        "src/notebook_runner.py", "src/requirements.txt"]  # the notebook travels as the channel input, once
    assert_nothing_pickled(files, job)
    details = show(capsys, job["jobArn"])
    assert (details["entry"], details["inputs"].keys()) == ("src.notebook_runner:run_notebook", {"input"})


# -- 8: Creating hybrid job scripts ---------------------------------------------------------------------------


def test_hybrid_job_script(amazon: Cloud, project: Project, capsys: pytest.CaptureFixture[str],
                           tmp_path: Path) -> None:
    """A script that makes an ``AwsDevice`` of AMZN_BRAKET_DEVICE_ARN (SV1), runs its tasks and tracks their cost,
    in the cloud (the job's tasks, priced as a job's) and here (a local job calling the loopback SV1)."""
    from braket.aws import AwsQuantumJob

    project.write("algorithm_script.py", shapes.ALGORITHM_SCRIPT)
    out = run_script(shapes.JOB_SCRIPT, capsys)
    (job,) = jobs_of(amazon)
    assert "Initializing Braket Job: " + job["jobArn"] in out  # wait_until_complete: its log as it runs
    assert out.count("Test job started!!!!!") == 3  # ... job.logs(), and the local job's as it runs
    assert job["algorithmSpecification"]["scriptModeConfig"]["entryPoint"] == "algorithm_script"
    assert not job.get("hyperParameters") and "inputDataConfig" not in job
    files = shipped(amazon, job)
    assert [name for name in files if not name.startswith(RUNTIME)] == ["algorithm_script.py"]
    assert_nothing_pickled(files, job)
    results = json.loads((project.root / job["jobName"] / "results.json").read_text())["dataDictionary"]
    assert [sum(counts.values()) for counts in results["counts"]] == [100, 100, 100] and len(results["angles"]) == 3
    assert results["task summary"][SV1]["shots"] == 300 and results["task summary"][SV1]["tasks"] == {"COMPLETED": 3}
    assert results["estimated cost"] == pytest.approx(3 * 0.075 * 3 / 60)  # three tasks, three seconds each at least
    assert f"Estimated cost to run quantum tasks in this hybrid job: {results['estimated cost']} USD\n" in out
    tasks = AwsQuantumJob(job["jobArn"]).get_tasks()  # the SDK's own search by jobArn, over pages of two
    assert [task.id for task in tasks] == [task["quantumTaskArn"] for task in tasks_of(job["jobArn"])]
    assert len(tasks) == 3 and [task.result().task_metadata.shots for task in tasks] == [100, 100, 100]
    metrics = AwsJob(job["jobArn"]).metrics("iteration_number")
    assert metrics["braket_tasks_cost"] == pytest.approx([0.00375, 0.0075, 0.01125])
    local = [task for task in amazon.braket.tasks.values() if "jobArn" not in task]
    assert len(local) == 3  # the local job's: no job's token, so no job's
    assert out.count("Estimated cost to run quantum tasks in this hybrid job: ") == 2
    details = show(capsys, job["jobArn"])
    assert (details["state"], details["entry"], details.get("hyperparameters")) == ("COMPLETED", "algorithm_script",
                                                                                     None)
