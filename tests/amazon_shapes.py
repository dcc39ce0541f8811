"""Amazon's hybrid-job examples (amazon-braket-examples, examples/hybrid_jobs 0, 1, 2, 4, 7 and 8) in their shapes,
for tests/test_amazon_shapes.py.

A notebook is its code cells in order, each with an id its outputs are read by; a script, a helper module or a
notebook a job runs is its file's text. Each is written here as Amazon writes it, with the Braket SDK's import line
changed to braketkit's (``from braketkit.sdk import hybrid_job``, ``AwsQuantumJob``, ``LocalQuantumJob``), iterations,
sizes and shots cut, and the waits for metrics (``time.sleep(10)``) and the plots left out. What a test adds to look
at what a researcher would look at is in cells whose id starts with ``check-``.

Two lines of example 2 differ from Amazon's, which fail with the Braket SDK of today, in Braket's container too:
``save_job_checkpoint(..., data_format="pickle")`` saves plain text (the SDK's checkpoint helpers know
``PersistedJobDataFormat.PICKLED_V4`` only, and its NumPy array is no JSON), and ``load_job_checkpoint`` reads a
pickled checkpoint only with ``allow_pickle=True`` since the SDK stopped unpickling by default. Here they say so
(the second as Amazon's line where the SDK is older than that: Python 3.10's).
"""

from __future__ import annotations

import inspect
import json

from braket.jobs import load_job_checkpoint

Cells = list[tuple[str, str]]
"""A notebook's code cells: (id, source)."""

# -- 0: Creating your first hybrid job ------------------------------------------------------------------------

FIRST_JOB: Cells = [
    ("tracker", """\
# Use Braket SDK Cost Tracking to estimate the cost to run this example
from braket.tracking import Tracker

t = Tracker().start()"""),
    ("device", """\
import pennylane as qml
from pennylane import numpy as np

device = qml.device("braket.local.qubit", wires=1)"""),
    ("circuit", """\
@qml.qnode(device)
def circuit(params):
    qml.RX(params[0], wires=0)
    qml.RY(params[1], wires=0)
    return qml.expval(qml.PauliZ(0))"""),
    ("rotation", """\
from braket.jobs.metrics import log_metric


def qubit_rotation(num_steps=10, stepsize=0.5):
    opt = qml.GradientDescentOptimizer(stepsize=stepsize)
    params = np.array([0.5, 0.75])

    for i in range(num_steps):
        # update the circuit parameters
        params = opt.step(circuit, params)
        expval = circuit(params)

        log_metric(metric_name="expval", iteration_number=i, value=expval)

    return params"""),
    ("here", "qubit_rotation(3, stepsize=0.5)"),
    ("decorated", """\
from braketkit.sdk import hybrid_job


@hybrid_job(device="local:braket/default", data_format="pickle")
def qubit_rotation_hybrid_job(num_steps=1, stepsize=0.5):
    device = qml.device("braket.local.qubit", wires=1)

    @qml.qnode(device)
    def circuit(params):
        qml.RX(params[0], wires=0)
        qml.RY(params[1], wires=0)
        return qml.expval(qml.PauliZ(0))

    opt = qml.GradientDescentOptimizer(stepsize=stepsize)
    params = np.array([0.5, 0.75])

    for i in range(num_steps):
        # update the circuit parameters
        params = opt.step(circuit, params)
        expval = circuit(params)

        log_metric(metric_name="expval", iteration_number=i, value=expval)

    return params"""),
    ("create", """\
job = qubit_rotation_hybrid_job(num_steps=3, stepsize=0.5)
print(job)"""),
    ("state", "job.state()"),
    ("result", "job.result(allow_pickle=True)"),
    ("metrics", "print(job.metrics())"),
    ("frame", """\
import pandas as pd

df = pd.DataFrame(job.metrics())
df = df.sort_values(by=["iteration_number"])
print(df[["iteration_number", "expval"]].to_json(orient="records"))"""),
    ("qpu", """\
from braket.devices import Devices

device_arn = Devices.Amazon.SV1


@hybrid_job(device=device_arn, data_format="pickle")  # set priority QPU
def qpu_qubit_rotation_hybrid_job(num_steps=10, stepsize=0.5):
    # AWS devices must be declared within the decorated function.
    device = qml.device(
        "braket.aws.qubit",
        device_arn=device_arn.value,  # Make sure the device ARN matches the hybrid job device ARN
        wires=2,
        shots=1_000,
    )

    @qml.qnode(device)
    def circuit(params):
        qml.RX(params[0], wires=0)
        qml.RY(params[1], wires=0)
        return qml.expval(qml.PauliZ(0))

    opt = qml.GradientDescentOptimizer(stepsize=stepsize)
    params = np.array([0.5, 0.75])

    for i in range(num_steps):
        # update the circuit parameters
        params = opt.step(circuit, params)
        expval = circuit(params)

        log_metric(metric_name="expval", iteration_number=i, value=expval)

    return params"""),
    ("qpu-create", """\
qpu_job = qpu_qubit_rotation_hybrid_job(num_steps=1, stepsize=0.5)
print(qpu_job)"""),
    ("qpu-result", "qpu_job.result(allow_pickle=True)"),
    ("qpu-frame", """\
df = pd.DataFrame(qpu_job.metrics())
df = df.sort_values(by=["iteration_number"])
print(df[["iteration_number", "expval"]].to_json(orient="records"))"""),
    ("cost", """\
print(
    f"Estimated cost to run this example: {t.qpu_tasks_cost() + t.simulator_tasks_cost():.2f} USD",
)"""),
    ("check-local", """\
local_job = qubit_rotation_hybrid_job.local(num_steps=3, stepsize=0.5)
print(local_job.state(), (local_job.result(allow_pickle=True) == job.result(allow_pickle=True)["result"]).all())"""),
]

