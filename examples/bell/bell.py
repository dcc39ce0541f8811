"""A Bell pair: the smallest hybrid job worth running.

    braketkit plan bell.py:bell --shots 1000 --offline
"""

from braketkit import hybrid_job


@hybrid_job()
def bell(shots: int = 100) -> dict[str, int]:
    """Prepare (|00> + |11>)/sqrt(2) on the job's device and count the outcomes."""
    import os

    from braket.circuits import Circuit

    device_name = os.environ.get("AMZN_BRAKET_DEVICE_ARN", "local:braket/braket_sv")
    if device_name.startswith("local:"):
        from braket.devices import LocalSimulator

        device = LocalSimulator(device_name.partition("/")[2])
    else:
        from braket.aws import AwsDevice

        device = AwsDevice(device_name)
    circuit = Circuit().h(0).cnot(0, 1)
    counts = device.run(circuit, shots=shots).result().measurement_counts
    return dict(sorted(counts.items()))
