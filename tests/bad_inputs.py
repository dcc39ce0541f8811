"""The bad-input corpus: each case a project, a command line, and the one message it must produce."""

from __future__ import annotations

import attrs

ROLE = "arn:aws:iam::111122223333:role/service-role/AmazonBraketJobsExecutionRole"
GOOD = f'''[tool.braketkit]
device = "sv1"
region = "us-east-1"
role = "{ROLE}"
'''
TRAIN = '''from braketkit import hybrid_job

LEARNING_RATE = 0.1

@hybrid_job()
def train(steps: int = 10, layers: list[int] = [1], mode: str = "fast") -> dict:
    return {"steps": steps}
'''


@attrs.frozen
class Case:
    id: str
    pyproject: str | None
    argv: tuple[str, ...]
    message: str
    files: dict[str, str] = attrs.field(factory=dict)
    env: dict[str, str] = attrs.field(factory=dict)


PLAN = ("plan", "train.py:train")
FORTE = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"
LIMIT = "arn:aws:braket:us-east-1:123456789012:spending-limit/0b1e2c3d"
METRICS_JOB = {  # a local job's folder as a run leaves it: its record and the lines log_metric printed
    ".braketkit/jobs/demo/job.json": '{"name": "demo", "state": "COMPLETED", "device": "local:braket/braket_sv", "entry": "train:train", "started_at": "2026-11-27T10:00:00+00:00"}',
    ".braketkit/jobs/demo/log.txt": "Metrics - timestamp=100.0; cost=0.5; iteration_number=0;\nMetrics - timestamp=100.5; energy=-1.5; iteration_number=0;\n",
}
RERUN_JOB = {  # a local job's folder from before braketkit recorded provenance: no archive digest to rerun it from
    ".braketkit/jobs/demo/job.json": '{"name": "demo", "state": "FAILED", "device": "local:braket/braket_sv", "entry": "train:train", "started_at": "2026-11-27T10:00:00+00:00"}',
    ".braketkit/jobs/demo/input/config/hyperparameters.json": '{"braketkit_entry": "train:train", "braketkit_args": "steps", "steps": "3"}',
}

