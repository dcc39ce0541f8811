"""A script in the shape of the Braket documentation's examples: no main guard.

    python train.py

The decorated function travels to the job as captured source (with ``rotation``
and ``ANGLE``), so the call at the bottom runs here only, never again in the job.
"""

import math

from braket.circuits import Circuit
from braket.devices import LocalSimulator

from braketkit import hybrid_job

ANGLE = math.pi / 3


def rotation(shots):
    circuit = Circuit().rx(0, ANGLE).cnot(0, 1)
    return LocalSimulator().run(circuit, shots=shots).result().measurement_counts


@hybrid_job()
def sweep(shots=200):  # no annotation: --shots and the job's value are ints, from the default
    counts = rotation(shots)
    return {"p11": counts.get("11", 0) / shots}


job = sweep(shots=400)
print(job.result())