# -- 1: Quantum machine learning in Amazon Braket Hybrid Jobs --------------------------------------------------

QCBM_MODULE = '''\
"""A quantum circuit Born machine: rotation layers and a ring of CNOTs, trained to a target distribution."""

import numpy as np

from braket.circuits import Circuit


class QCBM:
    def __init__(self, device, n_qubits, n_layers, data):
        self.device = device
        self.n_qubits = n_qubits
        self.n_layers = n_layers
        self.neighbors = [(i, (i + 1) % n_qubits) for i in range(n_qubits)]
        self.data = data  # target probabilities
        self.shots = 1_000

    def create_circuit(self, params):
        params = params.reshape(self.n_layers, self.n_qubits, 3)
        circuit = Circuit()
        for layer in range(self.n_layers):
            for n in range(self.n_qubits):
                circuit.rx(n, params[layer, n, 0]).rz(n, params[layer, n, 1]).rx(n, params[layer, n, 2])
            for i, j in self.neighbors:
                circuit.cnot(i, j)
        return circuit.probability()

    def probabilities(self, params):
        return self.device.run(self.create_circuit(params), shots=self.shots).result().values[0]

    def gradient(self, params):
        """The parameter-shift gradient of the MMD loss (Liu and Wang, Phys. Rev. A 98, 062324)."""
        probabilities = self.probabilities(params)
        shift = np.eye(len(params)) * np.pi / 2
        circuits = [self.create_circuit(p) for p in np.concatenate([params + shift, params - shift])]
        results = self.device.run_batch(circuits, shots=self.shots).results()
        shifted = np.array([result.values[0] for result in results]).reshape(2, len(params), -1)
        return np.array([compute_kernel(probabilities, plus) - compute_kernel(probabilities, minus)
                         - compute_kernel(self.data, plus) + compute_kernel(self.data, minus)
                         for plus, minus in zip(shifted[0], shifted[1])])


def compute_kernel(px, py, sigma_list=(0.1, 1)):
    """A Gaussian radial basis function kernel between two distributions."""
    x = np.arange(len(px))
    kernel = sum(np.exp(-((x[:, None] - x[None, :]) ** 2) / (2 * s**2)) for s in sigma_list)
    return px @ kernel @ py


def mmd_loss(px, py, sigma_list=(0.1, 1)):
    """Maximum mean discrepancy: zero when the two distributions are the same."""
    mmd_xx = compute_kernel(px, px, sigma_list)
    mmd_yy = compute_kernel(py, py, sigma_list)
    mmd_xy = compute_kernel(px, py, sigma_list)
    return mmd_xx + mmd_yy - 2 * mmd_xy
'''

