"""Names shared by the planner (user side) and the runtime (job side).

The planner imports this file from the package; the job imports its copy in
the archive. It must stay standard-library only.
"""

ENTRY_POINT = "braketkit_runtime.entry:main"
ENTRY = "braketkit_entry"
"""Hyperparameter naming the user's function, ``module:qualname``, or a bare ``module`` run as a script."""
PATH = "braketkit_path"
"""Hyperparameter with the folder, relative to the archive root, that imports start from."""
ARGUMENTS = "braketkit_args"
"""Hyperparameter listing, comma-separated, the hyperparameters that are call arguments (JSON)."""
RESULT_FORMAT = "braketkit_result_format"
INPUT_LINKS = "braketkit_inputs"
"""Hyperparameter, JSON: a path relative to the code folder for each input channel declared by a relative path,
and where under the input folder its copy is (``{"data.npy": "data/data.npy"}``)."""
WORKING_DIR = "braketkit_cwd"
"""Hyperparameter: for a function from a notebook or script, the folder (relative to the code folder) it runs in,
as it ran in that folder on the user's machine."""
RESERVED = (ENTRY, PATH, ARGUMENTS, RESULT_FORMAT, INPUT_LINKS, WORKING_DIR)

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