CASES = [
    Case("invalid-toml", "[tool.braketkit]\ndevice = sv1\n", PLAN, 'error: pyproject.toml:5:10: invalid TOML: Invalid value\n'),
    Case("unknown-key", GOOD + "devcie = 'dm1'\n", PLAN, "error: pyproject.toml:8: devcie: unknown setting; did you mean 'device'?\n"),
    Case("unknown-table-key", GOOD + "[tool.braketkit.instance]\ncont = 2\n", PLAN, "error: pyproject.toml:8: instance.cont: unknown setting; did you mean 'instance.count'?\n"),
    Case("unknown-table", GOOD + "[tool.braketkit.instances]\ncount = 2\n", PLAN, "error: pyproject.toml:8: instances: unknown setting; did you mean 'instance'?\n"),
    Case("count-as-string", GOOD + "[tool.braketkit.instance]\ncount = '2'\n", PLAN, "error: pyproject.toml:9: instance.count: expected an integer, got a string ('2')\n"),
    Case("wait-as-string", GOOD + "wait = 'yes'\n", PLAN, "error: pyproject.toml:8: wait: expected true or false, got a string ('yes')\n"),
    Case("tags-not-a-table", GOOD + "tags = 'qml'\n", PLAN, "error: pyproject.toml:8: tags: expected a table of strings, got a string ('qml')\n"),
    Case("include-not-a-list", GOOD + "include = 'data/*.csv'\n", PLAN, "error: pyproject.toml:8: include: expected a list of strings, got a string ('data/*.csv')\n"),
    Case("hyperparameter-table", GOOD + "hyperparameters = { opt = { name = 'adam' } }\n", PLAN, 'error: pyproject.toml:8: hyperparameters.opt: expected a string, number or boolean, got a table\n'),
    Case("instance-wrong-type", GOOD + "instance = 4\n", PLAN, 'error: pyproject.toml:8: instance: expected a table with type, count, volume_gb (or a string: the instance type), got an integer (4)\n'),
    Case("unknown-profile", GOOD + "[tool.braketkit.profiles.qpu]\ndevice = 'dm1'\n", (*PLAN, "--profile", "gpu"), "error: --profile: profile: no profile 'gpu' in pyproject.toml; profiles defined: qpu\n"),
    Case("profile-from-env", GOOD, PLAN, "error: env BRAKETKIT_PROFILE: profile: no profile 'gpu' in pyproject.toml; profiles defined: none\n", env={"BRAKETKIT_PROFILE": "gpu"}),
    Case("profile-without-pyproject", None, (*PLAN, "--profile", "qpu"), "error: 2 problems:\n  - --profile: profile: no pyproject.toml at or above {root} to define it\n  - device: no device: set device = \"sv1\" (or another alias or ARN) in [tool.braketkit], @hybrid_job(device=...) or --set device=...\n"),
    Case("unknown-device", GOOD.replace('"sv1"', '"sv2"'), PLAN, "error: pyproject.toml:5: device: unknown device 'sv2'; expected an alias (dm1, local, sv1, tn1), a device ARN, or local:<provider>/<name>\n"),
    Case("bad-device-alias-target", GOOD + "[tool.braketkit.devices]\nmine = 'Forte-1'\n", PLAN, "error: pyproject.toml:9: devices.mine: 'Forte-1' names no device; an alias names a device ARN, local:<provider>/<name>, a built-in alias (dm1, local, sv1, tn1) or another alias that does\n"),
    Case("unknown-image", GOOD + "image = 'jax'\n", PLAN, "error: pyproject.toml:8: image: unknown image 'jax'; expected base, pytorch, tensorflow, cudaq, or a full ECR image URI\n"),
    Case("bad-duration", GOOD + "[tool.braketkit.stopping]\nmax_runtime = '2 hours'\n", PLAN, 'error: pyproject.toml:9: stopping.max_runtime: expected a duration (whole seconds, or a string such as "2h" or "1h30m"), got a string (\'2 hours\')\n'),
    Case("runtime-over-limit", GOOD + "[tool.braketkit.stopping]\nmax_runtime = '6d'\n", PLAN, 'error: pyproject.toml:9: stopping.max_runtime: must be at most 432000 (is 518400) (request member stoppingCondition.maxRuntimeInSeconds)\n'),
    Case("sweep-rate-zero", GOOD + "[tool.braketkit.sweep]\nrate = 0\n", PLAN, "error: pyproject.toml:9: sweep.rate: must be at least 0.001 (is 0.0)\n"),
    Case("sweep-burst-not-integer", GOOD + "[tool.braketkit.sweep]\nburst = 2.5\n", PLAN, "error: pyproject.toml:9: sweep.burst: expected an integer, got a number (2.5)\n"),
    Case("sweep-poll-from-env", GOOD, PLAN, "error: env BRAKETKIT_SWEEP__POLL: sweep.poll: must be at least 0.01 (is -5.0)\n", env={"BRAKETKIT_SWEEP__POLL": "-5"}),
    Case("sweep-unknown-key", GOOD + "[tool.braketkit.sweep]\nrte = 2\n", PLAN, "error: pyproject.toml:8: sweep.rte: unknown setting; did you mean 'sweep.rate'?\n"),
    Case("zero-instances", GOOD + "[tool.braketkit.instance]\ncount = 0\n", PLAN, 'error: pyproject.toml:9: instance.count: must be at least 1 (is 0) (request member instanceConfig.instanceCount)\n'),
    Case("zero-volume", GOOD + "[tool.braketkit.instance]\nvolume_gb = 0\n", PLAN, 'error: pyproject.toml:9: instance.volume_gb: must be at least 1 (is 0) (request member instanceConfig.volumeSizeInGb)\n'),
    Case("instance-typo", GOOD + "instance = 'ml.m5.larg'\n", PLAN, "error: pyproject.toml:8: instance.type: 'ml.m5.larg' is not one of the 51 values the service accepts; did you mean ml.m5.large or ml.m5.xlarge or ml.m5.4xlarge? (`braketkit config schema` lists them) (request member instanceConfig.instanceType)\n"),
    Case("job-name-pattern", GOOD + "job_name = 'my_job'\n", PLAN, "error: pyproject.toml:8: job_name: 'my_job' does not match the pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,50} (request member jobName)\n"),
    Case("job-name-length", GOOD + f"job_name = '{'a' * 51}'\n", PLAN, 'error: pyproject.toml:8: job_name: must be 1 to 50 characters long (is 51) (request member jobName)\n'),
    Case("role-not-an-arn", GOOD.replace(ROLE, "AmazonBraketJobsExecutionRole"), PLAN, "error: pyproject.toml:7: role: 'AmazonBraketJobsExecutionRole' does not match the pattern arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+ (request member roleArn)\n"),
    Case("reservation-not-an-arn", GOOD + "reservation = 'rsv-123'\n", PLAN, "error: pyproject.toml:8: reservation: 'rsv-123' does not match the pattern arn:aws[a-z\\-]*:braket:[a-z0-9\\-]*:[0-9]{12}:.* (request member associations[0].arn)\n"),
    Case("region-mismatch", GOOD.replace('"sv1"', '"arn:aws:braket:eu-west-2::device/qpu/oqc/Lucy"'), PLAN, "error: pyproject.toml:6: region: the device arn:aws:braket:eu-west-2::device/qpu/oqc/Lucy is in eu-west-2, but region is us-east-1; jobs run in their device's region, so drop region or make them agree\n"),
    Case("image-not-in-region", GOOD.replace("us-east-1", "ap-southeast-2"), PLAN, "error: pyproject.toml:6: region: Braket's base image is not offered in ap-southeast-2; it is in us-east-1, us-west-1, us-west-2, eu-west-2, eu-north-1 (or set image to a full ECR image URI)\n"),
    Case("no-device", GOOD.replace('device = "sv1"\n', ""), PLAN, 'error: device: no device: set device = "sv1" (or another alias or ARN) in [tool.braketkit], @hybrid_job(device=...) or --set device=...\n'),
    Case("no-region", GOOD.replace('region = "us-east-1"\n', ""), PLAN, "error: region: no region: set region in [tool.braketkit], AWS_REGION, or an AWS profile's region (a QPU's device ARN names its own)\n"),
    Case("distribution-unknown", GOOD + "distribution = 'model_parallel'\n", PLAN, "error: pyproject.toml:8: distribution: expected one of 'data_parallel', got a string ('model_parallel')\n"),
    Case("result-format-unknown", GOOD + "result_format = 'pickle'\n", PLAN, "error: pyproject.toml:8: result_format: expected one of 'plaintext', 'pickled_v4', got a string ('pickle')\n"),
    Case("set-without-equals", GOOD, (*PLAN, "--set", "device"), 'error: --set: device: expected key=value, for example --set instance.count=2\n'),
    Case("set-unknown-key", GOOD, (*PLAN, "--set", "instance.typ=ml.c5.xlarge"), "error: --set instance.typ: instance.typ: unknown setting; did you mean 'instance.type'?\n"),
    Case("env-unknown-variable", GOOD, PLAN, 'error: env BRAKETKIT_DEVCE: unknown variable; did you mean BRAKETKIT_DEVICE?\n', env={"BRAKETKIT_DEVCE": "sv1"}),
    Case("env-wrong-type", GOOD, PLAN, "error: env BRAKETKIT_INSTANCE__COUNT: instance.count: expected an integer, got a string ('two')\n", env={"BRAKETKIT_INSTANCE__COUNT": "two"}),
    Case("ref-without-colon", GOOD, ("plan", "experiments.train"), 'error: experiments.train: expected path/to/file.py:function, package.module:function, or path/to/script.py\n'),
    Case("script-missing", GOOD, ("plan", "algorithm_script.py"), 'error: algorithm_script.py: no such file: algorithm_script.py\n'),
    Case("script-argument-no-dashes", GOOD, ("plan", "train.py", "--", "steps", "5"), "error: script arguments: expected --NAME VALUE, got 'steps'\n"),
    Case("script-argument-no-value", GOOD, ("plan", "train.py", "--", "--steps"), 'error: script arguments: --steps has no value; give it one (--steps VALUE)\n'),
    Case("script-argument-twice", GOOD, ("plan", "train.py", "--", "--steps", "5", "--steps=6"), 'error: script arguments: --steps is given twice\n'),
    Case("script-argument-value-is-a-flag", GOOD, ("plan", "train.py", "--", "--verbose", "--steps", "5"), 'error: script arguments: --verbose has no value; give it one (--verbose VALUE)\n'),
    Case("script-argument-before-dashes", GOOD, ("plan", "train.py", "--steps", "5"), "Usage: braketkit plan train.py [OPTIONS] [-- --NAME VALUE ...]\nTry 'braketkit plan train.py --help' for help.\n\nError: no such option --steps; a script's own arguments go after --: braketkit plan train.py -- --steps VALUE\n"),
    Case("script-argument-reserved", GOOD, ("plan", "train.py", "--", "--braketkit_entry", "x"), 'error: argument braketkit_entry: is a name braketkit\'s own hyperparameters use; pass it under another name\n'),
    Case("ref-missing-file", GOOD, ("plan", "trian.py:train"), 'error: trian.py:train: no such file: trian.py\n'),
    Case("ref-missing-module", GOOD, ("plan", "experiments.trian:train"), "error: experiments.trian:train: no module named 'experiments.trian' in the working directory\n"),
    Case("ref-missing-function", GOOD, ("plan", "train.py:trian"), "error: train.py:trian: train has no 'trian'; did you mean 'train'?\n"),
    Case("ref-not-a-function", GOOD, ("plan", "train.py:LEARNING_RATE"), 'error: train.py:LEARNING_RATE: LEARNING_RATE is a float, not a function\n'),
    Case("ref-module-raises", GOOD, ("plan", "broken.py:run"), 'error: broken.py:run: importing broken failed: RuntimeError: no GPU\n', files={"broken.py": "raise RuntimeError('no GPU')\n"}),
    Case("ref-calls-at-import", GOOD, ("run", "calls.py:train", "--local"), 'error: calls.py:7: train is called while calls is being imported, so the job, which imports it to find the function, would call it again; put the call under if __name__ == "__main__":\n', files={"calls.py": "from braketkit import hybrid_job\n\n@hybrid_job()\ndef train(steps=1):\n    return steps\n\ntrain.local(steps=2)\n"}),
    Case("entry-generator", GOOD, ("plan", "gen.py:steps"), 'error: entry: steps is a generator: what it yields is not a result the job can store; return a list instead\n', files={"gen.py": "def steps(n: int = 3):\n    yield from range(n)\n"}),
    Case("ref-missing-dependency", GOOD, ("plan", "needs.py:run"), "error: needs.py:run: importing needs failed: No module named 'qiskit_nature'; install it locally to plan or run the job here\n", files={"needs.py": "import qiskit_nature\n"}),
    Case("option-wrong-type", GOOD, (*PLAN, "--steps", "many"), "Usage: braketkit plan train.py:train [OPTIONS]\nTry 'braketkit plan train.py:train --help' for help.\n\nError: Invalid value for '--steps': 'many' is not a valid integer.\n"),
    Case("option-bad-json", GOOD, (*PLAN, "--layers", "[1, 2"), "Usage: braketkit plan train.py:train [OPTIONS]\nTry 'braketkit plan train.py:train --help' for help.\n\nError: Invalid value for '--layers': '[1, 2' is not JSON: Expecting ',' delimiter\n"),
    Case("option-json-wrong-shape", GOOD, (*PLAN, "--layers", '{"a": 1}'), 'Usage: braketkit plan train.py:train [OPTIONS]\nTry \'braketkit plan train.py:train --help\' for help.\n\nError: Invalid value for \'--layers\': \'{"a": 1}\' is not a list of integers (as JSON)\n'),
    Case("option-unknown", GOOD, (*PLAN, "--stpes", "3"), "Usage: braketkit plan train.py:train [OPTIONS]\nTry 'braketkit plan train.py:train --help' for help.\n\nError: No such option '--stpes'. (Did you mean one of: '--set', '--steps'?)\n"),
    Case("argument-too-long", GOOD, (*PLAN, "--layers", "[" + ",".join(["1000"] * 600) + "]"), 'error: argument layers: is 3001 characters as JSON, over the 2500 a hyperparameter may hold; pass it as input data instead ([tool.braketkit.input] name = "path") and read it in the job\n'),
    Case("argument-shadowed", GOOD + "hyperparameters = { steps = 5 }\n", (*PLAN, "--steps", "3"), 'error: pyproject.toml:8: hyperparameters.steps: is also the name of a call argument or a braketkit hyperparameter; rename it\n'),
    Case("hyperparameter-reserved", GOOD + "hyperparameters = { braketkit_entry = 'x:y' }\n", PLAN, 'error: pyproject.toml:8: hyperparameters.braketkit_entry: is also the name of a call argument or a braketkit hyperparameter; rename it\n'),
    Case("source-missing", GOOD + "source = 'src'\n", PLAN, 'error: pyproject.toml:8: source: no such folder: src\n'),
    Case("dependencies-missing", GOOD + "dependencies = 'requirements-job.txt'\n", PLAN, "error: pyproject.toml:8: dependencies: cannot read requirements file 'requirements-job.txt': No such file or directory\n"),
    Case("input-missing", GOOD + "[tool.braketkit.input]\ntrain = 'data/train'\n", PLAN, "error: pyproject.toml:9: input.train: no such file or folder: 'data/train'; expected a local path or an s3:// URI\n"),
    Case("input-bad-channel-name", GOOD + "[tool.braketkit.input]\n'my data' = 's3://bucket/data/'\n", PLAN, "error: pyproject.toml:9: input.my data: 'my data' does not match the pattern [A-Za-z0-9\\.\\-_]+ (request member inputDataConfig[0].channelName)\n"),
    Case("source-too-large", GOOD + "max_source_mb = 1\n", PLAN, "error: pyproject.toml:8: max_source_mb: the source tree holds 1.2 MB, over the limit of 1 MB; exclude what the job does not need, pass data as input channels, or raise the limit\nlargest files:\n          1.2 MB  blob.txt   (exclude = ['*.txt'])\n", files={"blob.txt": "x" * 1_200_000}),
    Case("run-missing-function", GOOD, ("run", "train.py:trian", "--local"), "error: train.py:trian: train has no 'trian'; did you mean 'train'?\n"),
    Case("run-option-wrong-type", GOOD, ("run", "train.py:train", "--local", "--steps", "x"), "Usage: braketkit run train.py:train [OPTIONS]\nTry 'braketkit run train.py:train --help' for help.\n\nError: Invalid value for '--steps': 'x' is not a valid integer.\n"),
    Case("run-bad-setting", GOOD + "[tool.braketkit.instance]\ncount = 0\n", ("run", "train.py:train", "--local"), "error: pyproject.toml:9: instance.count: must be at least 1 (is 0) (request member instanceConfig.instanceCount)\n"),
    Case("config-show-unknown-profile", GOOD, ("config", "show", "--profile", "qpu"), "error: --profile: profile: no profile 'qpu' in pyproject.toml; profiles defined: none\n"),
    Case("bucket-case-and-underscore", GOOD + "[tool.braketkit.s3]\nbucket = 'My_Bucket'\n", PLAN, "error: pyproject.toml:9: s3.bucket: 'My_Bucket' is not a valid S3 bucket name: it may hold only lowercase letters, digits, dots and hyphens (not 'B', 'M', '_'); did you mean 'my-bucket'?\n"),
    Case("bucket-too-short", GOOD + "[tool.braketkit.s3]\nbucket = 'ab'\n", PLAN, "error: pyproject.toml:9: s3.bucket: 'ab' is not a valid S3 bucket name: it must be 3 to 63 characters long (is 2)\n"),
    Case("bucket-leading-hyphen", GOOD + "[tool.braketkit.s3]\nbucket = '-x'\n", PLAN, "error: pyproject.toml:9: s3.bucket: '-x' is not a valid S3 bucket name: it must be 3 to 63 characters long (is 2); it must begin and end with a letter or digit\n"),
    Case("bucket-double-dot", GOOD + "[tool.braketkit.s3]\nbucket = 'a..b'\n", PLAN, "error: pyproject.toml:9: s3.bucket: 'a..b' is not a valid S3 bucket name: it must not hold two dots in a row; did you mean 'a.b'?\n"),
    Case("bucket-ip-address", GOOD + "[tool.braketkit.s3]\nbucket = '192.168.5.4'\n", PLAN, "error: pyproject.toml:9: s3.bucket: '192.168.5.4' is not a valid S3 bucket name: it must not be formatted as an IP address\n"),
    Case("bucket-too-long", GOOD + f"[tool.braketkit.s3]\nbucket = '{'b' * 64}'\n", PLAN, f"error: pyproject.toml:9: s3.bucket: '{'b' * 64}' is not a valid S3 bucket name: it must be 3 to 63 characters long (is 64)\n"),
    Case("bucket-space", GOOD + "[tool.braketkit.s3]\nbucket = 'my bucket'\n", PLAN, "error: pyproject.toml:9: s3.bucket: 'my bucket' is not a valid S3 bucket name: it may hold only lowercase letters, digits, dots and hyphens (not ' '); did you mean 'my-bucket'?\n"),
    Case("bucket-with-folder", GOOD + "[tool.braketkit.s3]\nbucket = 'my-bucket/jobs'\n", PLAN, "error: pyproject.toml:9: s3.bucket: 'my-bucket/jobs' holds '/', which no bucket name does; give the bucket's name alone, the folder as s3.prefix\n"),
    Case("bucket-as-uri", GOOD + "[tool.braketkit.s3]\nbucket = 's3://my-bucket'\n", PLAN, "error: pyproject.toml:9: s3.bucket: 's3://my-bucket' is a URI; give the bucket's name alone, and the folder as s3.prefix\n"),
    Case("bucket-reserved-prefix", GOOD + "[tool.braketkit.s3]\nbucket = 'xn--qml-data'\n", PLAN, "error: pyproject.toml:9: s3.bucket: 'xn--qml-data' is not a valid S3 bucket name: it must not begin with 'xn--' (reserved by S3)\n"),
    Case("bucket-reserved-suffix", GOOD + "[tool.braketkit.s3]\nbucket = 'qml-data-s3alias'\n", PLAN, "error: pyproject.toml:9: s3.bucket: 'qml-data-s3alias' is not a valid S3 bucket name: it must not end with '-s3alias' (reserved for access point aliases)\n"),
    Case("input-bucket-invalid", GOOD + "[tool.braketkit.input]\ntrain = 's3://My_Data/train/'\n", PLAN, "error: pyproject.toml:9: input.train: 's3://My_Data/train/' names the bucket 'My_Data', which is not a valid S3 bucket name: it may hold only lowercase letters, digits, dots and hyphens (not 'D', 'M', '_'); did you mean 'my-data'?\n"),
    Case("input-no-bucket", GOOD + "[tool.braketkit.input]\ntrain = 's3:///train/'\n", PLAN, "error: pyproject.toml:9: input.train: 's3:///train/' names no bucket; expected s3://bucket/key\n"),
    Case("kms-key-malformed", GOOD + "[tool.braketkit.s3]\nkms_key = 'my-key'\n", PLAN, "error: pyproject.toml:9: s3.kms_key: 'my-key' is not a KMS key; expected a key ID (1234abcd-12ab-34cd-56ef-1234567890ab, or mrk-... for a multi-Region key), a key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), an alias name (alias/NAME) or an alias ARN (arn:aws:kms:REGION:ACCOUNT:alias/NAME)\n"),
    Case("kms-key-arn-without-id", GOOD + "[tool.braketkit.s3]\nkms_key = 'arn:aws:kms:us-east-1:111122223333:key/my-key'\n", PLAN, "error: pyproject.toml:9: s3.kms_key: 'arn:aws:kms:us-east-1:111122223333:key/my-key' is not a KMS key; expected a key ID (1234abcd-12ab-34cd-56ef-1234567890ab, or mrk-... for a multi-Region key), a key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), an alias name (alias/NAME) or an alias ARN (arn:aws:kms:REGION:ACCOUNT:alias/NAME)\n"),
    Case("include-backslash", GOOD + "include = ['data\\train.csv']\n", PLAN, "error: pyproject.toml:8: include: 'data\\train.csv' holds a backslash, which escapes the next character in a pattern; folders are separated by '/': did you mean 'data/train.csv'?\n"),
    Case("exclude-unclosed-bracket", GOOD + "exclude = ['runs/[0-9*']\n", PLAN, "error: pyproject.toml:8: exclude: 'runs/[0-9*' has a '[' that is never closed, so it never matches; write '\\[' for the character itself\n"),
    Case("exclude-trailing-backslash", GOOD + "exclude = ['logs\\']\n", PLAN, "error: pyproject.toml:8: exclude: 'logs\\' ends in a backslash, which escapes nothing, so it never matches\n"),
    Case("exclude-reversed-range", GOOD + "exclude = ['run-[9-0].txt']\n", PLAN, "error: pyproject.toml:8: exclude: 'run-[9-0].txt' has an invalid set '[9-0]': bad character range 9-0\n"),
    Case("exclude-comment", GOOD + "exclude = ['#scratch']\n", PLAN, "error: pyproject.toml:8: exclude: '#scratch' starts with '#', which makes it a comment; write '\\#' for a name starting with '#'\n"),
    Case("dependencies-not-text", GOOD + "dependencies = 'weights.bin'\n", PLAN, "error: pyproject.toml:8: dependencies: the requirements file 'weights.bin' is not text; a requirements file lists packages, one a line\n", files={"weights.bin": "numpy\0\0\0"}),
    Case("dependencies-too-big", GOOD + "dependencies = 'huge.txt'\n", PLAN, "error: pyproject.toml:8: dependencies: the requirements file 'huge.txt' is over 1000 kB; a requirements file lists packages, one a line\n", files={"huge.txt": "numpy\n" * 200_001}),
    Case("dependencies-outside-project", GOOD + "dependencies = '../requirements.txt'\n", PLAN, "error: pyproject.toml:8: dependencies: '../requirements.txt' is outside the project ({root}); the requirements file must be inside it (or list the requirements themselves)\n"),
    Case("dependencies-absolute", GOOD + "dependencies = '/etc/hostname'\n", PLAN, "error: pyproject.toml:8: dependencies: '/etc/hostname' is outside the project ({root}); the requirements file must be inside it (or list the requirements themselves)\n"),
    Case("empty-hyperparameter-name", GOOD + "hyperparameters = { '' = 'x' }\n", PLAN, "error: pyproject.toml:8: hyperparameters: has an entry with an empty name; give every entry a name\n"),
    Case("empty-tag-name-set", GOOD, (*PLAN, "--set", 'tags={""="x"}'), "error: --set tags: tags: has an entry with an empty name; give every entry a name\n"),
    Case("empty-input-name-env", GOOD, PLAN, "error: env BRAKETKIT_INPUT__: input: has an entry with an empty name; give every entry a name\n", env={"BRAKETKIT_INPUT__": "data"}),
    Case("prefix-a-uri", GOOD + "[tool.braketkit.s3]\nprefix = 's3://bucket/jobs'\n", PLAN, "error: pyproject.toml:9: s3.prefix: 's3://bucket/jobs' is a URI; give the bucket as s3.bucket and the folder alone as s3.prefix\n"),
    Case("prefix-dot-dot", GOOD + "[tool.braketkit.s3]\nprefix = 'jobs/../other'\n", PLAN, "error: pyproject.toml:9: s3.prefix: 'jobs/../other' has an empty, '.', '..' or space-padded part; give a plain folder such as 'jobs/vqe'\n"),
    Case("typo-in-a-profile-not-chosen", GOOD + "\n[tool.braketkit.profiles.qpu]\ndevise = 'sv1'\n", PLAN, "error: pyproject.toml:10 (profile qpu): devise: unknown setting; did you mean 'device'?\n"),
    Case("one-report", GOOD + 'devcie = "dm1"\n\n[tool.braketkit.tags]\n"aws:team" = "qml"\n', PLAN, "error: 2 problems:\n  - pyproject.toml:8: devcie: unknown setting; did you mean 'device'?\n  - pyproject.toml:11: tags.aws:team: name must not start with 'aws:' (in any case): AWS keeps such names for its own\n"),
    Case("near-miss-table", GOOD.replace("[tool.braketkit]", "[tool.braketkt]"), PLAN, "error: 2 problems:\n  - pyproject.toml:4: tool.braketkt: unknown table; did you mean [tool.braketkit]?\n  - device: no device: set device = \"sv1\" (or another alias or ARN) in [tool.braketkit], @hybrid_job(device=...) or --set device=...\n"),
    Case("near-miss-subtable", GOOD + "[tool.brakekit.instance]\ncount = 2\n", PLAN, "error: pyproject.toml:8: tool.brakekit: unknown table; did you mean [tool.braketkit]?\n"),
    Case("type-error-and-unknown-device", GOOD.replace('"sv1"', '"sv2"') + "[tool.braketkit.instance]\ncount = '2'\n", PLAN, "error: 2 problems:\n  - pyproject.toml:9: instance.count: expected an integer, got a string ('2')\n  - pyproject.toml:5: device: unknown device 'sv2'; expected an alias (dm1, local, sv1, tn1), a device ARN, or local:<provider>/<name>\n"),
    Case("tag-reserved-prefix", GOOD + "tags = { 'aws:team' = 'qml' }\n", PLAN, "error: pyproject.toml:8: tags.aws:team: name must not start with 'aws:' (in any case): AWS keeps such names for its own\n"),
    Case("tag-key-too-long", GOOD, (*PLAN, "--set", f"tags.{'k' * 129}=qml"), f"error: --set tags.{'k' * 129}: tags.{'k' * 129}: name must be 1 to 128 characters long (is 129)\n"),
    Case("tag-value-too-long", GOOD + f"tags = {{ team = '{'q' * 257}' }}\n", PLAN, "error: pyproject.toml:8: tags.team: must be at most 256 characters long (is 257)\n"),
    Case("too-many-tags", GOOD + "tags = { " + ", ".join(f"t{i} = 'x'" for i in range(51)) + " }\n", PLAN, "error: pyproject.toml:8: tags: has 51 tags; a job carries at most 50, and braketkit keeps 9 of them for its own (provenance, sweep, rerun: docs/reproducibility.md), so give at most 41\n"),
    Case("more-tags-than-braketkit-leaves", GOOD + "tags = { " + ", ".join(f"t{i} = 'x'" for i in range(42)) + " }\n", PLAN, "error: pyproject.toml:8: tags: has 42 tags; a job carries at most 50, and braketkit keeps 9 of them for its own (provenance, sweep, rerun: docs/reproducibility.md), so give at most 41\n"),
    Case("tag-of-braketkit", GOOD + "tags = { 'braketkit:git-commit' = 'abc' }\n", PLAN, "error: pyproject.toml:8: tags.braketkit:git-commit: is a tag braketkit gives every job (its provenance); name yours otherwise\n"),
    Case("copy-from-job-neither", GOOD + "[tool.braketkit.checkpoint]\ncopy_from_job = 'my earlier run'\n", PLAN, "error: pyproject.toml:9: checkpoint.copy_from_job: 'my earlier run' is neither a job ARN (the pattern is arn:aws[a-z\\-]*:braket:[a-z0-9\\-]+:[0-9]{12}:job/.*) nor a job name (1 to 50 characters, the pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,50})\n"),
    Case("copy-from-job-bad-arn", GOOD + "[tool.braketkit.checkpoint]\ncopy_from_job = 'arn:aws:braket:us-east-1:1111:job/vqe'\n", PLAN, "error: pyproject.toml:9: checkpoint.copy_from_job: 'arn:aws:braket:us-east-1:1111:job/vqe' is not a job ARN (the pattern is arn:aws[a-z\\-]*:braket:[a-z0-9\\-]+:[0-9]{12}:job/.*)\n"),
    Case("prefix-too-long-default-bucket", GOOD + f"[tool.braketkit.s3]\nprefix = '{'p' * 900}'\n", PLAN, "error: pyproject.toml:9: s3.prefix: makes request member algorithmSpecification.scriptModeConfig.s3Uri 1029 characters long with the default bucket of a 12-digit account, over the 1024 the service accepts; shorten it to at most 895 characters\n"),
    Case("plan-problems-together", GOOD.replace('"us-east-1"', '"ap-southeast-2"') + "job_name = 'my_job'\nhyperparameters = { steps = 3 }\n[tool.braketkit.checkpoint]\ncopy_from_job = 'my earlier run'\n", (*PLAN, "--steps", "4"), "error: 4 problems:\n  - pyproject.toml:6: region: Braket's base image is not offered in ap-southeast-2; it is in us-east-1, us-west-1, us-west-2, eu-west-2, eu-north-1 (or set image to a full ECR image URI)\n  - pyproject.toml:9: hyperparameters.steps: is also the name of a call argument or a braketkit hyperparameter; rename it\n  - pyproject.toml:8: job_name: 'my_job' does not match the pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,50} (request member jobName)\n  - pyproject.toml:11: checkpoint.copy_from_job: 'my earlier run' is neither a job ARN (the pattern is arn:aws[a-z\\-]*:braket:[a-z0-9\\-]+:[0-9]{12}:job/.*) nor a job name (1 to 50 characters, the pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,50})\n"),
    Case("config-show-bad-set", GOOD, ("config", "show", "--set", "instance.count=lots"), "error: --set instance.count: instance.count: expected an integer, got a string ('lots')\n"),
    Case("list-unknown-state", GOOD, ("list", "--state", "done"), "error: --state: 'done' is no job state; expected QUEUED, RUNNING, COMPLETED, FAILED, CANCELLING, CANCELLED (several: repeat --state, or separate them with commas)\n"),
    Case("list-unknown-states", GOOD, ("list", "--state", "running,finished", "--state", "Failed,err"), "error: --state: 'finished', 'err' are no job states; expected QUEUED, RUNNING, COMPLETED, FAILED, CANCELLING, CANCELLED (several: repeat --state, or separate them with commas)\n"),
    Case("list-empty-state", GOOD, ("list", "--state", ","), "error: --state: names no state; expected QUEUED, RUNNING, COMPLETED, FAILED, CANCELLING, CANCELLED (several: repeat --state, or separate them with commas)\n"),
    Case("list-since-a-word", GOOD, ("list", "--since", "yesterday"), "error: --since: 'yesterday' is neither a duration such as 7d, 12h, 30m or 1h30m (a bare number is seconds) nor a date or time such as 2026-06-01 or 2026-06-01T09:30 (this machine's local time unless it ends in Z or an offset such as +02:00)\n"),
    Case("list-since-too-long-ago", GOOD, ("list", "--since", "9999999999d"), "error: --since: '9999999999d' reaches back before the year 1\n"),
    Case("list-since-bad-date", GOOD, ("list", "--since", "2024-13-01"), "error: --since: '2024-13-01' is neither a duration such as 7d, 12h, 30m or 1h30m (a bare number is seconds) nor a date or time such as 2026-06-01 or 2026-06-01T09:30 (this machine's local time unless it ends in Z or an offset such as +02:00)\n"),
    Case("list-name-no-prefix", GOOD, ("list", "--name", "vqe_h2"), "error: --name: 'vqe_h2' is the start of no job name: a job name is 1 to 50 characters and matches the pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,50}\n"),
    Case("list-name-too-long", GOOD, ("list", "--name", "v" * 51), f"error: --name: '{'v' * 51}' is the start of no job name: a job name is 1 to 50 characters and matches the pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){{0,50}}\n"),
    Case("list-name-empty", GOOD, ("list", "--name", ""), "error: --name: is empty; give the start of a job name\n"),
    Case("list-unknown-device", GOOD + "[tool.braketkit.devices]\nforte = 'arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1'\n", ("list", "--device", "fortee"), "error: --device: unknown device 'fortee'; expected an alias (dm1, forte, local, sv1, tn1), a device ARN, or local:<provider>/<name>\n"),
    Case("list-device-too-long", GOOD, ("list", "--device", "arn:aws:braket:us-east-1::device/qpu/ionq/" + "x" * 220), "error: --device: must be 1 to 256 characters long (is 262)\n"),
    Case("list-limit-zero", GOOD, ("list", "--limit", "0"), "Usage: braketkit list [OPTIONS]\nTry 'braketkit list --help' for help.\n\nError: Invalid value for '--limit': 0 is not in the range x>=1.\n"),
    Case("list-sweep-empty", GOOD, ("list", "--sweep", ""), "error: --sweep: is empty; give a sweep's id: the value of its jobs' braketkit:sweep tag, at most 256 characters\n"),
    Case("list-sweep-too-long", GOOD, ("list", "--sweep", "s" * 257), "error: --sweep: is 257 characters long; a sweep's id is the value of its jobs' braketkit:sweep tag, at most 256 characters\n"),
    Case("list-local-with-region", GOOD, ("list", "--local", "--region", "us-east-1"), "error: --region: local jobs have no region; leave --region out with --local\n"),
    Case("list-problems-together", GOOD, ("list", "--state", "ok", "--since", "last week", "--name", "-x"), "error: 3 problems:\n  - --state: 'ok' is no job state; expected QUEUED, RUNNING, COMPLETED, FAILED, CANCELLING, CANCELLED (several: repeat --state, or separate them with commas)\n  - --since: 'last week' is neither a duration such as 7d, 12h, 30m or 1h30m (a bare number is seconds) nor a date or time such as 2026-06-01 or 2026-06-01T09:30 (this machine's local time unless it ends in Z or an offset such as +02:00)\n  - --name: '-x' is the start of no job name: a job name is 1 to 50 characters and matches the pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,50}\n"),
    Case("clean-bad-duration", GOOD, ("clean", "--older-than", "7 days"), "error: --older-than: '7 days' is not a duration such as 7d, 12h, 30m or 1h30m (a bare number is seconds)\n"),
    Case("clean-duration-too-long", GOOD, ("clean", "--older-than", "99999999999d"), "error: --older-than: '99999999999d' reaches back before the year 1\n"),
    Case("clean-without-age", GOOD, ("clean", "--dry-run"), "Usage: braketkit clean [OPTIONS]\nTry 'braketkit clean --help' for help.\n\nError: Missing option '--older-than'.\n"),
    Case("limits-negative-amount", GOOD, ("limits", "set", FORTE, "-5"), "error: AMOUNT: '-5' is negative; a spending limit is an amount of US dollars, 0 or more\n"),
    Case("limits-three-decimals", GOOD, ("limits", "set", FORTE, "10.005"), "error: AMOUNT: '10.005' has 3 decimals; amounts are US dollars to the cent, with at most 2\n"),
    Case("limits-amount-with-unit", GOOD, ("limits", "set", FORTE, "$100"), "error: AMOUNT: '$100' is not an amount: write US dollars as digits with at most 2 decimals and no sign or unit, such as 100 or 99.50 (the service's pattern is \\d+(\\.\\d{1,2})?)\n"),
    Case("limits-bad-date", GOOD, ("limits", "set", FORTE, "100", "--until", "2090-13-01"), "error: --until: '2090-13-01' is not a date or time such as 2026-06-01 or 2026-06-01T09:30 (this machine's local time unless it ends in Z or an offset such as +02:00)\n"),
    Case("limits-until-before-from", GOOD, ("limits", "set", FORTE, "100", "--from", "2090-06-01", "--until", "2090-05-01"), "error: --until: the period would end at 2090-05-02 00:00 UTC (the end of 2090-05-01), not after it starts, at 2090-06-01 00:00 UTC\n"),
    Case("limits-from-without-until", GOOD, ("limits", "set", FORTE, "100", "--from", "2090-06-01"), "error: --from: a new limit's period needs an end: give --until as well (or neither, for a limit with no period)\n"),
    Case("limits-until-passed", GOOD, ("limits", "set", FORTE, "100", "--until", "2020-01-01"), "error: --until: the period would end at 2020-01-02 00:00 UTC (the end of 2020-01-01), which has passed, so the limit would never apply\n"),
    Case("limits-simulator", GOOD, ("limits", "set", "sv1", "100"), "error: DEVICE: sv1 (arn:aws:braket:::device/quantum-simulator/amazon/sv1) is a simulator; Amazon Braket takes spending limits for QPUs only (simulators do not support them)\n"),
    Case("limits-local-device", GOOD, ("limits", "set", "local", "100"), "error: DEVICE: local (local:braket/braket_sv) is a simulator; Amazon Braket takes spending limits for QPUs only (simulators do not support them)\n"),
    Case("limits-unknown-alias", GOOD, ("limits", "set", "forte", "100"), "error: DEVICE: unknown device 'forte'; expected a QPU's device ARN or an alias of one (a project names its own in [tool.braketkit.devices])\n"),
    Case("limits-alias-of-a-simulator", GOOD + f"[tool.braketkit.devices]\nforte = '{FORTE}'\nsim = 'arn:aws:braket:::device/quantum-simulator/amazon/dm1'\n", ("limits", "set", "sim", "100"), "error: DEVICE: sim (arn:aws:braket:::device/quantum-simulator/amazon/dm1) is a simulator; Amazon Braket takes spending limits for QPUs only (simulators do not support them)\n"),
    Case("limits-region-mismatch", GOOD, ("limits", "set", FORTE, "100", "--region", "eu-north-1"), f"error: --region: {FORTE} is in us-east-1, but --region is eu-north-1; a device's spending limits are in its own region, so leave --region out or make them agree\n"),
    Case("limits-update-nothing", GOOD, ("limits", "update", LIMIT), "error: LIMIT_OR_DEVICE: nothing to change: give AMOUNT, --from or --until\n"),
    Case("limits-update-bad-arn", GOOD, ("limits", "update", "arn:aws:braket:us-east-1:123:spending-limit/x", "5"), "error: LIMIT_OR_DEVICE: 'arn:aws:braket:us-east-1:123:spending-limit/x' is not a spending limit's ARN (the pattern is arn:aws[a-z\\-]*:braket:[a-z0-9\\-]+:[0-9]{12}:spending-limit/.*)\n"),
    Case("limits-update-until-before-from", GOOD, ("limits", "update", LIMIT, "--from", "2090-01-01", "--until", "2089-12-31"), "error: --until: the period would end at 2090-01-01 00:00 UTC (the end of 2089-12-31), not after it starts, at 2090-01-01 00:00 UTC\n"),
    Case("limits-delete-simulator", GOOD, ("limits", "delete", "sv1"), "error: LIMIT_OR_DEVICE: sv1 (arn:aws:braket:::device/quantum-simulator/amazon/sv1) is a simulator; Amazon Braket takes spending limits for QPUs only (simulators do not support them)\n"),
    Case("limits-list-unknown-device", GOOD, ("limits", "--device", "forte"), "error: --device: unknown device 'forte'; expected a QPU's device ARN or an alias of one (a project names its own in [tool.braketkit.devices])\n"),
    Case("limits-problems-together", GOOD, ("limits", "set", "sv1", "-1", "--from", "yesterday", "--until", "2090-02-30"), "error: 4 problems:\n  - DEVICE: sv1 (arn:aws:braket:::device/quantum-simulator/amazon/sv1) is a simulator; Amazon Braket takes spending limits for QPUs only (simulators do not support them)\n  - AMOUNT: '-1' is negative; a spending limit is an amount of US dollars, 0 or more\n  - --from: 'yesterday' is not a date or time such as 2026-06-01 or 2026-06-01T09:30 (this machine's local time unless it ends in Z or an offset such as +02:00)\n  - --until: '2090-02-30' is not a date or time such as 2026-06-01 or 2026-06-01T09:30 (this machine's local time unless it ends in Z or an offset such as +02:00)\n"),
    Case("metrics-unknown-metric", GOOD, ("metrics", "demo", "--metric", "cots"), "error: --metric: no metric 'cots' in job demo; did you mean 'cost'? (it logged: cost, energy)\n", files=METRICS_JOB),
    Case("metrics-unknown-metrics-of-two-jobs", GOOD, ("metrics", "demo", ".braketkit/jobs/demo2", "--metric", "loss", "--metric", "energy", "--metric", "enrgy"), "error: 2 problems:\n  - --metric: no metric 'loss' in jobs demo, demo2 (they logged: cost, energy)\n  - --metric: no metric 'enrgy' in jobs demo, demo2; did you mean 'energy'? (they logged: cost, energy)\n", files={**METRICS_JOB, **{path.replace("/demo/", "/demo2/"): text.replace('"demo"', '"demo2"') for path, text in METRICS_JOB.items()}}),
    Case("metrics-json-and-csv", GOOD, ("metrics", "demo", "--json", "--csv"), "error: --json, --csv: give one of them: each prints every job's metrics\n"),
    Case("metrics-follow-csv", GOOD, ("metrics", "demo", "--follow", "--csv"), "error: --follow: redraws a text table until the jobs end; --csv prints once, so leave out --follow (or run it again once the jobs have ended)\n"),
    Case("metrics-plot-suffix", GOOD, ("metrics", "arn:aws:braket:us-east-1:111122223333:job/demo", "--plot", "metrics.gif"), "error: --plot: 'metrics.gif' is no .png, .svg or .pdf file; the suffix picks the format\n"),
    Case("metrics-plot-no-suffix", GOOD, ("metrics", "demo", "--plot", "metrics"), "error: --plot: 'metrics' is no .png, .svg or .pdf file; the suffix picks the format\n"),
    Case("metrics-plot-no-folder", GOOD, ("metrics", "demo", "--plot", "plots/metrics.png"), "error: --plot: no folder 'plots' to write metrics.png into; create it first\n"),
    Case("metrics-by-unknown", GOOD, ("metrics", "demo", "--by", "epoch"), "Usage: braketkit metrics [OPTIONS] JOB...\nTry 'braketkit metrics --help' for help.\n\nError: Invalid value for '--by': 'epoch' is not one of 'iteration', 'time'.\n"),
    Case("metrics-no-job", GOOD, ("metrics", "--json"), "error: JOB: give the jobs to show (one or more JOB), or --sweep ID\n"),
    Case("metrics-sweep-empty", GOOD, ("metrics", "--sweep", " "), "error: --sweep: is empty; give a sweep's id: the value of its jobs' braketkit:sweep tag, at most 256 characters\n"),
    Case("show-unknown-local-job", GOOD, ("show", ".braketkit/jobs/gone"), "error: JOB: no local job '.braketkit/jobs/gone' in {root}/.braketkit/jobs, and '.braketkit/jobs/gone' is neither a job ARN (the pattern is arn:aws[a-z\\-]*:braket:[a-z0-9\\-]+:[0-9]{12}:job/.*) nor a job name (1 to 50 characters, the pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,50})\n"),
    Case("show-not-a-job-name", GOOD, ("show", "my job"), "error: JOB: no local job 'my job' in {root}/.braketkit/jobs, and 'my job' is neither a job ARN (the pattern is arn:aws[a-z\\-]*:braket:[a-z0-9\\-]+:[0-9]{12}:job/.*) nor a job name (1 to 50 characters, the pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,50})\n"),
    Case("show-not-a-job-arn", GOOD, ("show", "arn:aws:braket:us-east-1:1234:job/demo"), "error: JOB: no local job 'arn:aws:braket:us-east-1:1234:job/demo' in {root}/.braketkit/jobs, and 'arn:aws:braket:us-east-1:1234:job/demo' is not a job ARN (the pattern is arn:aws[a-z\\-]*:braket:[a-z0-9\\-]+:[0-9]{12}:job/.*)\n"),
    Case("show-damaged-local-record", GOOD, ("show", "demo", "--json"), "error: JOB: local job 'demo': its job.json cannot be read (JSONDecodeError: Expecting ',' delimiter: line 1 column 17 (char 16))\n", files={".braketkit/jobs/demo/job.json": '{"name": "demo" "state": "COMPLETED"}'}),
    Case("show-source-and-json", GOOD, ("show", "demo", "--source", "out", "--json"), "error: --source: extracts the job's source; --json shows the job: give one of them\n"),
    Case("diff-one-job", GOOD, ("diff", "demo"), "Usage: braketkit diff [OPTIONS] JOB1 JOB2\nTry 'braketkit diff --help' for help.\n\nError: Missing argument 'JOB2'.\n", files=METRICS_JOB),
    Case("diff-unknown-second-job", GOOD, ("diff", "demo", "my_run"), "error: JOB2: no local job 'my_run' in {root}/.braketkit/jobs, and 'my_run' is neither a job ARN (the pattern is arn:aws[a-z\\-]*:braket:[a-z0-9\\-]+:[0-9]{12}:job/.*) nor a job name (1 to 50 characters, the pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,50})\n", files=METRICS_JOB),
    Case("diff-damaged-first-job", GOOD, ("diff", "demo", "demo2"), "error: JOB1: local job 'demo': its job.json cannot be read (TypeError: expected str, got int)\n", files={".braketkit/jobs/demo/job.json": '{"name": "demo", "state": 3, "device": "local:braket/braket_sv", "entry": "train:train", "started_at": "2026-11-27T10:00:00+00:00"}', **{path.replace("/demo/", "/demo2/"): text.replace('"demo"', '"demo2"') for path, text in METRICS_JOB.items()}}),
    Case("region-not-a-name", GOOD.replace('"us-east-1"', '"US East"'), PLAN, "error: pyproject.toml:6: region: 'US East' is not a region name: AWS names a region with letters, digits and hyphens (at most 63, not all digits, no hyphen at either end), such as us-east-1; did you mean 'us-east-1'?\n"),
    Case("region-underscores-from-set", GOOD, (*PLAN, "--set", "region=eu_west_2"), "error: --set region: region: 'eu_west_2' is not a region name: AWS names a region with letters, digits and hyphens (at most 63, not all digits, no hyphen at either end), such as us-east-1; did you mean 'eu-west-2'?\n"),
    Case("device-names-a-broken-alias", GOOD.replace('"sv1"', '"mine"') + "[tool.braketkit.devices]\nmine = 'Forte-1'\n", PLAN, "error: pyproject.toml:9: devices.mine: 'Forte-1' names no device; an alias names a device ARN, local:<provider>/<name>, a built-in alias (dm1, local, sv1, tn1) or another alias that does\n"),
    Case("device-aliases-in-a-loop", GOOD.replace('"sv1"', '"a"') + "[tool.braketkit.devices]\na = 'b'\nb = 'a'\n", PLAN, "error: 2 problems:\n  - pyproject.toml:9: devices.a: 'b' names no device (the aliases lead back to each other); an alias names a device ARN, local:<provider>/<name>, a built-in alias (dm1, local, sv1, tn1) or another alias that does\n  - pyproject.toml:10: devices.b: 'a' names no device (the aliases lead back to each other); an alias names a device ARN, local:<provider>/<name>, a built-in alias (dm1, local, sv1, tn1) or another alias that does\n"),
    Case("unknown-device-not-a-broken-alias", GOOD.replace('"sv1"', '"forte"') + "[tool.braketkit.devices]\nmine = 'Forte-1'\nqpu = 'arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1'\n", PLAN, "error: 2 problems:\n  - pyproject.toml:9: devices.mine: 'Forte-1' names no device; an alias names a device ARN, local:<provider>/<name>, a built-in alias (dm1, local, sv1, tn1) or another alias that does\n  - pyproject.toml:5: device: unknown device 'forte'; expected an alias (dm1, local, qpu, sv1, tn1), a device ARN, or local:<provider>/<name>\n"),
    Case("device-misspelt-alone", GOOD.replace('device = "sv1"', "devcie = 'sv1'"), PLAN, "error: pyproject.toml:5: devcie: unknown setting; did you mean 'device'?\n"),
    Case("sweep-rate-nan", GOOD + "[tool.braketkit.sweep]\nrate = nan\n", PLAN, "error: pyproject.toml:9: sweep.rate: must be a finite number (is nan)\n"),
    Case("sweep-poll-inf", GOOD + "[tool.braketkit.sweep]\npoll = inf\n", PLAN, "error: pyproject.toml:9: sweep.poll: must be a finite number (is inf)\n"),
    Case("sweep-rate-tiny", GOOD + "[tool.braketkit.sweep]\nrate = 1e-320\n", PLAN, "error: pyproject.toml:9: sweep.rate: must be at least 0.001 (is 1e-320)\n"),
    Case("sweep-poll-nan-from-env", GOOD, PLAN, "error: env BRAKETKIT_SWEEP__POLL: sweep.poll: must be a finite number (is nan)\n", env={"BRAKETKIT_SWEEP__POLL": "nan"}),
    Case("sweep-burst-huge", GOOD + "[tool.braketkit.sweep]\nburst = 1000000\n", PLAN, "error: pyproject.toml:9: sweep.burst: must be at most 10000 (is 1000000)\n"),
    Case("count-over-the-wire", GOOD + "[tool.braketkit.instance]\ncount = 1099511627776\n", PLAN, "error: pyproject.toml:9: instance.count: must be at most 2147483647 (is 1099511627776) (request member instanceConfig.instanceCount)\n"),
    Case("count-5000-digits", GOOD, (*PLAN, "--set", "instance.count=" + "1" * 5000), "error: --set instance.count: instance.count: expected an integer, got a string ('" + "1" * 65 + "..." + "1" * 15 + "' (5000 characters))\n"),
    Case("argument-5000-digits", GOOD, (*PLAN, "--steps", "1" * 5000), "Usage: braketkit plan train.py:train [OPTIONS]\nTry 'braketkit plan train.py:train --help' for help.\n\nError: Invalid value for '--steps': '" + "1" * 65 + "..." + "1" * 15 + "' (5000 characters) is not a valid integer.\n"),
    Case("hyperparameters-not-a-table", GOOD + "hyperparameters = 3\n", PLAN, "error: pyproject.toml:8: hyperparameters: expected a table of strings, numbers or booleans, got an integer (3)\n"),
    Case("input-scheme-upper-case", GOOD + "[tool.braketkit.input]\ntrain = 'S3://my-bucket/train'\n", PLAN, "error: pyproject.toml:9: input.train: 'S3://my-bucket/train' starts with 'S3://'; an S3 URI starts with s3:// (lower case, two slashes); did you mean 's3://my-bucket/train'?\n"),
    Case("input-space-before-uri", GOOD + "[tool.braketkit.input]\ntrain = ' s3://my-bucket/train'\n", PLAN, "error: pyproject.toml:9: input.train: ' s3://my-bucket/train' has a space at its start or end; did you mean 's3://my-bucket/train'?\n"),
    Case("input-space-after-uri", GOOD + "[tool.braketkit.input]\ntrain = 's3://my-bucket/train '\n", PLAN, "error: pyproject.toml:9: input.train: 's3://my-bucket/train ' has a space at its start or end; did you mean 's3://my-bucket/train'?\n"),
    Case("input-uri-with-query", GOOD + "[tool.braketkit.input]\ntrain = 's3://my-bucket/train.csv?versionId=1'\n", PLAN, "error: pyproject.toml:9: input.train: 's3://my-bucket/train.csv?versionId=1' holds '?': an S3 URI has no query (such as ?versionId=), and S3 would read it as part of the key; did you mean 's3://my-bucket/train.csv'?\n"),
    Case("input-one-slash-from-set", GOOD, (*PLAN, "--set", "input.train=s3:/my-bucket/train"), "error: --set input.train: input.train: 's3:/my-bucket/train' starts with 's3:/'; an S3 URI starts with s3:// (lower case, two slashes); did you mean 's3://my-bucket/train'?\n"),
    Case("bucket-as-upper-case-uri", GOOD + "[tool.braketkit.s3]\nbucket = 'S3://my-bucket/jobs'\n", PLAN, "error: pyproject.toml:9: s3.bucket: 'S3://my-bucket/jobs' is a URI; give the bucket's name alone, and the folder as s3.prefix\n"),
    Case("checkpoint-path-a-uri", GOOD + "[tool.braketkit.checkpoint]\nlocal_path = 's3://my-bucket/checkpoints'\n", PLAN, "error: pyproject.toml:9: checkpoint.local_path: 's3://my-bucket/checkpoints' is a URI; checkpoint.local_path is the folder inside the job that holds its checkpoints (such as /opt/jobs/checkpoints), which the service copies to S3 under s3.bucket and s3.prefix\n"),
    Case("run-raw-without-follow", GOOD, ("run", "train.py:train", "--raw"), "error: --raw: shows the followed log as it is; it goes with --follow\n"),
    Case("run-pdb-in-the-cloud", GOOD, ("run", "train.py:train", "--pdb"), "error: --pdb: debugs a job on this machine; add --local (a job in the cloud has no terminal to debug at)\n"),
    Case("rerun-source", GOOD, ("rerun", "train-1", "--set", "source=src"), "error: --set source: source: a rerun runs the job's own archive and inputs as they were, so it cannot change source; `braketkit run` (or calling the function) makes a new job with it changed. A rerun may change device, instance.*, stopping.max_runtime, role, reservation, image, tags.*, hyperparameters.*, job_name, s3.kms_key, checkpoint.local_path\n"),
    Case("rerun-input-and-region", GOOD, ("rerun", "train-1", "--set", "input.data=s3://b/data/", "--set", "region=us-west-2"), "error: 2 problems:\n  - --set input.data: input.data: a rerun runs the job's own archive and inputs as they were, so it cannot change input.data; `braketkit run` (or calling the function) makes a new job with it changed. A rerun may change device, instance.*, stopping.max_runtime, role, reservation, image, tags.*, hyperparameters.*, job_name, s3.kms_key, checkpoint.local_path\n  - --set region: region: a rerun runs the job's own archive and inputs as they were, so it cannot change region; `braketkit run` (or calling the function) makes a new job with it changed. A rerun may change device, instance.*, stopping.max_runtime, role, reservation, image, tags.*, hyperparameters.*, job_name, s3.kms_key, checkpoint.local_path\n"),
    Case("rerun-count-not-a-number", GOOD, ("rerun", "train-1", "--set", "instance.count=many"), "error: --set instance.count: instance.count: expected an integer, got a string ('many')\n"),
    Case("rerun-unknown-key", GOOD, ("rerun", "train-1", "--set", "instance.cont=2"), "error: --set instance.cont: instance.cont: unknown setting; did you mean 'instance.count'?\n"),
    Case("rerun-pdb-in-the-cloud", GOOD, ("rerun", "train-1", "--pdb"), "error: --pdb: debugs a job on this machine; add --local (a job in the cloud has no terminal to debug at)\n"),
    Case("rerun-pdb-dry-run-in-the-cloud", GOOD, ("rerun", "train-1", "--pdb", "--dry-run"), "error: --pdb: debugs a job on this machine; add --local (a job in the cloud has no terminal to debug at)\n"),
    Case("rerun-argument-without-value", GOOD, ("rerun", "train-1", "--steps"), "error: arguments: --steps has no value; give it one (--steps VALUE)\n"),
    Case("rerun-argument-twice", GOOD, ("rerun", "train-1", "--steps", "2", "--steps=3"), "error: arguments: --steps is given twice\n"),
    Case("rerun-raw-without-follow", GOOD, ("rerun", "train-1", "--raw"), "error: --raw: shows the followed log as it is; it goes with --follow\n"),
    Case("rerun-local-job-without-archive", GOOD, ("rerun", "demo"), "error: JOB: cannot rerun local job demo: it records no archive digest (a local job's archive is kept only there, and `braketkit clean --archives` may have removed it)\n", files=RERUN_JOB),
    Case("rerun-own-tag", GOOD, ("rerun", "demo", "--set", "tags.braketkit:rerun-of=x"), "error: --set tags.braketkit:rerun-of: tags.braketkit:rerun-of: is a tag braketkit gives jobs itself (provenance, sweeps, reruns); name yours otherwise\n", files=RERUN_JOB),
    Case("rerun-reserved-argument", GOOD, ("rerun", "demo", "--braketkit_entry", "os:getcwd"), "error: argument braketkit_entry: is a name braketkit's own hyperparameters use; pass it under another name\n", files=RERUN_JOB),
    Case("rerun-argument-as-hyperparameter", GOOD, ("rerun", "demo", "--set", "hyperparameters.steps=4"), "error: --set hyperparameters.steps: hyperparameters.steps: is an argument of the job's function; give it as --steps VALUE (train.rerun(job, steps=...))\n", files=RERUN_JOB),
]


