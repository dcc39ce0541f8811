"""Secrets stay out of the source archive: credential stores by their names, tokens by their formats.

The hand-written cases below are the kinds an attack on braketkit 0.2 found shipped, most of them silently:
credential stores of the tools researchers use, laid out where those tools write them, with real-looking
content (every token is made up).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from braketkit.package import is_runtime_member
from braketkit.package.secrets import FORMATS, LONGEST, MIN_RUN, STORES, Finding, lines_in, scan

from .conftest import Project, run_cli
from .test_notebook import LOCAL, Session, session  # noqa: F401 (a fixture)
from .test_package import PLAN, SETTINGS, TRAIN, _tar_names

# -- What researchers' machines hold, as the tools write it ----------------------------------------------------

_NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "id": "intro", "metadata": {}, "source": ["# VQE on SV1\n"]},
        {"cell_type": "code", "execution_count": 1, "id": "setup", "metadata": {}, "outputs": [],
         "source": ["import numpy as np\n", "from braket.circuits import Circuit\n"]},
        {"cell_type": "code", "execution_count": 2, "id": "remote", "metadata": {},
         "outputs": [{"name": "stdout", "output_type": "stream", "text": [
             "origin\thttps://ghp_ElULtm4UAWTWqIpO0VFwAHUN9ntITvHeUX3n@github.com/qml-lab/vqe.git (fetch)\n",
             "origin\thttps://ghp_ElULtm4UAWTWqIpO0VFwAHUN9ntITvHeUX3n@github.com/qml-lab/vqe.git (push)\n"]}],
         "source": ["!git remote -v\n"]},
        {"cell_type": "code", "execution_count": 3, "id": "circuit", "metadata": {}, "outputs": [],
         "source": ["bell = Circuit().h(0).cnot(0, 1)\n"]},
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5,
}


@attrs.frozen
class Seeded:
    """A file as a tool writes it; ``found`` is what a plan must say of it (empty: it is left out, silently)."""

    path: str
    text: str | bytes
    found: tuple[str, ...] = ()
    """``file:line: what`` heads of the problems that stop the plan: the file is shipped unless they do."""


SILENT = {
    "qiskit-ibm-quantum-account": Seeded(".qiskit/qiskit-ibm.json", json.dumps({"default-ibm-quantum": {
        "channel": "ibm_quantum", "url": "https://auth.quantum-computing.ibm.com/api", "token":
        "8d57036cde5798be3cc9a77b7de996e18c68d4a9427e897c95fb0c243da628186d56f82e3384c377594c34adaa708c485864d"
        "6447803dd1f48beb9fe195cfbfb", "verify": True, "private_endpoint": False}}, indent=4)),
    "qiskit-legacy-qiskitrc": Seeded(".qiskit/qiskitrc", "[ibmq]\ntoken = 8d57036cde5798be3cc9a77b7de996e18c68d4a9"
                                                         "427e897c95fb0c243da628186d\nurl = https://auth.quantum-"
                                                         "computing.ibm.com/api\n"),
    "d-wave-leap-config": Seeded(".config/dwave/dwave.conf", "[defaults]\nendpoint = https://na-west-1.cloud.dwave"
                                                              "sys.com/sapi/v2/\n\n[prod]\nsolver = "
                                                              "Advantage_system4.1\ntoken = DEV-52865eea043d1922fe"
                                                              "67a9f916f79a8a148bb41b\n"),
    "terraform-cli-credentials": Seeded(".terraformrc", 'credentials "app.terraform.io" {\n  token = "b0xGMq0kVWg7'
                                                         'Mn.atlasv1.QuXfpBo0oAg16Ef9MFViXIlqp7i8W2lylRN9UTs8grg1FW'
                                                         'kpa2bTnMn1daoplbi9HcR"\n}\n'),
    "terraform-variables": Seeded("infra/terraform.tfvars", 'region = "us-east-1"\ndb_password = "Qu4ntum-'
                                                             'Lab-2024!"\n'),
    "terraform-state": Seeded("infra/terraform.tfstate", json.dumps({"version": 4, "resources": [{
        "type": "aws_iam_access_key", "instances": [{"attributes": {"secret": "4cvxxwykTfDWan4dYhSU1HVB+0tbr"
                                                                               "MIIV70GFukXd"}}]}]})),
    "cargo-registry-token": Seeded(".cargo/credentials.toml", '[registry]\ntoken = "cioAbCdEf0123456789AbCdEf01'
                                                                 '23456789"\n'),
    "maven-settings": Seeded(".m2/settings.xml", "<settings>\n  <servers>\n    <server>\n      <id>lab-nexus</id>"
                                                  "\n      <username>ada</username>\n      <password>Qu4ntum-Lab-"
                                                  "2024!</password>\n    </server>\n  </servers>\n</settings>\n"),
    "gradle-properties": Seeded("gradle.properties", "org.gradle.jvmargs=-Xmx2g\nossrhUsername=ada\nossrhPassword"
                                                      "=Qu4ntum-Lab-2024!\nsigning.password=hunter22\n"),
    "composer-auth": Seeded("auth.json", json.dumps({"http-basic": {"repo.packagist.com": {
        "username": "token", "password": "e267ff7b776e6b42ed62ee4b1c8cc95daac5bcff5614620b"}}})),
    "yarn-registry-token": Seeded(".yarnrc.yml", 'nodeLinker: node-modules\nnpmRegistries:\n  "//npm.pkg.lab.'
                                                  'example":\n    npmAuthToken: "e267ff7b776e6b42ed62ee4b1c8cc95da'
                                                  'ac5bcff5614620b"\n'),
    "github-cli-hosts": Seeded(".config/gh/hosts.yml", "github.com:\n    users:\n        ada:\n            "
                                                        "oauth_token: gho_SWUD7T13PjIn3AdXwOADhUViWuyvwYmuBAuK\n"
                                                        "    oauth_token: gho_SWUD7T13PjIn3AdXwOADhUViWuyvwYmuBAuK\n"
                                                        "    user: ada\n    git_protocol: https\n"),
    "hugging-face-token": Seeded(".cache/huggingface/token", "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"),
    "hugging-face-stored-tokens": Seeded(".cache/huggingface/stored_tokens", "[lab]\nhf_token = hf_BFNukcXhhxBOl"
                                                                             "GTgdQBbZrohuIKinKLgBg\n"),
    "jupyter-server-config": Seeded(".jupyter/jupyter_server_config.py", "c = get_config()  # noqa\nc.Server"
                                                                           "App.ip = '0.0.0.0'\nc.IdentityProvide"
                                                                           "r.token = 'e267ff7b776e6b42ed62ee4b1c8"
                                                                           "cc95daac5bcff5614620b'\n"),
    "jupyter-notebook-config": Seeded("jupyter_notebook_config.json", json.dumps({"NotebookApp": {
        "password": "argon2:$argon2id$v=19$m=10240,t=10,p=8$yVERzmBKWO232Zk5eVm9qg$ByyfwTxPKo7UyBTgVowTcV"}})),
    "python-keyring": Seeded(".local/share/python_keyring/keyring_pass.cfg", "[braket]\nibm-quantum = yVERzmBKWO"
                                                                              "232Zk5eVm9qgByyfwTxPKo7UyBTgVowTcV\n"),
    "gnome-keyring": Seeded(".local/share/keyrings/login.keyring", b"GnomeKeyring\n\r\x00\n\x00\x01\x00\x00"),
    "google-oauth-token": Seeded("token.json", json.dumps({
        "token": "ya29.a0qo0_Y_5Cf5jIoVUiP98J0WGocF2utybbIhnQuDEJjtfGTkVvnUGb35FesTIa6FU4hsARip6kkDaku7AzD80k1XIs",
        "refresh_token": "1//0gAK42ks91MIRltyke_BuukGZtPNPR-x4EX5kfe1KvAfnrAkxpnRcnD6y9zbNTXJdj5VO0z6tlKpuC",
        "client_id": "410274828403-b7k2sa0hk9mq0pmcb1bpe0ls7vq6hfa0.apps.googleusercontent.com",
        "client_secret": "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", "scopes": ["https://www.googleapis.com/auth/drive"]})),
    "google-oauth-client": Seeded("client_secrets.json", json.dumps({"installed": {
        "client_id": "410274828403-b7k2sa0hk9mq0pmcb1bpe0ls7vq6hfa0.apps.googleusercontent.com",
        "client_secret": "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", "redirect_uris": ["http://localhost"]}})),
    "google-credentials": Seeded("credentials.json", json.dumps({"type": "authorized_user",
                                                                "refresh_token": "1//0gAK42ks91MIRltyke_Buuk"})),
    "gcloud-credentials-db": Seeded(".config/gcloud/credentials.db", b"SQLite format 3\x00\x10\x00\x01\x01"
                                                                       b"refresh_token1//0gAK42ks91MIRltyke_Buuk"),
    "gcloud-access-tokens-db": Seeded(".config/gcloud/access_tokens.db", b"SQLite format 3\x00\x10\x00\x01\x01"
                                                                           b"ya29.a0qo0_Y_5Cf5jIoVUiP98J0WGocF2"),
    "databricks-config": Seeded(".databrickscfg", "[DEFAULT]\nhost = https://dbc-4f1e2a3b-9c8d.cloud.databricks"
                                                   ".com\ntoken = dapi0aa659e153f8c1d644b0ebd73aea0de6\n"),
    "rclone-config": Seeded(".config/rclone/rclone.conf", '[lab-drive]\ntype = drive\nscope = drive\ntoken = {"a'
                                                           'ccess_token":"ya29.a0qo0_Y_5Cf5jIoVUiP98J0WGocF2utybbIh'
                                                           'nQuDEJjtfGTkVvnUGb35F","token_type":"Bearer","expiry":"'
                                                           '2025-01-01T00:00:00Z"}\n'),
    "oci-config": Seeded(".oci/config", "[DEFAULT]\nuser=ocid1.user.oc1..aaaaaaaa4f1e2a3b9c8d\nfingerprint=20:3b:9"
                                         "7:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34\nkey_file=~/.oci/oci_api_key.pem"
                                         "\ntenancy=ocid1.tenancy.oc1..aaaaaaaa5b0dd337\nregion=us-ashburn-1\n"),
    "sentry-cli": Seeded(".sentryclirc", "[defaults]\norg = qml-lab\n\n[auth]\ntoken = sntryu_bd1b38fcfe61498d60d"
                                         "1819c4fdb123119b7220dc3e8472fadec3282eae5539c\n"),
    "password-store": Seeded(".password-store/aws/braket.gpg", b"\x85\x02\x0c\x03\xa1\xb2\xc3\xd4\x01\x0f\xfe"),
    "bash-history": Seeded(".bash_history", "cd ~/qml\naws configure\nmysql -u root -pQu4ntumLab lab\n"
                                            "export IBM_QUANTUM_TOKEN=8d57036cde5798be3cc9a77b7de996e1\n"),
    "zsh-history": Seeded(".zsh_history", ": 1700000000:0;huggingface-cli login --token hf_xyz\n"
                                          ": 1700000042:0;python train.py\n"),
    "python-history": Seeded(".python_history", "import os\nos.environ['BRAKET_TOKEN'] = 'Qu4ntumLab2024'\n"),
    "flask-environment": Seeded(".flaskenv", "FLASK_APP=dashboard.py\nFLASK_SECRET_KEY=e267ff7b776e6b42ed62ee4b"
                                             "1c8cc95daac5bcff5614620b\n"),
    "a-notebook-s-output-holds-a-github-token": Seeded(
        "analysis.ipynb", json.dumps(_NOTEBOOK, indent=1) + "\n",
        ("analysis.ipynb:32: holds a GitHub token (ghp_…) on lines 32 and 33, in the output of cell 3 (In [2])",)),
    "a-config-module-holds-a-github-token-and-a-live-stripe-key": Seeded(
        "lab/config.py", '"""Lab settings."""\n\nSHOTS = 1000\nGITHUB_TOKEN = "ghp_ElULtm4UAWTWqIpO0VFwAHUN9ntI'
                         'TvHeUX3n"\nSTRIPE_KEY = "sk_live_n53AoncVoWb3q2GuX9KZTANhUqHgFn5mY"\n',
        ("lab/config.py:4: holds a GitHub token (ghp_…) on line 4, and a Stripe live key (sk_live_…) on line 5",)),
}


def _lay_out(project: Project, seeded: Seeded) -> None:
    project.pyproject(SETTINGS.format(settings=""))
    project.write("train.py", TRAIN)
    path = project.root / seeded.path
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(seeded.text, bytes):
        path.write_bytes(seeded.text)
    else:
        path.write_text(seeded.text, encoding="utf-8")


@pytest.mark.parametrize("seeded", SILENT.values(), ids=SILENT.keys())
def test_what_researchers_machines_hold_is_not_shipped(seeded: Seeded, project: Project,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Each was shipped by braketkit 0.2, without a word but for the AWS key id."""
    _lay_out(project, seeded)
    code, out, err = run_cli(capsys, *PLAN, "--json")
    if seeded.found:
        assert code == 2 and out == ""
        heads = [line.removeprefix("error: ").removeprefix("  - ").split("; ", 1)[0] for line in err.splitlines()]
        assert [head for head in heads if head.startswith(seeded.path)] == list(seeded.found)
        anchored = seeded.path if "/" in seeded.path else f"/{seeded.path}"
        assert f"ship it on purpose with include = [{anchored!r}]" in err
        return
    assert (code, err) == (0, "")
    document = json.loads(out)
    shipped = [name for name in _tar_names(Path(document["uploads"][0]["path"])) if not is_runtime_member(name)]
    assert shipped == ["pyproject.toml", "train.py"]
    assert document["warnings"] == []