QML: Cells = [
    ("model", """\
import numpy as np
from qcbm.qcbm import QCBM

from braket.devices import LocalSimulator

n_qubits = 3
n_layers = 1

init_params = np.random.rand(3 * n_layers * n_qubits)
device = LocalSimulator()
qcbm = QCBM(device, n_qubits, n_layers, np.random.rand(1))
print(qcbm.create_circuit(init_params))"""),
    ("qubits", "n_qubits = 2"),
    ("data", """\
def gaussian(n_qubits, mu, sigma=1):
    x = np.arange(2**n_qubits)
    gaussian = 1.0 / np.sqrt(2 * np.pi * sigma**2) * np.exp(-((x - mu) ** 2) / (2 * sigma**2))
    return gaussian / sum(gaussian)


data = gaussian(n_qubits, mu=1, sigma=1) + gaussian(n_qubits, mu=3, sigma=0.5)
data = data / sum(data)"""),
    ("save", 'np.save("data.npy", data)  # save data to file'),
    ("train", """\
from qcbm.qcbm import mmd_loss
from scipy.optimize import minimize

from braket.jobs.metrics import log_metric
from braket.tracking import Tracker


def train_circuit(n_qubits, n_layers, n_iterations=10):
    global iteration_number
    iteration_number = 0

    braket_task_costs = Tracker().start()

    device = LocalSimulator()

    data = np.load("data.npy")  # load the input data

    qcbm = QCBM(device, n_qubits, n_layers, data)

    init_params = np.random.rand(3 * n_layers * n_qubits)

    def callback(x):
        global iteration_number
        iteration_number += 1
        loss = mmd_loss(qcbm.probabilities(x), data)

        log_metric(  # log the metrics to Braket console
            metric_name="loss",
            value=loss,
            iteration_number=iteration_number,
        )

    res = minimize(
        lambda x: mmd_loss(qcbm.probabilities(x), data),
        x0=init_params,
        method="L-BFGS-B",
        jac=lambda x: qcbm.gradient(x),
        options={"maxiter": n_iterations},
        callback=callback,
    )
    final_params = res.x

    # save final parameters
    np.save("final_params.npy", final_params)

    return {
        "params": final_params,
        "task summary": braket_task_costs.quantum_tasks_statistics(),
        "estimated cost": float(
            braket_task_costs.qpu_tasks_cost() + braket_task_costs.simulator_tasks_cost(),
        ),
    }"""),
    ("here", """\
%%time

train_circuit(n_qubits, n_layers=n_layers, n_iterations=1)"""),
    ("decorated", """\
from braketkit.sdk import hybrid_job


@hybrid_job(device=None, include_modules="qcbm", input_data="data.npy", data_format="pickle")
def train_circuit_hybrid_job(n_qubits, n_layers, n_iterations):
    return train_circuit(n_qubits, n_layers, n_iterations)"""),
    ("create", "job = train_circuit_hybrid_job(n_qubits, n_layers=n_layers, n_iterations=2)"),
    ("state", "job.state()"),
    ("result", """\
%%time
job.result(allow_pickle=True)"""),
    ("metrics", "print(job.metrics())"),
    ("frame", """\
import pandas as pd

df = pd.DataFrame(job.metrics())

print(df.sort_values(by=["iteration_number"])[["iteration_number", "loss"]].to_json(orient="records"))"""),
    ("probabilities", """\
device = LocalSimulator()
qcbm = QCBM(device, n_qubits, n_layers=n_layers, data=data)

qcbm_probs = qcbm.probabilities(job.result(allow_pickle=True)["params"])
print(len(qcbm_probs), round(float(sum(qcbm_probs)), 6))"""),
    ("loop", """\
jobs = []

for n_layers in range(1, 3):
    print(f"Creating job with {n_layers} layers")
    tmp_job = train_circuit_hybrid_job(n_qubits, n_layers, n_iterations=2)

    jobs.append(tmp_job)"""),
    ("last", """\
%%time
jobs[-1].result(allow_pickle=True);  # wait for the last job to finish"""),
    ("losses", """\
dfs = []
for i, j in enumerate(jobs):
    df = pd.DataFrame(j.metrics())
    df.sort_values(by=["iteration_number"])
    dfs.append(df)
print([len(df) for df in dfs], [len(j.result(allow_pickle=True)["params"]) for j in jobs])"""),
    ("cost", """\
cost = 0
for job in jobs:
    cost += job.result(allow_pickle=True)["estimated cost"]

print(f"Estimated cost to run quantum tasks in these hybrid jobs: {cost} USD")"""),
]

