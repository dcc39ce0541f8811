import os

from braket.devices import LocalSimulator


def get_device():
    """The job's device: an embedded simulator (local:braket/<name>) runs inside the job."""
    name = os.environ["AMZN_BRAKET_DEVICE_ARN"]
    if not name.startswith("local:"):
        raise ValueError(f"this example runs an embedded simulator, not {name}")
    return LocalSimulator(name.partition("/")[2])
