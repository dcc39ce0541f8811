"""The embedded-simulator example's notebook cell, in its shape: AwsQuantumJob.create, here LocalQuantumJob.

    python run_script_job.py
"""

from braketkit.sdk import LocalQuantumJob

job = LocalQuantumJob.create(
    device="local:braket/braket_sv",
    source_module="qaoa",
    entry_point="qaoa.qaoa_algorithm",
    hyperparameters={"n_nodes": 4, "shots": 200},
)
print(job)
print("result:", job.result())