# -- 2: Using PennyLane with Braket Hybrid Jobs ---------------------------------------------------------------

PENNYLANE: Cells = [
    ("imports", """\
import networkx as nx
import pennylane as qml
from pennylane import numpy as np"""),
    ("graph", """\
# We generate a random graph with num_nodes nodes and num_edges edges to run Max Cut on.
# num_nodes is the number of nodes in your graph, each represented by one qubit.
# Caution: Circuit runtimes will scale exponentially with num_nodes

num_nodes = 4
num_edges = 4
seed = 1967

p = 2

graph = nx.gnm_random_graph(num_nodes, num_edges, seed=seed)

positions = nx.spring_layout(graph, seed=seed)"""),
    ("input", """\
input_file_path = "input-data.adjlist"

nx.write_adjlist(graph, input_file_path)"""),
    ("ansatz", """\
from pennylane import qaoa

p = 2  # number of QAOA layers
wires = range(num_nodes)  # number of qubits

params = np.random.rand(2, p)  # random initial parameters

cost_h, mixer_h = qaoa.maxcut(graph)

dev = qml.device("default.qubit", wires=len(wires))


# Defines a layer of the QAOA ansatz from the cost and mixer Hamiltonians
def qaoa_layer(gamma, alpha):
    qaoa.cost_layer(gamma, cost_h)
    qaoa.mixer_layer(alpha, mixer_h)


# Repeatedly applies layers of the QAOA ansatz
def circuit(params, **kwargs):
    p = params.shape[1]
    for w in wires:
        qml.Hadamard(wires=w)
    qml.layer(qaoa_layer, p, params[0], params[1])"""),
    ("circuit", "circuit(params)"),
    ("decorated", """\
from braket.jobs import save_job_checkpoint
from braket.jobs.config import InstanceConfig
from braket.jobs_data import PersistedJobDataFormat
from braket.jobs.metrics import log_metric
from braket.tracking import Tracker

from braketkit.sdk import hybrid_job


@hybrid_job(
    device="local:pennylane/lightning.qubit",
    input_data=input_file_path,
    instance_config=InstanceConfig(instanceType="ml.m5.xlarge"),
    data_format="pickle",
)
def run_qaoa_hybrid_job_m5(p=1, steps=10):
    from pennylane import qaoa

    params = np.random.rand(2, p)

    braket_task_tracker = Tracker()

    graph = nx.read_adjlist(input_file_path, nodetype=int)
    wires = list(graph.nodes)
    cost_h, _mixer_h = qaoa.maxcut(graph)

    dev = qml.device("default.qubit", wires=len(wires))

    @qml.qnode(dev)
    def cost_function(params):
        circuit(params)
        return qml.expval(cost_h)

    # training loop
    optimizer = qml.GradientDescentOptimizer()
    for i in range(steps + 1):
        params = optimizer.step(cost_function, params)
        cost = float(cost_function(params))

        log_metric(metric_name="loss", value=cost, iteration_number=i)

        # save checkpoint data
        save_job_checkpoint(
            checkpoint_data={
                "iteration": i,
                "params": params.numpy(),
                "cost": cost,
            },
            data_format=PersistedJobDataFormat.PICKLED_V4,
        )

    # save final results
    np.save("optimal_params.npy", params)

    return {
        "params": params.numpy(),
        "cost": cost,
        "task summary": braket_task_tracker.quantum_tasks_statistics(),
        "estimated cost": braket_task_tracker.qpu_tasks_cost()
        + braket_task_tracker.simulator_tasks_cost(),
    }"""),
    ("create", """\
job = run_qaoa_hybrid_job_m5(p=p, steps=2)
print(job)"""),
    ("names", """\
previous_job_name = job.name
previous_job_arn = job.arn
print(previous_job_arn)
print(previous_job_name)"""),
    ("state", "job.state()"),
    ("result", """\
%%time

print(job.result(allow_pickle=True))"""),
    ("frame", """\
import pandas as pd

df = pd.DataFrame(job.metrics()).sort_values("iteration_number")
print(df[["iteration_number", "loss"]].to_json(orient="records"))"""),
    ("continued", """\
from braket.jobs import load_job_checkpoint


@hybrid_job(
    device="local:pennylane/lightning.qubit",
    instance_config=InstanceConfig(instanceType="ml.m5.xlarge"),
    input_data=input_file_path,
    copy_checkpoints_from_job=previous_job_arn,
    data_format="pickle",
)
def continued_run_qaoa_hybrid_job(p=1, steps=10):
    # Resume from last checkpoint
    checkpoint = load_job_checkpoint(previous_job_name, allow_pickle=True)
    start_iteration = checkpoint["iteration"] + 1  # shifting by 1
    params = np.array(checkpoint["params"])  # array needed for gradient calculation
    # code below is similar for both hybrid jobs
    braket_task_tracker = Tracker()

    graph = nx.read_adjlist(input_file_path, nodetype=int)
    wires = list(graph.nodes)
    cost_h, _mixer_h = qaoa.maxcut(graph)

    dev = qml.device("default.qubit", wires=len(wires))

    @qml.qnode(dev)
    def cost_function(params):
        circuit(params)
        return qml.expval(cost_h)

    # training loop
    optimizer = qml.GradientDescentOptimizer()
    for i in range(start_iteration, steps + 1):
        params = optimizer.step(cost_function, params)
        print(params)
        cost = float(cost_function(params))

        log_metric(metric_name="loss", value=cost, iteration_number=i)

    # save final results
    np.save("continued_optimal_params.npy", params)

    return {
        "params": params,
        "cost": cost,
        "task summary": braket_task_tracker.quantum_tasks_statistics(),
        "estimated cost": braket_task_tracker.qpu_tasks_cost()
        + braket_task_tracker.simulator_tasks_cost(),
    }"""),
    ("continued-create", """\
continued_job = continued_run_qaoa_hybrid_job(p=p, steps=4)
print(continued_job)"""),
    ("continued-result", """\
%%time

continued_result = continued_job.result(allow_pickle=True)"""),
    ("continued-frame", """\
continued_metrics = continued_job.metrics()
continued_df = pd.DataFrame(continued_metrics)
df_updated = pd.concat([df, continued_df], ignore_index=True).sort_values("iteration_number")
print(df_updated[["iteration_number", "loss"]].to_json(orient="records"))"""),
    ("check-costs", """\
print(continued_result["cost"] == df_updated["loss"].iloc[-1], job.result(allow_pickle=True)["estimated cost"])"""),
]
if "allow_pickle" not in inspect.signature(load_job_checkpoint).parameters:  # the SDK Python 3.10 has (1.110)
    PENNYLANE = [(cell, text.replace("load_job_checkpoint(previous_job_name, allow_pickle=True)",
                                     "load_job_checkpoint(previous_job_name)")) for cell, text in PENNYLANE]

