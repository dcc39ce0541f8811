"""What braketkit will not ship without being told to: credential stores by their names, tokens by their formats.

One table, read by every check and by the documentation (docs/security.md is checked against it):

- ``STORES``: where the tools researchers use keep credentials (cloud CLIs, quantum providers, package
  registries, code hosts, ML hubs, notebook servers, keyrings, shell histories, OAuth token files). Their
  patterns join the built-in exclusions (``select.ALWAYS_EXCLUDED``): such a file is left out unless an
  ``include`` pattern names it, and then shipped with a warning.
- ``FORMATS``: the published shapes of tokens and keys. Every shipped text file, every notebook (its outputs
  too) and every global a captured function takes along is searched for them; what is found stops the plan,
  unless an ``include`` pattern names the file.

The search reads each file once, as the archive is written, and costs little: a token is a run of at least
``MIN_RUN`` token characters, found by one ``bytes.translate`` and ``bytes.find``, and only such runs are
matched against the formats. Every pattern is linear (no quantifier inside another, every one bounded), and no
match is longer than ``LONGEST`` bytes, which is what a file's blocks overlap by.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Literal, NamedTuple

import attrs

__all__ = ["FORMATS", "LONGEST", "MIN_RUN", "STORES", "Finding", "Scan", "Store", "TokenFormat", "cells_in",
           "described", "in_module", "lines_in", "scan", "table_version"]


@attrs.frozen(kw_only=True)
class Store:
    """Where a tool keeps credentials: gitignore-style patterns (case-insensitive) for its files and folders."""

    tool: str
    group: str
    patterns: tuple[str, ...]
    examples: tuple[str, ...]
    """Paths the tool writes, as they would sit in a project folder (a home folder, say): the tests lay each one out
    and check that it is left out."""


@attrs.frozen(kw_only=True)
class TokenFormat:
    """A published shape of a secret.

    ``pattern`` is matched at the start of a run of token characters (``RUN_CHARACTERS``); it names the part a
    message may show, ``(?P<prefix>...)``, and may name the random part, ``(?P<body>...)``, which ``body`` then
    checks, so that placeholders (``ghp_xxxx...``) and ordinary words (``sk-learn-compatible-...``) are not taken
    for secrets. ``context``, if any, must match the text right before the token (a keyword, for a value whose
    shape alone says too little). ``anchored`` formats start with characters a token run does not hold
    (``-----BEGIN``, ``://``): each is searched for on its own, by its literal start.
    """

    name: str
    """As messages say it: ``holds {name} ({prefix}…)``."""
    shape: str
    """What the documentation says it looks like."""
    pattern: str
    body: Literal["random", "varied", "password", "any"] = "random"
    """``random``: at least 8 different characters, of at least two of upper case, lower case and digits;
    ``varied``: at least 8 different characters; ``password``: not a placeholder (``password``, ``xxx``...)."""
    context: str = ""
    anchored: bool = False
    example: str
    """A made-up token of the format, for the tests (written in two pieces: braketkit's own source holds none)."""


_HOME = "the files it writes in the home folder"

STORES: tuple[Store, ...] = (
    # keys and certificates
    Store(tool="SSH", group="keys and certificates", patterns=("id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*",
                                                               ".ssh/"),
          examples=(".ssh/known_hosts", "id_ed25519", "id_rsa.pub", "keys/id_ecdsa")),
    Store(tool="GnuPG", group="keys and certificates", patterns=(".gnupg/",), examples=(".gnupg/pubring.kbx",)),
    Store(tool="TLS and PKCS #12", group="keys and certificates", patterns=("*.pem", "*.key", "*.p12", "*.pfx"),
          examples=("certs/server.pem", "deploy.key", "store.p12", "client.pfx")),
    Store(tool="Java keystores", group="keys and certificates", patterns=("*.jks", "*.keystore"),
          examples=("keystore.jks", "release.keystore")),
    Store(tool="PuTTY", group="keys and certificates", patterns=("*.ppk",), examples=("putty.ppk",)),
    # environment files
    Store(tool="dotenv, direnv, Flask", group="environment files", patterns=(".env*", "*.env", ".flaskenv"),
          examples=(".env", ".env.local", ".envrc", "prod.env", ".flaskenv")),
    # cloud CLIs and infrastructure
    Store(tool="AWS CLI and SDKs", group="cloud CLIs", patterns=(".aws/", ".boto", ".s3cfg", "credentials"),
          examples=(".aws/credentials", ".aws/config", ".boto", ".s3cfg", "credentials")),
    Store(tool="Azure CLI (Azure Quantum too)", group="cloud CLIs", patterns=(".azure/",),
          examples=(".azure/msal_token_cache.json", ".azure/azureProfile.json")),
    Store(tool="Google Cloud CLI (gcloud; Google Quantum AI too)", group="cloud CLIs",
          patterns=("**/.config/gcloud/", "credentials.db", "access_tokens.db", "legacy_credentials/",
                    "application_default_credentials.json", "*service-account*.json", "*service_account*.json",
                    "*serviceaccount*.json"),
          examples=(".config/gcloud/configurations/config_default", "gcloud/credentials.db",
                    "gcloud/access_tokens.db", "gcloud/legacy_credentials/ada@lab.org/adc.json",
                    "application_default_credentials.json", "keys/my-service-account.json",
                    "gcp_service_account_key.json")),
    Store(tool="IBM Cloud CLI", group="cloud CLIs", patterns=(".bluemix/",), examples=(".bluemix/config.json",)),
    Store(tool="Oracle Cloud (OCI) CLI", group="cloud CLIs", patterns=(".oci/",),
          examples=(".oci/config", ".oci/sessions/DEFAULT/token")),
    Store(tool="Databricks CLI", group="cloud CLIs", patterns=(".databrickscfg",), examples=(".databrickscfg",)),
    Store(tool="Snowflake", group="cloud CLIs", patterns=(".snowflake/", ".snowsql/"),
          examples=(".snowflake/connections.toml", ".snowsql/config")),
    Store(tool="Kubernetes", group="cloud CLIs", patterns=(".kube/", "kubeconfig", "*.kubeconfig", "kubeconfig.yaml",
                                                          "kubeconfig.yml"),
          examples=(".kube/config", "kubeconfig", "deploy/prod.kubeconfig", "kubeconfig.yaml")),
    Store(tool="Docker", group="cloud CLIs", patterns=("**/.docker/config.json", ".dockercfg"),
          examples=(".docker/config.json", ".dockercfg")),
    Store(tool="HashiCorp Vault", group="cloud CLIs", patterns=(".vault-token",), examples=(".vault-token",)),
    Store(tool="Terraform", group="cloud CLIs",
          patterns=(".terraformrc", "terraform.rc", "**/.terraform.d/credentials.tfrc.json", "*.tfstate",
                    "*.tfstate.*", "*.tfvars", "*.tfvars.json"),
          examples=(".terraformrc", "terraform.rc", ".terraform.d/credentials.tfrc.json", "infra/terraform.tfstate",
                    "terraform.tfstate.backup", "terraform.tfvars", "prod.tfvars.json")),
    Store(tool="Pulumi", group="cloud CLIs", patterns=("**/.pulumi/credentials.json",),
          examples=(".pulumi/credentials.json",)),
    Store(tool="rclone", group="cloud CLIs", patterns=("rclone.conf",), examples=(".config/rclone/rclone.conf",)),
    Store(tool="Sentry CLI", group="cloud CLIs", patterns=(".sentryclirc",), examples=(".sentryclirc",)),
    Store(tool="ngrok", group="cloud CLIs", patterns=("ngrok.yml",), examples=(".config/ngrok/ngrok.yml",)),
    # quantum providers
    Store(tool="Qiskit (IBM Quantum)", group="quantum providers", patterns=(".qiskit/", "qiskit-ibm.json",
                                                                           "qiskitrc"),
          examples=(".qiskit/qiskit-ibm.json", ".qiskit/qiskitrc", "qiskit-ibm.json")),
    Store(tool="D-Wave Ocean (Leap)", group="quantum providers", patterns=("dwave.conf",),
          examples=(".config/dwave/dwave.conf", "dwave.conf")),
    Store(tool="Rigetti QCS", group="quantum providers", patterns=(".qcs/",),
          examples=(".qcs/secrets.toml", ".qcs/settings.toml")),
    Store(tool="qBraid", group="quantum providers", patterns=(".qbraid/",), examples=(".qbraid/qbraidrc",)),
    Store(tool="PennyLane (its plugins' tokens)", group="quantum providers", patterns=("**/pennylane/config.toml",),
          examples=(".config/pennylane/config.toml",)),
    # package registries
    Store(tool="PyPI (twine)", group="package registries", patterns=(".pypirc",), examples=(".pypirc",)),
    Store(tool="Poetry", group="package registries", patterns=("**/pypoetry/auth.toml",),
          examples=(".config/pypoetry/auth.toml",)),
    Store(tool="npm", group="package registries", patterns=(".npmrc",), examples=(".npmrc", "web/.npmrc")),
    Store(tool="Yarn", group="package registries", patterns=(".yarnrc.yml", ".yarnrc"),
          examples=(".yarnrc.yml", ".yarnrc")),
    Store(tool="Cargo", group="package registries", patterns=("**/.cargo/credentials.toml", "**/.cargo/credentials"),
          examples=(".cargo/credentials.toml", ".cargo/credentials")),
    Store(tool="Maven", group="package registries", patterns=(".m2/", "settings-security.xml"),
          examples=(".m2/settings.xml", ".m2/settings-security.xml", "settings-security.xml")),
    Store(tool="Gradle", group="package registries", patterns=("gradle.properties", ".gradle/"),
          examples=("gradle.properties", ".gradle/gradle.properties")),
    Store(tool="Composer, Podman, Skopeo", group="package registries", patterns=("auth.json",),
          examples=("auth.json", ".config/composer/auth.json", ".config/containers/auth.json")),
    Store(tool="RubyGems", group="package registries", patterns=("**/.gem/credentials",),
          examples=(".gem/credentials",)),
    # code hosts
    Store(tool="git", group="code hosts", patterns=(".git-credentials",), examples=(".git-credentials",)),
    Store(tool="GitHub CLI", group="code hosts", patterns=("**/gh/hosts.yml",), examples=(".config/gh/hosts.yml",)),
    Store(tool="GitLab CLI", group="code hosts", patterns=("**/glab-cli/config.yml",),
          examples=(".config/glab-cli/config.yml",)),
    Store(tool="Subversion", group="code hosts", patterns=("**/.subversion/auth/",),
          examples=(".subversion/auth/svn.simple/5671adf2865e267db74f09ba6f872c28",)),
    # ML hubs and services
    Store(tool="Hugging Face", group="ML hubs", patterns=("**/huggingface/token", "**/huggingface/stored_tokens",
                                                          ".huggingface/"),
          examples=(".cache/huggingface/token", ".cache/huggingface/stored_tokens", ".huggingface/token")),
    Store(tool="Kaggle", group="ML hubs", patterns=("kaggle.json", ".kaggle/"),
          examples=(".kaggle/kaggle.json", "kaggle.json")),
    Store(tool="Weights & Biases, Heroku, and other .netrc users", group="ML hubs",
          patterns=(".netrc", "_netrc"), examples=(".netrc", "_netrc")),
    Store(tool="Comet", group="ML hubs", patterns=(".comet.config",), examples=(".comet.config",)),
    Store(tool="Modal", group="ML hubs", patterns=(".modal.toml",), examples=(".modal.toml",)),
    # notebook servers
    Store(tool="Jupyter", group="notebook servers",
          patterns=("jupyter_*_config.py", "jupyter_*_config.json", "**/jupyter/runtime/", "jpserver-*.json",
                    "nbserver-*.json"),
          examples=(".jupyter/jupyter_server_config.py", "jupyter_notebook_config.json",
                    ".local/share/jupyter/runtime/kernel-4f1e.json", "jpserver-4242.json", "nbserver-4242.json")),
    Store(tool="IPython", group="notebook servers", patterns=("history.sqlite",),
          examples=(".ipython/profile_default/history.sqlite",)),
    # keyrings and password stores
    Store(tool="keyrings (GNOME Keyring, keyrings.alt, KWallet, macOS Keychain)", group="keyrings",
          patterns=("keyrings/", "*.keyring", "python_keyring/", "keyring_pass.cfg", "crypted_pass.cfg", "kwalletd/",
                    "*.kwl", "Keychains/", "*.keychain", "*.keychain-db"),
          examples=(".local/share/keyrings/login.keyring", "login.keyring",
                    ".local/share/python_keyring/keyring_pass.cfg", "crypted_pass.cfg",
                    ".local/share/kwalletd/kdewallet.kwl", "Library/Keychains/login.keychain-db", "lab.keychain")),
    Store(tool="password managers (pass, KeePass, Password Safe, 1Password)", group="keyrings",
          patterns=(".password-store/", "*.kdbx", "*.kdb", "*.psafe3", "*.opvault", "*.agilekeychain"),
          examples=(".password-store/aws/braket.gpg", "lab.kdbx", "old.kdb", "vault.psafe3",
                    "Lab.opvault/default/profile.js", "Lab.agilekeychain/data/default/contents.js")),
    # shell and REPL histories
    Store(tool="shell and REPL histories", group="histories",
          patterns=(".bash_history", ".zsh_history", ".sh_history", ".history", "fish_history", ".python_history",
                    ".psql_history", ".mysql_history", ".sqlite_history", ".rediscli_history", ".node_repl_history",
                    ".irb_history", ".Rhistory", "repl_history.jl", "ConsoleHost_history.txt"),
          examples=(".bash_history", ".zsh_history", ".sh_history", ".history", ".local/share/fish/fish_history",
                    ".python_history", ".psql_history", ".mysql_history", ".sqlite_history", ".rediscli_history",
                    ".node_repl_history", ".irb_history", ".Rhistory", ".julia/logs/repl_history.jl",
                    "PSReadLine/ConsoleHost_history.txt")),
    # OAuth token files
    Store(tool="Google OAuth clients (the API quickstarts, gspread, PyDrive)", group="OAuth token files",
          patterns=("credentials.json", "token.json", "token.pickle", "client_secret*.json", "authorized_user.json",
                    "mycreds.txt", "**/.credentials/"),
          examples=("credentials.json", "token.json", "token.pickle", "client_secret.json", "client_secrets.json",
                    "client_secret_1234-abcd.apps.googleusercontent.com.json",
                    ".config/gspread/authorized_user.json", "mycreds.txt", ".credentials/drive-python.json")),
    # other tools' passwords
    Store(tool="databases, web servers and secret files", group="other passwords",
          patterns=(".pgpass", ".my.cnf", ".htpasswd", "secrets.yaml", "secrets.yml", "secrets.json", "secrets.toml"),
          examples=(".pgpass", ".my.cnf", "web/.htpasswd", "secrets.yaml", "k8s/secrets.yml", "secrets.json",
                    "secrets.toml")),
)

_B64 = "A-Za-z0-9+/"
_URL_SAFE = "A-Za-z0-9_-"
_END = "(?![A-Za-z0-9_])"

FORMATS: tuple[TokenFormat, ...] = (
    TokenFormat(name="a GitHub token", shape="`ghp_`, `gho_`, `ghu_`, `ghs_` or `ghr_`, then 36 or more letters and "
                                             "digits",
                pattern=rf"(?P<prefix>gh[pousr]_)(?P<body>[A-Za-z0-9]{{36,251}}){_END}",
                example="ghp_" "ElULtm4UAWTWqIpO0VFwAHUN9ntITvHeUX3n"),
    TokenFormat(name="a GitHub fine-grained token", shape="`github_pat_`, then 82 or more letters, digits and `_`",
                pattern=r"(?P<prefix>github_pat_)(?P<body>[A-Za-z0-9_]{82,244})(?![A-Za-z0-9])",
                example="github_pat_" "JzT5aaTh1z0Wrw7EjX5pJW_tX2mMXyQbBO05jNgRo6WdG0loykSOtgPEurevn3pE8AMnmGQJ5xZPqOK"
                                      "Xde"),
    TokenFormat(name="a GitLab token", shape="`glpat-`, `gldt-`, `glrt-`, `glptt-`, `gloas-`, `glft-`, `glcbt-`, "
                                             "`glimt-`, `glsoat-` or `glagent-`, then 20 or more letters, digits, "
                                             "`_` and `-`",
                pattern=r"(?P<prefix>gl(?:pat|dt|rt|ptt|oas|ft|cbt|imt|soat|agent)-)(?P<body>[A-Za-z0-9_.-]"
                        r"{20,300})(?![A-Za-z0-9_.-])",
                example="glpat-" "LYjoN6fZWPsoMmE5fQR5"),
    TokenFormat(name="a Slack token", shape="`xoxb-`, `xoxp-`, `xoxa-`, `xoxe-`, `xoxo-`, `xoxr-` or `xoxs-`, then "
                                            "digits, `-` and more",
                pattern=r"(?P<prefix>xox[abeoprs]-)(?P<body>[0-9]{6,13}-[A-Za-z0-9-]{10,250})",
                example="xoxb-" "541019104120-8797381503241-gtrQ3P6WyMSLqfIbv30nReOs"),
    TokenFormat(name="a Slack app token", shape="`xapp-`, a digit, `-`, then 20 or more letters, digits and `-`",
                pattern=r"(?P<prefix>xapp-)(?P<body>[0-9]-[A-Za-z0-9-]{20,250})",
                example="xapp-" "1-AW1GOKQ7RNJ-7969159133904-8f5febfa21773c88d6b9e52f5e18026c7cb08a2416a44ae967eda17"
                                "b14afeca5"),
    TokenFormat(name="a Slack webhook", shape="`https://hooks.slack.com/services/T…/B…/` and 24 letters and digits",
                pattern=r"(?<=hooks\.slack\.)(?P<prefix>com/services/)(?P<body>T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/"
                        r"[A-Za-z0-9]{24})",
                example="https://hooks.slack." "com/services/TAID3URD35Z/BYOQK8M73K4/34eorRAPmRjJhTbjgstxEdU5"),
    TokenFormat(name="a Stripe live key", shape="`sk_live_` or `rk_live_`, then 24 or more letters and digits",
                pattern=rf"(?P<prefix>[rs]k_live_)(?P<body>[A-Za-z0-9]{{24,247}}){_END}",
                example="sk_live_" "n53AoncVoWb3q2GuX9KZTANhUqHgFn5mY"),
    TokenFormat(name="an Anthropic API key", shape="`sk-ant-`, a kind and version (`api03-`), then 32 or more "
                                                   "letters, digits, `_` and `-`",
                pattern=rf"(?P<prefix>sk-ant-[a-z]{{2,8}}[0-9]{{2}}-)(?P<body>[{_URL_SAFE}]{{32,250}})",
                example="sk-ant-api03-" "3sU3XW5Tp2BTyDRVBtx8DTVtb7BbSzF2OQe5-6YctFb_UxNgSLJvxOUAu8dknlmUQ64pUMt33frk"
                                        "ROdBqmlx2p1NgnKkEAA"),
    TokenFormat(name="an OpenAI API key", shape="`sk-`, `sk-proj-`, `sk-svcacct-` or `sk-admin-`, then 32 or more "
                                                 "letters, digits, `_` and `-`",
                pattern=rf"(?P<prefix>sk-(?:proj-|svcacct-|admin-)?)(?P<body>[{_URL_SAFE}]{{32,250}})",
                example="sk-proj-" "ZWzwDFrlGXl-z1BVXBt7wRkl8OZfIa2AUk7z7gTqBu4wweocv81k2lsNaWT3BlbkFJQrZzhB4GZqT8hqt0"
                                   "pmpsLww0sAO_DGpUxjKbgRBWZRZX1VlxeVZ4DNCNnO"),
    TokenFormat(name="a Hugging Face token", shape="`hf_` or `api_org_`, then 34 letters",
                pattern=rf"(?P<prefix>hf_|api_org_)(?P<body>[A-Za-z]{{34}}){_END}",
                example="hf_" "BFNukcXhhxBOlGTgdQBbZrohuIKinKLgBg"),
    TokenFormat(name="a Google API key", shape="`AIza`, then 35 letters, digits, `_` and `-`",
                pattern=rf"(?P<prefix>AIza)(?P<body>[{_URL_SAFE}]{{35}})(?![A-Za-z0-9_-])",
                example="AIza" "n7j8LsfYf7HZyS3exNc_q2969soRHfAoy1V"),
    TokenFormat(name="a Google OAuth client secret", shape="`GOCSPX-`, then 28 letters, digits, `_` and `-`",
                pattern=rf"(?P<prefix>GOCSPX-)(?P<body>[{_URL_SAFE}]{{28}})(?![A-Za-z0-9_-])",
                example="GOCSPX-" "5BbDkE_G9wVge50O3YikwOHqmV_D"),
    TokenFormat(name="a Google OAuth access token", shape="`ya29.`, then 20 or more letters, digits, `_` and `-`",
                pattern=rf"(?<=ya29\.)(?P<prefix>)(?P<body>[{_URL_SAFE}]{{20,2048}})",
                example="ya29." "a0qo0_Y_5Cf5jIoVUiP98J0WGocF2utybbIhnQuDEJjtfGTkVvnUGb35FesTIa6FU4hsARip6kkDaku7AzD8"),
    TokenFormat(name="a Google OAuth refresh token", shape="`1//0`, then 40 or more letters, digits, `_` and `-`",
                pattern=rf"(?P<prefix>1//0)(?P<body>[{_URL_SAFE}]{{40,512}})",
                example="1//0" "gAK42ks91MIRltyke_BuukGZtPNPR-x4EX5kfe1KvAfnrAkxpnRcnD6y9zbNTXJdj5VO0z6tl"),
    TokenFormat(name="a JSON Web Token", shape="three base64url parts separated by `.`, the first two starting "
                                               "`eyJ` (a JSON object)",
                pattern=rf"(?P<prefix>eyJ)(?P<body>[{_URL_SAFE}]{{17,1024}}\.eyJ[{_URL_SAFE}]{{10,8192}}\."
                        rf"[{_URL_SAFE}]{{10,1024}})",
                example="eyJ" "hbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZGFAcW1sLWxhYiIsImF1ZCI6ImJyYWtldCJ9."
                              "M0dAfYPhdzh1bDSmBQ3tvUD4cAiF2DMS6fYRdsq6qWk"),
    TokenFormat(name="an AWS access key id", shape="`AKIA`, `ASIA`, `ABIA`, `ACCA` or `A3T` and a character, then 16 "
                                                   "capital letters and digits",
                pattern=r"(?P<prefix>AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])(?P<body>[A-Z0-9]{16})(?![A-Za-z0-9])",
                body="varied", example="AKIA" "36G36UXP52G4FD6H"),
    TokenFormat(name="an AWS secret access key", shape="40 base64 characters after `aws_secret_access_key`, "
                                                       "`SecretAccessKey` or the like and `=` or `:`",
                pattern=rf"(?P<prefix>)(?P<body>[{_B64}]{{40}})(?![{_B64}=])",
                context=r"(?i:secret_?access_?key|aws_?secret(?:_key|key)?)['\"]?[ \t]{0,4}(?:=|:|=>)[ \t]{0,4}"
                        r"['\"]?\Z",
                example="aws_secret_access_key = " "4cvxxwykTfDWan4dYhSU1HVB+0tbrMIV70GFukXd"),
    TokenFormat(name="an Azure storage account key", shape="88 base64 characters after `AccountKey=`",
                pattern=rf"(?<=AccountKey=)(?P<prefix>)(?P<body>[{_B64}]{{86}}==)",
                example="AccountKey=" "jIutYEf6m0OHJoAj7dWnH4R725KbtxZA/ECck9gZ34C4jPv4mKiYEOj9jjTpYZWA9cRYo6rZwWSXoScz"
                                      "4svVPa=="),
    TokenFormat(name="a Databricks token", shape="`dapi`, then 32 hexadecimal digits",
                pattern=r"(?P<prefix>dapi)(?P<body>[0-9a-f]{32})(?:-[0-9])?(?![A-Za-z0-9])",
                example="dapi" "0aa659e153f8c1d644b0ebd73aea0de6"),
    TokenFormat(name="a PyPI upload token", shape="`pypi-AgEIcHlwaS5vcmc`, then 50 or more letters, digits, `_` and "
                                                  "`-`",
                pattern=rf"(?P<prefix>pypi-)(?P<body>AgEIcHlwaS5vcmc[{_URL_SAFE}]{{50,1000}})",
                example="pypi-" "AgEIcHlwaS5vcmcl7j2GvnoZnsy0KEQOnPyR8sqWdRDGGe_IDMgg5Afmwucbu0mwKaITUjlJp3_o0Uo6x9"),
    TokenFormat(name="an npm token", shape="`npm_`, then 36 letters and digits",
                pattern=rf"(?P<prefix>npm_)(?P<body>[A-Za-z0-9]{{36}}){_END}",
                example="npm_" "9kMKMD0wLgFBmXl9c496VzueuTJvB1SszYOM"),
    TokenFormat(name="a Docker Hub token", shape="`dckr_pat_`, then 27 letters, digits, `_` and `-`",
                pattern=rf"(?P<prefix>dckr_pat_)(?P<body>[{_URL_SAFE}]{{27}})(?![A-Za-z0-9_-])",
                example="dckr_pat_" "mBsFcg_osXdvVVa9xtvpBthb86I"),
    TokenFormat(name="a Sentry token", shape="`sntrys_` then 50 or more base64 characters, or `sntryu_` then 64 "
                                             "hexadecimal digits",
                pattern=rf"(?P<prefix>sntry[su]_)(?P<body>[{_B64}_=]{{50,400}}|[0-9a-f]{{64}})",
                example="sntryu_" "bd1b38fcfe61498d60d1819c4fdb123119b7220dc3e8472fadec3282eae5539c"),
    TokenFormat(name="a Replicate token", shape="`r8_`, then 37 letters and digits",
                pattern=rf"(?P<prefix>r8_)(?P<body>[A-Za-z0-9]{{37}}){_END}",
                example="r8_" "yVtf7TWyK0II64Z4CgoG3wViyLgLsI1KbORnJ"),
    TokenFormat(name="a Groq API key", shape="`gsk_`, then 52 letters and digits",
                pattern=rf"(?P<prefix>gsk_)(?P<body>[A-Za-z0-9]{{52}}){_END}",
                example="gsk_" "dC6hg3U6NSgIm2bHpk1rsBjsSwoYLaTe2QgTAlKJaUzWOAnkedB6"),
    TokenFormat(name="a Perplexity API key", shape="`pplx-`, then 48 letters and digits",
                pattern=rf"(?P<prefix>pplx-)(?P<body>[A-Za-z0-9]{{48}}){_END}",
                example="pplx-" "Phi21Dt9Z8Nm4ZVshHTTKdUUvb5OBlEtWXhAY79YshU4MnTH"),
    TokenFormat(name="a DigitalOcean token", shape="`dop_v1_`, `doo_v1_` or `dor_v1_`, then 64 hexadecimal digits",
                pattern=rf"(?P<prefix>do[opr]_v1_)(?P<body>[0-9a-f]{{64}}){_END}",
                example="dop_v1_" "fe58a3ec357dd3415bca962f09727e1ed19e2a76522e185e860ad22da949c93d"),
    TokenFormat(name="a SendGrid API key", shape="`SG.`, then two base64url parts of 22 and 43 characters",
                pattern=rf"(?<=SG\.)(?P<prefix>)(?P<body>[{_URL_SAFE}]{{22}}\.[{_URL_SAFE}]{{43}})",
                example="SG." "DZmt98HzLnqqbDxL_2v-ep.QmOzUtaBd90aqbSENYQp9AC-dXnxuvWjX_9t3cetPFP"),
    TokenFormat(name="a PuTTY private key", shape="a file starting `PuTTY-User-Key-File-`",
                pattern=r"(?P<prefix>PuTTY-User-Key-File-)[0-9]:", body="any",
                example="PuTTY-User-Key-File-" "3: ssh-ed25519"),
    TokenFormat(name="a private key", shape="`-----BEGIN … PRIVATE KEY-----` (PEM, PKCS #8, OpenSSH, PGP `PRIVATE "
                                            "KEY BLOCK`), then the key (a line of base64, or its headers)",
                pattern=r"(?P<prefix>-----BEGIN)[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:\\[rn]|[\r\n]){1,4}"
                        rf"(?:[{_B64}]{{16}}|Proc-Type:|Version:|Comment:)", body="any", anchored=True,
                example="-----BEGIN" " OPENSSH PRIVATE KEY-----\n"
                        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
                        "BFXL4k41GiLP9qG3L0uKW4yWRzSaTLyvH1D0SZaozaNv4AH17KzcnNjeh1MVLymYZwH6Qq\n"
                        "q5X1wUGAJ7Wx98vjE6boQ/jQaJbO0HvrgYegRDLu4h1Dyo+vIJUjzwTkoqrtleWvTDuRgR\n"
                        "-----END OPENSSH PRIVATE KEY-----"),
    TokenFormat(name="a password in a URL", shape="`scheme://user:password@host` (not a placeholder such as "
                                                  "`password`, `${PASSWORD}` or the user name again)",
                pattern=r"(?P<prefix>://)(?P<body>[^\s/@:'\"`{}$%<>\\]{1,256}:[^\s/@'\"`{}$%<>\\]{1,256})@",
                body="password", anchored=True, example="postgresql:/" "/qml:hunter2@db.lab.example/runs"),
)

RUN_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+/-"
"""What tokens are made of (base64 and base64url, with the separators of prefixes): a token starts a run of them."""
MIN_RUN = 20
"""The shortest run a token of ``FORMATS`` makes (an AWS access key id, a JSON Web Token's first part)."""
LONGEST = 16384
"""No format matches more bytes than this: how much of a file's next block a scan keeps to finish a match."""
BEFORE = 96
"""How far before a token its ``context`` (or look-behind) may reach."""
BINARY_PROBE = 8000
"""A file with a NUL byte in this many first bytes is binary (git's rule), and not searched."""
_PLACEHOLDERS = frozenset({"password", "passwd", "pass", "pwd", "pw", "secret", "token", "changeme", "xxx", "***",
                           "your_password", "yourpassword", "mypassword", "my_password", "redacted", "hidden", "test",
                           "foo", "bar", "example", "dummy", "fake"})
"""Passwords of URLs in documentation and tests: not secrets. (So is a password repeating the user name, the way
local test databases are set up: ``postgres:postgres``.)"""


class Finding(NamedTuple):
    """A token found in a file: where it starts and ends (bytes), its format, and what of it a message shows.

    (A named tuple, not an attrs class: this module is imported by every plan, and making an attrs class costs a
    plan some 0.6 ms.)"""

    start: int
    end: int
    format: TokenFormat
    shown: str


def _random(body: str) -> bool:
    classes = sum(any(test(char) for char in body) for test in (str.isupper, str.islower, str.isdigit))
    return len(set(body)) >= min(8, len(body)) and classes >= 2


def _plausible(token: TokenFormat, body: str | None) -> bool:
    if body is None or token.body == "any":
        return True
    if "EXAMPLE" in body:  # AWS's documentation's keys (AKIAIOSFODNN7EXAMPLE, ...EXAMPLEKEY), and the like
        return False
    if token.body == "random":
        return _random(body)
    if token.body == "varied":
        return len(set(body)) >= min(8, len(body))
    user, _, password = body.partition(":")
    return (password.lower() not in _PLACEHOLDERS and password != user and len(set(password)) > 1
            and not password.lower().startswith("your"))


@functools.cache
def _lead(pattern: str) -> str:
    """What a format's look-behind requires before it (``ya29.``): shown in messages with its prefix."""
    behind = re.match(r"[(][?]<=(.*?)[)][(][?]P<", pattern)
    return re.sub(r"\\(.)", r"\1", behind.group(1)) if behind else ""


class _Compiled(NamedTuple):
    table: bytes
    """``bytes.translate``'s table: 1 for a token character, 0 for any other byte."""
    run: bytes
    """``MIN_RUN`` token characters, translated."""
    runs: re.Pattern[bytes]
    """Every format but the anchored ones, each a named alternative (``f3`` for ``FORMATS[3]``)."""
    anchored: tuple[int, ...]


@functools.cache
def _compiled() -> _Compiled:
    """What a search needs, made when an archive is first written (a replan of an unchanged tree reads no file);
    each format's own pattern is compiled only when the alternatives first find one (``_pattern``)."""
    characters = set(RUN_CHARACTERS.encode())
    alternatives = [f"(?P<f{index}>{re.sub(r'[(][?]P<[a-z]+>', '(?:', token.pattern)})"
                    for index, token in sorted(enumerate(FORMATS), key=lambda item: bool(item[1].context))
                    if not token.anchored]  # a format needing a context last: its shape alone is the loosest
    return _Compiled(table=bytes(byte in characters for byte in range(256)), run=b"\1" * MIN_RUN,
                     runs=re.compile("|".join(alternatives).encode()),
                     anchored=tuple(index for index, token in enumerate(FORMATS) if token.anchored))


@functools.cache
def _pattern(index: int) -> tuple[re.Pattern[bytes], re.Pattern[bytes] | None]:
    """``FORMATS[index]``'s pattern and context, compiled."""
    token = FORMATS[index]
    return re.compile(token.pattern.encode()), re.compile(token.context.encode()) if token.context else None


class Scan:
    """One file's tokens, found as its content is read block by block (``feed``, then ``close``)."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self._kept = b""
        """The end of what was read: ``BEFORE`` bytes already searched, then bytes not searched yet."""
        self._offset = 0
        """Where ``_kept`` starts in the file."""
        self._searched = 0
        """How much of ``_kept`` was searched."""
        self._binary: bool | None = None

    def feed(self, block: bytes) -> None:
        if self._binary is None:
            self._binary = b"\0" in block[:BINARY_PROBE]
        if not self._binary and block:
            self._search(self._kept + block, final=False)

    def close(self) -> None:
        if not self._binary:
            self._search(self._kept, final=True)

    def _search(self, data: bytes, final: bool) -> None:
        compiled = _compiled()
        start = self._searched
        stop = len(data) if final else max(start, len(data) - LONGEST)
        if stop > start:
            mask = data.translate(compiled.table)
            # The first MIN_RUN token characters found from outside a run start one: where the search starts,
            # or, when that is inside a run (which started before, so was tried before), where that run ends.
            position = mask.find(b"\0", start) if start and mask[start - 1] else start
            while position != -1 and (run := mask.find(compiled.run, position, stop + MIN_RUN - 1)) != -1:
                self._try_run(data, run)
                position = mask.find(b"\0", run + MIN_RUN)
            for index in compiled.anchored:
                pattern, context = _pattern(index)
                for match in pattern.finditer(data, start):
                    if match.start() >= stop:
                        break
                    self._found(data, FORMATS[index], match, context)
        keep = max(0, stop - BEFORE)
        self._kept, self._offset, self._searched = data[keep:], self._offset + keep, stop - keep

    def _try_run(self, data: bytes, run: int) -> None:
        compiled = _compiled()
        start = run
        while data[start:start + 1] == b"/":  # https://ghp_...@github.com: a token right after "//"
            start += 1
        if run and data[run - 1:run] == b"\\" and data[run:run + 1] in (b"n", b"t", b"r"):
            start += 1  # "...\nghp_...": a token after an escaped line break, in a JSON or Python string
        found = compiled.runs.match(data, start)
        if found is None or found.lastgroup is None:
            return
        index = int(found.lastgroup[1:])
        pattern, context = _pattern(index)
        token = FORMATS[index]
        match = pattern.match(data, start)
        if match is not None:
            self._found(data, token, match, context)

    def _found(self, data: bytes, token: TokenFormat, match: re.Match[bytes],
               context: re.Pattern[bytes] | None) -> None:
        body = match.group("body") if "body" in match.re.groupindex else None
        if not _plausible(token, None if body is None else body.decode("ascii", "replace")):
            return
        if context is not None and context.search(data, max(0, match.start() - BEFORE), match.start()) is None:
            return
        shown = _lead(token.pattern) + match.group("prefix").decode("ascii", "replace")
        self.findings.append(Finding(self._offset + match.start(), self._offset + match.end(), token, shown))


def scan(data: bytes) -> list[Finding]:
    """The tokens ``data`` holds (a file's whole content, or a module braketkit wrote)."""
    found = Scan()
    found.feed(data)
    found.close()
    return found.findings


@functools.cache
def table_version() -> str:
    """A digest of what the table decides by: part of the archive index's key, so that a tree cached under another
    table is searched again."""
    import hashlib

    parts = [pattern for store in STORES for pattern in store.patterns]
    parts += [f"{token.name}\0{token.pattern}\0{token.body}\0{token.context}\0{token.anchored}" for token in FORMATS]
    return hashlib.sha256("\n".join([RUN_CHARACTERS, str(MIN_RUN), *parts]).encode()).hexdigest()[:16]


def _cell_of(notebook: object, token: str) -> str:
    """Where in a notebook a token is: ``in the output of cell 3 (In [2])``; empty when it is in neither a cell's
    source nor its outputs (the notebook's metadata), or the file is not a notebook."""
    import json

    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    for number, cell in enumerate(cells if isinstance(cells, list) else [], start=1):
        if not isinstance(cell, dict):
            continue
        count = cell.get("execution_count")
        label = f"cell {number}" + (f" (In [{count}])" if isinstance(count, int) else "")
        source = cell.get("source")
        if token in ("".join(source) if isinstance(source, list) else str(source)):
            return f"in the source of {label}"
        if token in json.dumps(cell.get("outputs", []), ensure_ascii=False):
            return f"in the output of {label}"
    return ""


def _counted(lines: list[int]) -> str:
    shown = sorted(set(lines))
    if len(shown) == 1:
        return f"line {shown[0]}"
    head = [str(line) for line in shown[:3]]
    more = f", and {len(shown) - 3} more" if len(shown) > 3 else ""
    return f"lines {', '.join(head[:-1])} and {head[-1]}{more}" if not more else f"lines {', '.join(head)}{more}"


def lines_in(blocks: Iterable[bytes], findings: list[Finding]) -> dict[int, int]:
    """The line each finding starts on, by its start, counted in the file's blocks as they are read again (only a
    file holding a secret is, and never whole in memory)."""
    wanted = sorted({found.start for found in findings})
    lines: dict[int, int] = {}
    seen = newlines = 0
    for block in blocks:
        while len(lines) < len(wanted) and wanted[len(lines)] < seen + len(block):
            start = wanted[len(lines)]
            lines[start] = newlines + block.count(b"\n", 0, start - seen) + 1
        if len(lines) == len(wanted):
            break
        newlines += block.count(b"\n")
        seen += len(block)
    return lines


def cells_in(notebook: bytes, findings: list[Finding]) -> dict[int, str]:
    """Where in a notebook each finding is (``in the output of cell 3 (In [2])``), by its start."""
    import json

    try:
        parsed = json.loads(notebook)
    except ValueError:
        return {}
    return {found.start: _cell_of(parsed, notebook[found.start:found.end].decode("utf-8", "replace"))
            for found in findings}


def described(findings: list[Finding], lines: dict[int, int], cells: dict[int, str] | None = None) -> str:
    """What a file holds where, for a message: ``a GitHub token (ghp_…) on line 4, and a Stripe live key
    (sk_live_…) on line 5`` (in a notebook, with the cell of each)."""
    groups: dict[tuple[str, str], list[int]] = {}
    for found in sorted(findings, key=lambda item: item.start):
        where = (cells or {}).get(found.start, "")
        groups.setdefault((_label(found), where), []).append(lines[found.start])
    return ", and ".join(f"{label} on {_counted(numbers)}" + (f", {where}" if where else "")
                         for (label, where), numbers in groups.items())


def _label(found: Finding) -> str:
    return f"{found.format.name} ({found.shown}…)" if found.shown else found.format.name


def in_module(text: str, module: str, places: dict[str, str | None]) -> list[tuple[str | None, str]]:
    """The secrets a module braketkit wrote (a captured function's) holds, one ``(origin, message)`` per statement:
    the global a value is written for (``OPENAI_API_KEY``), or the function whose source holds it.

    ``places``: where the session bound each global written as a value (``cell [3], line 1``); a definition's
    place is the comment braketkit writes above it (``# train.py:12``).
    """
    import ast

    data = text.encode()
    findings = scan(data)
    if not findings:
        return []
    lines = text.splitlines()
    statements = [(min([node.lineno, *(item.lineno for item in getattr(node, "decorator_list", []))]),
                   node.end_lineno or node.lineno, node) for node in ast.parse(text).body]
    grouped: dict[tuple[str | None, str], list[str]] = {}
    for found in findings:
        line = data.count(b"\n", 0, found.start) + 1
        first, node = next(((first, node) for first, last, node in statements if first <= line <= last),
                           (line, None))
        comment = lines[first - 2] if first >= 2 else ""
        origin = comment[2:] if comment.startswith("# ") and not comment.startswith("# Generated") else None
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            subject = f"the source of {node.name}"
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [target.id for target in targets if isinstance(target, ast.Name)]
            subject = ", ".join(names) or f"line {line} of {module}"
            origin = origin or next((places[name] for name in names if places.get(name)), None)
        else:
            subject = f"line {line} of {module}"
        labels = grouped.setdefault((origin, subject), [])
        if _label(found) not in labels:
            labels.append(_label(found))
    return [(origin, f"{subject} holds {', and '.join(labels)}") for (origin, subject), labels in grouped.items()]
