"""A Braket "script mode" job: no entry function, hyperparameters read with the Braket SDK.

    braketkit run algorithm_script.py --local -- --shots 300
"""

from braket.circuits import Circuit
from braket.devices import LocalSimulator
from braket.jobs import get_hyperparameters, save_job_result

shots = int(get_hyperparameters()["shots"])
counts = LocalSimulator().run(Circuit().h(0).cnot(0, 1), shots=shots).result().measurement_counts
print(f"{shots} shots: {dict(counts)}")
save_job_result({"shots": shots, "agree": (counts.get("00", 0) + counts.get("11", 0)) / shots})