# -- 4: Embedded simulators in Braket Hybrid Jobs -------------------------------------------------------------

QAOA_UTILS = '''\
import os

import pennylane as qml


def get_device(n_wires):
    device_string = os.environ["AMZN_BRAKET_DEVICE_ARN"]
    device_prefix = device_string.split(":")[0]

    if device_prefix == "local":
        _prefix, device_name = device_string.split("/")
        device = qml.device(device_name, wires=n_wires)
        print("Using local simulator: ", device.name)
    else:
        device = qml.device(
            "braket.aws.qubit",
            device_arn=device_string,
            s3_destination_folder=None,
            wires=n_wires,
            parallel=True,
            max_parallel=30,
        )
        print("Using AWS managed device: ", device.name)

    return device
'''

QAOA_ALGORITHM = '''\
import json
import os

import networkx as nx
import pennylane as qml
from pennylane import numpy as np
from qaoa.utils import get_device

from braket.jobs import save_job_result
from braket.jobs.metrics import log_metric


def main():
    # Read environment variables ##########
    hp_file = os.environ["AMZN_BRAKET_HP_FILE"]

    # Hyperparameters ##########
    with open(hp_file, "r") as f:
        hyperparams = json.load(f)
    print("hyperparams: ", hyperparams)

    # problem-setup hyperparams
    n_nodes = int(hyperparams["n_nodes"])
    n_edges = float(hyperparams["n_edges"])
    n_layers = int(hyperparams["n_layers"])

    # training hyperparams
    seed = int(hyperparams["seed"])
    iterations = int(hyperparams["iterations"])
    stepsize = float(hyperparams["stepsize"])
    diff_method = hyperparams["diff_method"]

    # Device ##########
    device = get_device(n_nodes)

    # Set up graph ##########
    g = nx.gnm_random_graph(n_nodes, n_edges, seed=seed)

    cost_h, mixer_h = qml.qaoa.max_clique(g, constrained=False)
    print("number of observables: ", len(cost_h.terms()[1]))

    def qaoa_layer(gamma, alpha):
        qml.qaoa.cost_layer(gamma, cost_h)
        qml.qaoa.mixer_layer(alpha, mixer_h)

    def circuit(params):
        for i in range(n_nodes):
            qml.Hadamard(wires=i)
        qml.layer(qaoa_layer, n_layers, params[0], params[1])

    @qml.qnode(device, diff_method=diff_method)
    def cost_function(params):
        circuit(params)
        return qml.expval(cost_h)

    # Optimization ###########
    print("start optimizing...")
    np.random.seed(seed)
    params = np.random.uniform(size=[2, n_layers])

    opt = qml.AdamOptimizer(stepsize=stepsize)

    for i in range(iterations):
        params, cost_before = opt.step_and_cost(cost_function, params)

        # Log the loss before the update step as a metric
        log_metric(
            metric_name="Cost",
            value=cost_before,
            iteration_number=i,
        )

    final_cost = float(cost_function(params))
    log_metric(
        metric_name="Cost",
        value=final_cost,
        iteration_number=iterations,
    )

    save_job_result({"params": params.tolist(), "cost": final_cost})


if __name__ == "__main__":
    try:
        main()
        print("Training Successful!!")
    except BaseException as e:
        print(e)
        print("Training Fails...")
'''