SCRIPT_HEAD = '''import random
import numpy as np
from braketkit import hybrid_job

'''
SCRIPT_TAIL = '''

@hybrid_job()
def train(steps=1):
    return helper(steps)

train(steps=2)
'''


@attrs.frozen
class ScriptCase:
    """A researcher's script, run as ``python train.py``: a global the job cannot be given as source."""

    id: str
    body: str
    message: str


SCRIPT_CASES = [
    ScriptCase("unseeded-generator", "rng = random.Random()\n\ndef helper(steps):\n    return rng.random() * steps", "error: train.py:5: `rng = random.Random()` makes rng, which helper uses, with randomness without a seed (random.Random), which would draw otherwise in the job; give it a seed (seed=..., random_state=..., or a generator such as numpy.random.default_rng(1234)), or create rng inside train\n"),
    ScriptCase("aws-session", "import boto3\nSESSION = boto3.Session(region_name=\"us-east-1\")\n\ndef helper(steps):\n    return SESSION.region_name * steps", "error: train.py:6: `SESSION = boto3.Session(region_name=\"us-east-1\")` makes SESSION, which helper uses, by calling AWS (boto3.Session), which the job must not do again as it starts; create SESSION inside train\n"),
    ScriptCase("open-file", "LOG = open(__file__)\n\ndef helper(steps):\n    return LOG.read(steps)", "error: train.py:5: `LOG = open(__file__)` makes LOG, which helper uses, from __file__, which in the job is the generated module's; name the file by a path relative to the working directory, or create LOG inside train\n"),
    ScriptCase("closure", "def make(k):\n    def inner(x):\n        return x * k\n    return inner\n\nhelper = make(2)", "error: train.py:14: make.<locals>.inner is defined inside another function, so its source alone does not make it; define it at the top level or in a module\n"),
    ScriptCase("huge-literal", "exec(\"TABLE = list(range(20000))\")\n\ndef helper(steps):\n    return TABLE[steps]", "error: train.py:8: helper uses TABLE, a list that takes 128890 characters as source, over the 65536 braketkit writes into the job, and no statement this session ran binds it (exec and cell magics such as %%time hide theirs); pass it to train as an argument or as input data, create it inside train, or move it into a module\n"),
    ScriptCase("exec-made", 'exec("def helper(steps):\\n    return steps")', "error: train.py:9: braketkit cannot find the source of helper (Python keeps none for code read from a pipe, built with exec or type(), or run through a magic such as %time); define it in a file or a plain notebook cell\n"),
    ScriptCase("self-containing", "exec(\"LOOP = []\\nLOOP.append(LOOP)\")\n\ndef helper(steps):\n    return LOOP[0] * steps", "error: train.py:8: helper uses LOOP, whose [0] refers back to a container around it, which cannot be written as source for the job, and no statement this session ran binds it (exec and cell magics such as %%time hide theirs); pass it to train as an argument or as input data, create it inside train, or move it into a module\n"),
    ScriptCase("changes-a-value", "import collections\nEDGES = [(0, 1), (1, 2)]\nCOUNTS = collections.Counter([EDGES.pop()])\n\ndef helper(steps):\n    return COUNTS[steps] + len(EDGES)", "error: train.py:7: `COUNTS = collections.Counter([EDGES.pop()])` makes COUNTS, which helper uses, changing EDGES (EDGES.pop()), which braketkit writes as a value as it is now: the job would change it once more; copy it first (EDGES.copy()), or create COUNTS inside train\n"),
    ScriptCase("too-deep", "exec(\"DEEP = [0]\\nfor _ in range(60):\\n    DEEP = [DEEP]\")\n\ndef helper(steps):\n    return DEEP * steps", "error: train.py:8: helper uses DEEP, a list nested more than 50 deep, which cannot be written as source for the job, and no statement this session ran binds it (exec and cell magics such as %%time hide theirs); pass it to train as an argument or as input data, create it inside train, or move it into a module\n"),
    ScriptCase("element", "TABLE = {'seed': 1, 'rng': random.Random()}\n\ndef helper(steps):\n    return TABLE['rng'].random()", "error: train.py:5: `TABLE = {'seed': 1, 'rng': random.Random()}` makes TABLE, which helper uses, with randomness without a seed (random.Random), which would draw otherwise in the job; give it a seed (seed=..., random_state=..., or a generator such as numpy.random.default_rng(1234)), or create TABLE inside train\n"),
    ScriptCase("lambda-sharing-a-line", "helper = lambda steps: steps; OTHER = 1", "error: train.py:9: braketkit finds a lambda's source only as `name = lambda ...` on lines of its own; write helper as a def\n"),
    ScriptCase("two-at-once", "import boto3\nrng = random.Random()\nSESSION = boto3.Session(region_name=\"us-east-1\")\n\ndef helper(steps):\n    return rng.random() * SESSION.region_name", "error: 2 problems:\n  - train.py:7: `SESSION = boto3.Session(region_name=\"us-east-1\")` makes SESSION, which helper uses, by calling AWS (boto3.Session), which the job must not do again as it starts; create SESSION inside train\n  - train.py:6: `rng = random.Random()` makes rng, which helper uses, with randomness without a seed (random.Random), which would draw otherwise in the job; give it a seed (seed=..., random_state=..., or a generator such as numpy.random.default_rng(1234)), or create rng inside train\n"),
    ScriptCase("entry-in-a-function", "def helper(steps):\n    return steps\n\ndef build():\n    @hybrid_job()\n    def inner():\n        return 1\n    return inner\n\nbuild()()", "error: @hybrid_job in train.py:9: build.<locals>.inner is defined inside another function; the job needs it at the top level of a module, script or notebook cell\n"),
]
