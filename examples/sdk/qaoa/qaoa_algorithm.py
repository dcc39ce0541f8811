"""Amazon's embedded-simulator example, in its shape: a script in a folder, reading its hyperparameters itself."""

import json
import os

from braket.circuits import Circuit
from braket.jobs import save_job_result
from braket.jobs.metrics import log_metric
from qaoa.utils import get_device


def main():
    with open(os.environ["AMZN_BRAKET_HP_FILE"]) as handle:
        hyperparameters = json.load(handle)
    nodes = int(hyperparameters["n_nodes"])
    shots = int(hyperparameters["shots"])
    device = get_device()
    ring = [(node, (node + 1) % nodes) for node in range(nodes)]
    best = None
    for step, angle in enumerate([0.2 * k for k in range(1, 8)]):
        circuit = Circuit()
        for node in range(nodes):
            circuit.h(node)
        for left, right in ring:
            circuit.zz(left, right, angle)
        for node in range(nodes):
            circuit.rx(node, angle)
        counts = device.run(circuit, shots=shots).result().measurement_counts
        cut = sum(count * sum(bits[a] != bits[b] for a, b in ring) for bits, count in counts.items()) / shots
        log_metric(metric_name="cut", iteration_number=step, value=cut)
        best = max(best or (cut, angle), (cut, angle))
    save_job_result({"best_cut": best[0], "angle": best[1], "device": os.environ["AMZN_BRAKET_DEVICE_ARN"]})


if __name__ == "__main__":
    main()