EMBEDDED = '''\
import json

hyperparameters = {
    "n_nodes": 4,
    "n_edges": 4,
    "n_layers": 1,
    "iterations": 1,
    "stepsize": 0.1,
    "seed": 42,
    "diff_method": "parameter-shift",
}

from braket.aws import AwsSession
from braket.jobs.image_uris import Framework, retrieve_image

region = AwsSession().region
image_uri = retrieve_image(Framework.PL_PYTORCH, region)
print(image_uri)

from braket.jobs.config import InstanceConfig

instance_config = InstanceConfig(instanceType="ml.m5.large")

device = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"  # Using Braket on-demand SV1

import time

from braketkit.sdk import AwsQuantumJob

job = AwsQuantumJob.create(
    device=device,
    source_module="qaoa",
    entry_point="qaoa.qaoa_algorithm",
    job_name="embedded-simulation-" + str(int(time.time())),
    hyperparameters=hyperparameters,
    instance_config=instance_config,
    image_uri=image_uri,
    wait_until_complete=False,
)

print("RESULT", json.dumps(job.result()))

hyperparameters["diff_method"] = "adjoint"

from braketkit.sdk import LocalQuantumJob

local_job = LocalQuantumJob.create(
    device="local:pennylane/default.qubit",
    source_module="qaoa",
    entry_point="qaoa.qaoa_algorithm",
    job_name="embedded-simulation-" + str(int(time.time())),
    hyperparameters=hyperparameters,
    image_uri=image_uri,
)
print("LOCAL", json.dumps(local_job.result()))
'''
"""The notebook's cells as one script; only ``print(job.result())`` prints JSON, for the test to read."""

# -- 7: Running notebooks as hybrid jobs ----------------------------------------------------------------------

