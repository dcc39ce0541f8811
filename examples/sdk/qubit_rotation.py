"""Amazon's first hybrid-job example, in its shape: a decorated function and its SDK keywords.

Only the import line differs from the Braket SDK's version:

    from braket.jobs import hybrid_job     ->     from braketkit.sdk import hybrid_job

    python qubit_rotation.py
"""

from braket.circuits import Circuit, Observable
from braket.devices import LocalSimulator
from braket.jobs.config import InstanceConfig
from braket.jobs.metrics import log_metric

from braketkit.sdk import hybrid_job

device = LocalSimulator()  # made in the script (or a notebook cell), used by the function: replayed in the job


def expectation(angle: float) -> float:
    circuit = Circuit().rx(0, angle).expectation(Observable.Z(), target=0)
    return float(device.run(circuit, shots=0).result().values[0])


@hybrid_job(device=None, local=True, data_format="pickle", instance_config=InstanceConfig(instanceType="ml.m5.large"))
def qubit_rotation(num_steps=10, stepsize=0.5):
    """Find the angle that turns |0> into |1>: gradient descent on <Z>, by the parameter-shift rule."""
    angle = 0.1
    for step in range(num_steps):
        gradient = (expectation(angle + 1.5707963267948966) - expectation(angle - 1.5707963267948966)) / 2
        angle -= stepsize * gradient
        log_metric(metric_name="expval", iteration_number=step, value=expectation(angle))
    return {"angle": angle, "expval": expectation(angle)}


if __name__ == "__main__":
    job = qubit_rotation(num_steps=12, stepsize=0.5)
    print(job)
    print("state:", job.state())
    print("result:", job.result(allow_pickle=True))
    print("last expval:", job.metrics()["expval"][-1])
