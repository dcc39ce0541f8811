"""Names shared by the planner (user side) and the runtime (job side).

The planner imports this file from the package; the job imports its copy in
the archive. It must stay standard-library only.
"""

JOB_MODULE = "braketkit_job"
"""The module at the archive's root that a function's job names as its entry point: ``braketkit_job:<function>``.
Braket's container imports it and calls ``<function>``, which is braketkit's runtime calling the user's function
(``entry.job_function``); the job's ``AMZN_BRAKET_SCRIPT_ENTRY_POINT`` ends with the function's name, as in a job of
the Braket SDK's decorator."""
RECORD_CHANNEL = "braketkit"
RECORD_FILE = "planned.json"
"""The planned record, in the input channel ``RECORD_CHANNEL``: ``$AMZN_BRAKET_INPUT_DIR/braketkit/planned.json``.
Its ``call`` member says how to call the function (``model.provenance.JobCall``)."""

FAILURE_FILE = "BRAKETKIT_FAILURE_FILE"
"""Environment variable a local run sets; the container's path is the default."""
DEFAULT_FAILURE_FILE = "/opt/ml/output/failure"
LOCAL_RUN = "BRAKETKIT_LOCAL_RUN"
"""Set (to "1") in local runs, where requirements.txt is not installed for the job."""
DEBUG = "BRAKETKIT_PDB"
"""Set (to "1") by a local run with ``--pdb``: the job's uncaught exception opens ``pdb.post_mortem`` at the
terminal before the failure is recorded. Only local runs set it; the cloud never does."""
RUNTIME_VARIABLES = (FAILURE_FILE, LOCAL_RUN, DEBUG)

RESULTS_FILE = "results.json"
RETURN_KEY = "result"
"""Where a return value that is not a dict of strings goes in the data dictionary."""
MARKER = "braketkit"
"""Top-level member of results.json (ignored by the Braket SDK) saying how to read it back."""