CAPTURED = '''
import sys
from braketkit import InvalidInput, hybrid_job

OPENAI_API_KEY = "sk-proj-ahrbldgO2NRNUnLnPmDl-EurUDOC1TZ0nzL3C3AMSi4nktzmWlwDRahvRaXoW_GAQcnMDJFJZdBvaGvJ584qQ"
SHOTS = 100

@hybrid_job()
def train() -> int:
    return len(OPENAI_API_KEY) + SHOTS

try:
    train.plan()
except InvalidInput as error:
    print(error)
    sys.exit(error.exit_status)
'''


def test_a_captured_global_holding_a_token_stops_the_plan(project: Project) -> None:
    """The notebook's global was written verbatim into the generated module, and shipped without a word. (The script
    holds it too: left out here, to see the module's own finding.)"""
    project.pyproject(SETTINGS.format(settings="exclude = ['script.py']\n"))
    project.write("script.py", CAPTURED)
    done = subprocess.run([sys.executable, "script.py"], cwd=project.root, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == (
        "script.py:4: OPENAI_API_KEY holds an OpenAI API key (sk-proj-…), which braketkit would write into the job's "
        "module (braketkit_main.py) as it is: have the job read it where it runs, or, to ship it on purpose, define "
        "it in a module of the project that the function uses it through (import lab_keys, then lab_keys.NAME) and "
        "name that module in include\n")
    assert "sk-proj-ahrb" not in done.stdout + done.stderr


# -- Every kind and format of the table ------------------------------------------------------------------------


def test_every_credential_store_of_the_table_is_left_out_unless_include_names_it(
        project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    paths = sorted({path for store in STORES for path in store.examples})
    for path in paths:
        (project.root / path).parent.mkdir(parents=True, exist_ok=True)
        (project.root / path).write_text("x\n")
    project.pyproject(SETTINGS.format(settings=""))
    project.write("train.py", TRAIN)
    code, out, err = run_cli(capsys, *PLAN, "--json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    shipped = [name for name in _tar_names(Path(document["uploads"][0]["path"])) if not is_runtime_member(name)]
    assert shipped == ["pyproject.toml", "train.py"]
    anchored = [path if "/" in path else f"/{path}" for path in paths]
    project.pyproject(SETTINGS.format(settings=f"include = {json.dumps(anchored)}\n"))
    code, out, err = run_cli(capsys, *PLAN, "--json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    shipped = [name for name in _tar_names(Path(document["uploads"][0]["path"])) if not is_runtime_member(name)]
    assert shipped == sorted([*paths, "pyproject.toml", "train.py"])
    (warning,) = document["warnings"]
    assert [path for path in paths if f"{path} (named like a secret)" not in warning] == []


def test_every_token_format_of_the_table_stops_the_plan(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """One file per format, the token on its second line, in an ordinary assignment."""
    for index, token in enumerate(FORMATS):
        project.write(f"found/f{index:02d}.py", f'"""Settings."""\nVALUE = "{token.example}"\n')
    project.pyproject(SETTINGS.format(settings=""))
    project.write("train.py", TRAIN)
    code, out, err = run_cli(capsys, *PLAN)
    assert (code, out) == (2, "")
    problems = [line.removeprefix("  - ") for line in err.splitlines()[1:]]
    assert err.splitlines()[0] == f"error: {len(FORMATS)} problems:"
    for index, (token, problem) in enumerate(zip(FORMATS, problems, strict=True)):
        assert problem.startswith(f"found/f{index:02d}.py:2: holds {token.name}"), problem
        assert problem.endswith(f"ship it on purpose with include = ['found/f{index:02d}.py']")


def test_each_format_finds_its_example_alone_wherever_it_stands() -> None:
    """In a file of its own, quoted, after `=` or `:`, after an escaped line break (JSON, a notebook's output), in a
    URL's user part, at a block's end: found once, as itself, and never shown whole."""
    for token in FORMATS:
        for text in (token.example, f"key = '{token.example}'\n", f'{{"text": ["out\\n{token.example}\\n"]}}',
                     f"TOKEN={token.example}\nNEXT=1\n", f"{'x = 1 ' * 3000}\n{token.example}"):
            found = scan(text.encode())
            assert [item.format for item in found] == [token], (token.name, text[:80])
            assert found[0].shown == "" or token.example.find(found[0].shown) >= 0
            assert len(found[0].shown) < 30
    github = next(token for token in FORMATS if token.name == "a GitHub token").example
    assert [item.format.name for item in scan(f"https://{github}@github.com/lab/vqe.git".encode())] == [
        "a GitHub token"]


def _quantifiers(pattern: str) -> list[tuple[int, int, int]]:
    """Every repeat of a pattern: (min, max, how many repeats it is inside)."""
    try:
        import re._parser as sre_parse  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # Python 3.10
        import sre_parse  # type: ignore[no-redef,unused-ignore]
    found: list[tuple[int, int, int]] = []

    def walk(items: object, depth: int) -> None:
        for op, value in items:  # type: ignore[attr-defined]
            name = str(op)
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, high, inner = value
                found.append((low, high, depth))
                walk(inner, depth + 1)
            elif name == "SUBPATTERN":
                walk(value[-1], depth)
            elif name in ("ASSERT", "ASSERT_NOT"):
                walk(value[1], depth)
            elif name == "BRANCH":
                for branch in value[1]:
                    walk(branch, depth)

    walk(sre_parse.parse(pattern), 0)
    return found


def test_every_pattern_is_linear_and_bounded() -> None:
    """No quantifier inside another, every one bounded, no match longer than the overlap of a file's blocks: each
    place is tried in bounded time, and only where a run of MIN_RUN token characters starts."""
    for token in FORMATS:
        for pattern in (token.pattern, token.context):
            if not pattern:
                continue
            repeats = _quantifiers(pattern)
            assert all(depth == 0 for _, _, depth in repeats), (token.name, pattern)
            assert all(high <= LONGEST for _, high, _ in repeats), (token.name, pattern)
        assert re.compile(token.pattern).groupindex.keys() <= {"prefix", "body"}
        assert "prefix" in re.compile(token.pattern).groupindex
        if not token.anchored:
            start = scan(f" {token.example} ".encode())[0].start
            assert len(re.match(r"[A-Za-z0-9_+/-]*", token.example[start - 1:]).group()) >= MIN_RUN  # type: ignore[union-attr]


@pytest.mark.parametrize("shape", ["ghp_", "eyJ", "eyJa.", "://a:", "-----BEGIN ", "AKIA", "a" * 19 + " ",
                                   "sk-" + "a1" * 20 + "-", "abcdefghij0123456789 ", "eyJ" + "a" * 20 + ".",
                                   "ya29." + "a1" * 10], ids=repr)
def test_adversarial_text_takes_work_in_proportion_to_its_size(shape: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same shape, repeated to 64 kB and to 1 MB: the places tried grow with the size, not its square."""
    from braketkit.package import secrets

    tried: list[int] = []
    real = secrets.Scan._try_run

    def counting(self: secrets.Scan, data: bytes, run: int) -> None:
        tried.append(run)
        real(self, data, run)

    monkeypatch.setattr(secrets.Scan, "_try_run", counting)
    counts = []
    for size in (1 << 16, 1 << 20):
        tried.clear()
        scan((shape * (size // len(shape) + 1))[:size].encode())
        counts.append(len(tried))
    assert counts[1] <= 16 * counts[0] + 16
    assert counts[1] < (1 << 20) // MIN_RUN  # at most one place a run, and runs are at least MIN_RUN long


# -- What is not a secret ---------------------------------------------------------------------------------------

ORDINARY = {
    "vqe.py": '''
        """Variational quantum eigensolver for H2 on SV1."""
        import hashlib, uuid, base64
        import numpy as np
        from braket.circuits import Circuit
        from braket.aws import AwsDevice

        DEVICE_ARN = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"
        BUCKET = "amazon-braket-us-east-1-111122223333"
        CHECKSUM = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"  # sha256 of "test"
        SHA1 = "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"
        MD5 = "098f6bcd4621d373cade4e832627b4f6"
        RUN_ID = uuid.UUID("c9bf9e57-1685-4c89-bafb-ff5af830be8a")
        FIXTURE = base64.b64decode("SGVsbG8sIHF1YW50dW0gd29ybGQhIFRoaXMgaXMgdGVzdCBkYXRhLg==")
        HEADER = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"  # a JWT header alone
        COMMIT = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
        ENDPOINT = "https://braket.us-east-1.amazonaws.com:443/jobs"
        DSN = "postgresql://{user}:{password}@{host}/runs"
        TEMPLATE = "https://user:password@example.com/simple"
        ENV_DSN = "postgresql://${DB_USER}:${DB_PASSWORD}@db:5432/lab"
        EXAMPLE_TOKEN = "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        EXAMPLE_KEY_ID = "AKIAXXXXXXXXXXXXXXXX"
        DOCUMENTED_KEY = {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE",
                          "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
        PEM_START = b"-----BEGIN OPENSSH PRIVATE KEY-----"  # what a key file starts with, not a key
        TEST_DB = "postgresql://postgres:postgres@localhost:5432/test"
        OPENAI_KEY_NAME = "sk-learn-compatible-estimator-interface"
        KEY = os.environ["OPENAI_API_KEY"]
        AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY")
        hf_model_name_for_the_downloaded_hub = "bert-base-uncased"

        def compute_expectation_value_of_the_hamiltonian_with_shots(circuit, hamiltonian, shots=1000):
            """The energy <psi|H|psi>, estimated from measurement counts."""
            return sum(coefficient * measure(circuit, term, shots) for coefficient, term in hamiltonian)

        class VariationalQuantumEigensolverWithParameterShiftGradients:
            learning_rate_schedule_for_the_optimizer = [0.1, 0.05, 0.01]
    ''',
    "results.ipynb": json.dumps({"cells": [{"cell_type": "code", "execution_count": 1, "id": "plot", "metadata": {},
                                            "source": ["plt.plot(energies)\n"], "outputs": [{
                                                "output_type": "display_data", "metadata": {}, "data": {
                                                    "image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAD"
                                                                 "UlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\n",
                                                    "text/plain": ["<Figure size 640x480 with 1 Axes>"]}}]}],
                                 "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
    "data/counts.csv": "bitstring,count\n" + "".join(f"{index:020b},{index * 7 % 13}\n" for index in range(300)),
    "requirements.txt": "amazon-braket-sdk>=1.80\nnumpy==1.26.4 --hash=sha256:9f86d081884c7d659a2feaa0c55ad015a3bf"
                        "4f1b2b0b822cd15d6c15b0f00a08\n",
}


def test_ordinary_research_code_holds_no_secret(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """Hex digests, UUIDs, base64 test data, a JWT header alone, URL templates and placeholders, long names."""
    for name, text in ORDINARY.items():
        project.write(name, text)
    project.pyproject(SETTINGS.format(settings=""))
    project.write("train.py", TRAIN)
    code, out, err = run_cli(capsys, *PLAN, "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["warnings"] == []


PLANTED = {"test_package.py", "test_package_cache.py", "test_provenance.py", "test_sdk.py", "test_secrets.py"}
"""The test modules that plant secrets on purpose (a new one goes here)."""


@pytest.mark.parametrize("tree", ["examples", "docs", "braketkit", "tests"])
def test_this_repository_holds_no_secret_but_those_its_tests_plant(tree: str) -> None:
    root = Path(__file__).resolve().parent.parent / tree
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            findings = scan(path.read_bytes())
            if findings:
                found[path.name] = [finding.format.name for finding in findings]
    assert set(found) <= (PLANTED if tree == "tests" else set()), found


# -- The archive index keeps replans free of the search -----------------------------------------------------------


def test_a_replan_of_an_unchanged_tree_searches_nothing(project: Project, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from braketkit.package import cache as index
    from braketkit.package import package_source, secrets

    monkeypatch.setattr(index, "RACY_NS", 0)
    fed: list[int] = []
    real = secrets.Scan.feed

    def counting(self: secrets.Scan, data: bytes) -> None:
        fed.append(len(data))
        real(self, data)

    monkeypatch.setattr(secrets.Scan, "feed", counting)
    project.write("train.py", TRAIN)
    project.write("keys/deploy.txt", next(token.example for token in FORMATS if token.name == "a private key") + "\n")
    first = package_source(project.root, include=["keys/"], cache=tmp_path / "cache")
    assert fed and "keys/deploy.txt (holds a private key (-----BEGIN…) on line 1)" in first.warnings[0]
    fed.clear()
    again = package_source(project.root, include=["keys/"], cache=tmp_path / "cache")
    assert fed == [] and again.warnings == first.warnings and again.sha256 == first.sha256
    monkeypatch.setattr(secrets, "table_version", lambda: "a new table")  # a new table searches the tree again
    package_source(project.root, include=["keys/"], cache=tmp_path / "cache")
    assert fed


ON_PURPOSE = '''
import lab_keys
from braketkit import hybrid_job

@hybrid_job()
def train() -> int:
    return len(lab_keys.OPENAI_API_KEY)

plan = train.plan()
print(plan.captured.text)
print(plan.warnings)
'''


def test_a_token_a_captured_function_needs_ships_on_purpose_through_a_module(project: Project) -> None:
    """What the message says to do works: the module is imported in the job, and include ships it, with a warning."""
    openai = next(token for token in FORMATS if token.name == "an OpenAI API key").example
    project.pyproject(SETTINGS.format(settings="include = ['/lab_keys.py']\n"))
    project.write("lab_keys.py", f'OPENAI_API_KEY = "{openai}"\n')
    project.write("script.py", ON_PURPOSE)
    done = subprocess.run([sys.executable, "script.py"], cwd=project.root, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "import lab_keys\n" in done.stdout and openai not in done.stdout
    assert "lab_keys.py (holds an OpenAI API key (sk-proj-…) on line 1)" in done.stdout


def test_a_notebook_global_holding_a_token_stops_the_plan_naming_it_and_its_cell(session: Session) -> None:  # noqa: F811
    """The issue's case: in a real IPython shell, the global that was written verbatim into the job's module."""
    openai = next(token for token in FORMATS if token.name == "an OpenAI API key").example
    session.run("from braketkit import InvalidInput, hybrid_job")
    session.run(f'SHOTS = 100\nOPENAI_API_KEY = "{openai}"')
    session.run(f"@hybrid_job({LOCAL})\ndef ask() -> int:\n    return len(OPENAI_API_KEY) + SHOTS")
    session.run("try:\n    ask.plan()\nexcept InvalidInput as error:\n    refused = error")
    assert session.run("str(refused)") == (
        "cell [2], line 2: OPENAI_API_KEY holds an OpenAI API key (sk-proj-…), which braketkit would write into the "
        "job's module (braketkit_main.py) as it is: have the job read it where it runs, or, to ship it on purpose, "
        "define it in a module of the project that the function uses it through (import lab_keys, then "
        "lab_keys.NAME) and name that module in include")
    assert session.run("refused.exit_status") == 2


@given(pieces=st.lists(st.sampled_from([token.example for token in FORMATS] + [
    " ", "\n", "x = 1\n", "a" * 30, "//", "\\n", '"', "=", "-", "b" * 19, "é"]), min_size=1, max_size=60),
       cuts=st.lists(st.integers(min_value=1, max_value=30_000), max_size=8))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_file_read_in_blocks_of_any_size_holds_what_it_holds_whole(pieces: list[str], cuts: list[int]) -> None:
    """However the blocks fall (tarfile reads 1 MiB at a time), the search finds what it finds in the whole file
    (a file of 40 kB or more, so that blocks are searched as they come, LONGEST bytes behind), and the lines of what
    it finds are counted right when the file is read again in blocks."""
    from braketkit.package.secrets import Scan

    piece = "".join(pieces).encode()
    data = piece * (40_000 // len(piece) + 1)
    chunked = Scan()
    blocks = []
    position = 0
    for cut in [*cuts, len(data)]:
        blocks.append(data[position:position + cut])
        chunked.feed(blocks[-1])
        position += cut
    chunked.close()
    assert lines_in(blocks, chunked.findings) == {
        found.start: data.count(b"\n", 0, found.start) + 1 for found in chunked.findings}  # counted again, in blocks
    def placed(findings: list[Finding]) -> list[tuple[int, int, str]]:
        return sorted((found.start, found.end, found.format.name) for found in findings)

    assert placed(chunked.findings) == placed(scan(data))