NOTEBOOK_RUNNER = '''\
"""Amazon's notebook runner, in its shape, with nbclient (installed) executing the notebook where Amazon's uses
papermill: the hyperparameters become the notebook's parameters, injected after its cell tagged ``parameters``."""

import ast
import contextlib
import glob
import json
import os

entry_point = os.environ["AMZN_BRAKET_SCRIPT_ENTRY_POINT"]
if not entry_point.endswith("run_notebook"):
    raise SystemExit(f"would install jupyter and papermill into this environment: entry point {entry_point}")


def convert_to_value(value):
    """Parse any string containing a Python expression into a Python object."""
    with contextlib.suppress(ValueError):  # suppress error message
        return ast.literal_eval(value)
    return value


def load_jobs_hyperparams():
    with open(os.environ["AMZN_BRAKET_HP_FILE"]) as f:
        braket_hyperparams = json.load(f)
    print(f"Braket hyperparameters are: {braket_hyperparams}")
    return braket_hyperparams


def convert_jobs_hyperparams_to_pm_params(braket_hyperparams):
    papermill_params = {key: convert_to_value(value) for key, value in braket_hyperparams.items()}

    papermill_params["device_arn"] = os.environ["AMZN_BRAKET_DEVICE_ARN"]
    papermill_params["results_dir"] = os.environ["AMZN_BRAKET_JOB_RESULTS_DIR"]
    print(f"Papermill parameters are: {papermill_params}")
    return papermill_params


def get_notebook_name(input_dir):
    notebooks = list(glob.glob(f"{input_dir}/input/*.ipynb"))
    if len(notebooks) > 1:
        raise ValueError("To many input notebooks provided.")
    notebook_name = notebooks[0].split("/")[-1]
    return notebook_name


def execute_notebook(source, target, parameters):
    """papermill.execute_notebook's part that matters here: parameters injected, every cell run, outputs logged."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(source, as_version=4)
    tagged = [i for i, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", [])]
    injected = nbformat.v4.new_code_cell("\\n".join(f"{name} = {value!r}" for name, value in parameters.items()))
    injected.metadata["tags"] = ["injected-parameters"]
    notebook.cells.insert(tagged[0] + 1 if tagged else 0, injected)
    NotebookClient(notebook, kernel_name="python3", timeout=300,
                   resources={"metadata": {"path": os.path.dirname(target)}}).execute()
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            print(output.get("text", ""), end="")
    nbformat.write(notebook, target)


def run_notebook():
    results_dir = os.environ.get("AMZN_BRAKET_JOB_RESULTS_DIR")
    input_dir = os.environ["AMZN_BRAKET_INPUT_DIR"]

    braket_hyperparams = load_jobs_hyperparams()

    papermill_params = convert_jobs_hyperparams_to_pm_params(braket_hyperparams)

    notebook_name = get_notebook_name(input_dir)

    execute_notebook(
        f"{input_dir}/input/{notebook_name}",
        f"{results_dir}/{notebook_name}",
        parameters=papermill_params,
    )
'''

_INPUT_CELLS = [
    ({"tags": ["parameters"]}, """\
# Papermill parameters
shots = 1000

# Braket specific parameters
device_arn = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"
results_dir = \".\""""),
    ({}, """\
import time

from braket.aws import AwsDevice
from braket.circuits import Circuit
from braket.devices import LocalSimulator
from braket.jobs.metrics import log_metric
from braket.tracking import Tracker  # cost tracker

cost_tracker = Tracker().start()"""),
    ({}, """\
# build a Bell state with two qubits.
bell = Circuit().h(0).cnot(control=0, target=1)"""),
    ({}, """\
# set up device
device = LocalSimulator() if "local" in device_arn else AwsDevice(device_arn)"""),
    ({}, """\
# Run the circuit and get results
result = device.run(bell, shots=shots).result()

# get measurement shots
counts = result.measurement_counts
counts = {k: counts[k] for k in sorted(counts)}  # sort results
print(counts)"""),
    ({}, """\
total_cost = float(cost_tracker.simulator_tasks_cost() + cost_tracker.qpu_tasks_cost())

timestamp = time.time()

log_metric(metric_name="cost", value=total_cost, timestamp=timestamp)

log_metric(metric_name="counts_00", value=counts["00"], timestamp=timestamp)"""),
    ({}, """\
import pickle

# save measurement counts to a file
with open(f"{results_dir}/results.pkl", "wb") as f:
    pickle.dump(counts, f)"""),
]

