"""QAOA for MaxCut on a small graph: typed arguments, checkpoints, metrics, a result.

    braketkit run qaoa.py:maxcut --local --edges '[[0,1],[1,2],[2,3],[3,0]]' --depth 1
    braketkit plan qaoa.py:maxcut --profile sv1 --edges '[[0,1],[1,2]]'

The function uses only the Braket SDK's own job helpers (checkpoints, metrics,
device), so the same code runs unchanged under the Braket SDK's tooling.
"""

from __future__ import annotations

import dataclasses

from braketkit import hybrid_job


@dataclasses.dataclass
class Optimizer:
    """Finite-difference gradient descent on the expected cut."""

    steps: int = 20
    step_size: float = 0.1
    checkpoint_every: int = 5


@hybrid_job()
def maxcut(
    edges: list[tuple[int, int]],
    depth: int = 1,
    optimizer: Optimizer | None = None,
    seed: int = 7,
    resume_from: str | None = None,
) -> dict[str, object]:
    """Maximise the expected cut of ``edges``; returns the best cut found and the angles."""
    import os

    import numpy as np
    from braket.circuits import Circuit
    from braket.jobs import get_job_name, load_job_checkpoint, save_job_checkpoint
    from braket.jobs.metrics import log_metric

    optimizer = optimizer or Optimizer()
    qubits = sorted({q for edge in edges for q in edge})
    device_name = os.environ.get("AMZN_BRAKET_DEVICE_ARN", "local:braket/braket_sv")
    if device_name.startswith("local:"):
        from braket.devices import LocalSimulator

        device = LocalSimulator(device_name.partition("/")[2])
    else:
        from braket.aws import AwsDevice

        device = AwsDevice(device_name)

    def circuit(angles: np.ndarray) -> Circuit:
        gammas, betas = angles[:depth], angles[depth:]
        ansatz = Circuit().h(qubits)
        for gamma, beta in zip(gammas, betas, strict=True):
            for a, b in edges:
                ansatz.cnot(a, b).rz(b, 2 * gamma).cnot(a, b)
            ansatz.rx(qubits, 2 * beta)
        return ansatz.probability()

    shift = {qubit: len(qubits) - 1 - index for index, qubit in enumerate(qubits)}  # qubit 0 is the leftmost bit

    def cut_of(bits: int) -> int:
        return sum((bits >> shift[a] & 1) != (bits >> shift[b] & 1) for a, b in edges)

    cuts = np.array([cut_of(bits) for bits in range(2 ** len(qubits))])

    def expected_cut(angles: np.ndarray) -> float:
        probabilities = device.run(circuit(angles), shots=0).result().values[0]
        return float(np.dot(probabilities, cuts))

    start = 0
    angles = np.random.default_rng(seed).uniform(0, np.pi, 2 * depth)
    if resume_from:
        saved = load_job_checkpoint(resume_from)
        start, angles = saved["step"], np.array(saved["angles"])
        print(f"resuming {resume_from} at step {start}")

    for step in range(start, optimizer.steps):
        value = expected_cut(angles)
        log_metric(metric_name="expected_cut", value=value, iteration_number=step)
        gradient = np.array([(expected_cut(angles + shift) - expected_cut(angles - shift)) / 0.2
                             for shift in 0.1 * np.eye(len(angles))])
        angles = angles + optimizer.step_size * gradient
        if (step + 1) % optimizer.checkpoint_every == 0:
            save_job_checkpoint({"step": step + 1, "angles": angles.tolist()})
            print(f"{get_job_name()}: checkpoint at step {step + 1}, expected cut {value:.4f}")

    probabilities = device.run(circuit(angles), shots=0).result().values[0]
    best = int(np.argmax(probabilities))
    return {
        "expected_cut": expected_cut(angles),
        "best_bits": format(best, f"0{len(qubits)}b"),
        "best_cut": int(cuts[best]),
        "angles": angles.tolist(),
    }