INPUT_NOTEBOOK = json.dumps({
    "nbformat": 4, "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "cells": [{"cell_type": "code", "id": f"cell-{index}", "metadata": metadata, "execution_count": None,
               "outputs": [], "source": source} for index, (metadata, source) in enumerate(_INPUT_CELLS)],
}, indent=1)
"""Amazon's ``0_Getting_started_papermill.ipynb``, in its shape: a parameters cell, a Bell pair on the device the job
names, the cost and the counts as metrics, the counts pickled into the results folder."""

NOTEBOOK_JOB = '''\
import json

from braket.devices import Devices

device_arn = Devices.Amazon.SV1

hyperparameters = {"shots": 100, "label": "bell", "layers": [1, 2]}

import time

from braketkit.sdk import AwsQuantumJob

job = AwsQuantumJob.create(
    device=device_arn,
    source_module="src",
    entry_point="src.notebook_runner:run_notebook",
    input_data="src/0_Getting_started_papermill.ipynb",
    hyperparameters=hyperparameters,
    job_name=f"papermill-job-demo-{int(time.time())}",
)

# Print job to record the ARN
print(job)

job.state()

job.download_result("result")

metrics = job.metrics()
cost = metrics["cost"][0]

print(f"Braket quantum task cost: ${cost} USD")

import pickle

with open(f"result/{job.name}/results.pkl", "rb") as file:
    counts = pickle.load(file)
print("COUNTS", json.dumps(counts))
'''
"""The notebook's cells as one script (``result/<job name>/``: where braketkit's ``download_result`` extracts)."""

# -- 8: Creating hybrid job scripts ---------------------------------------------------------------------------

ALGORITHM_SCRIPT = '''\
import os

import numpy as np

from braket.aws import AwsDevice
from braket.circuits import Circuit
from braket.jobs import save_job_result
from braket.jobs.metrics import log_metric
from braket.tracking import Tracker

cost_tracker = Tracker().start()

print("Test job started!!!!!")

# Use the device declared in the creation script
device = AwsDevice(os.environ["AMZN_BRAKET_DEVICE_ARN"])

counts_list = []
angle_list = []
for i in range(3):
    angle = np.pi * np.random.rand()
    random_circuit = Circuit().rx(0, angle)

    task = device.run(random_circuit, shots=100)
    counts = task.result().measurement_counts

    angle_list.append(angle)
    counts_list.append(counts)
    print(counts)

    braket_tasks_cost = float(cost_tracker.simulator_tasks_cost() + cost_tracker.qpu_tasks_cost())
    log_metric(metric_name="braket_tasks_cost", value=braket_tasks_cost, iteration_number=i)


save_job_result(
    {
        "counts": counts_list,
        "angles": angle_list,
        "task summary": cost_tracker.quantum_tasks_statistics(),
        "estimated cost": braket_tasks_cost,
    },
)

print("Test job completed!!!!!")
'''

JOB_SCRIPT = '''\
from braket.devices import Devices

from braketkit.sdk import AwsQuantumJob

job = AwsQuantumJob.create(
    device=Devices.Amazon.SV1,
    source_module="algorithm_script.py",
    wait_until_complete=True,
)

job.state()

results = job.result()
print("counts: ", results["counts"])
print("angles: ", results["angles"])

job.logs()

job.download_result()  # download hybrid job result to local directory

print("Quantum Task Summary")
print(job.result()["task summary"])
print(f"Estimated cost to run quantum tasks in this hybrid job: {job.result()['estimated cost']} USD")

from braketkit.sdk import LocalQuantumJob

job = LocalQuantumJob.create(
    device=Devices.Amazon.SV1,
    source_module="algorithm_script.py",
)

print("Quantum Task Summary")
print(job.result()["task summary"])
print(f"Estimated cost to run quantum tasks in this hybrid job: {job.result()['estimated cost']} USD")
'''
"""The notebook's cells as one script: the job on SV1 through AWS, then the same job here."""
