"""Rules for a setting's own shape that neither its type nor the braket service model states.

Each check answers what is wrong with a value, in words for the user, or None.
The rules come from AWS's documentation (cited at each) and from git's pattern
syntax; limits the service model does state are checked against the request at
plan time.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import warnings
from pathlib import Path, PurePosixPath

from ..errors import shown
from ..s3uri import ALMOST_PATTERN, near_miss, split_s3_uri, uri_problem

__all__ = [
    "BUCKET_PATTERN",
    "GIT_PATTERN",
    "KMS_KEY_PATTERN",
    "LOCAL_PATH_PATTERN",
    "PREFIX_PATTERN",
    "REGION_PATTERN",
    "REQUIREMENT_PATTERN",
    "S3_URI_PATTERN",
    "bucket_problem",
    "dependencies_problem",
    "dependency_entry_problems",
    "kms_key_problem",
    "local_path_problem",
    "pattern_problem",
    "region_problem",
    "s3_uri_problem",
]

# botocore's rule for a region name (botocore.utils.validate_region_name, which every client applies: a host
# label): letters, digits and hyphens, at most 63, neither all digits nor starting or ending with a hyphen. Written
# without a look-behind and with {0,63}, which ECMA-262 reads alike; tests/test_resolve.py holds it to botocore's.
REGION_PATTERN = r"^(?![0-9]+$)(?!-)(?![\s\S]*-$)[a-zA-Z0-9-]{0,63}$"
"""A region name as botocore accepts it (``us-east-1``), as one regular expression."""


@functools.cache
def _braket_regions() -> tuple[str, ...]:
    """The regions botocore's endpoint data lists for Amazon Braket (read only to suggest one, and once: a session
    reads the endpoint data anew, a fifth of a second)."""
    import botocore.session

    return tuple(botocore.session.get_session().get_available_regions("braket"))


def region_problem(region: str) -> str | None:
    """What makes ``region`` no name botocore takes for a region, or None (botocore would refuse it only when
    the job is submitted, after the plan)."""
    if re.fullmatch(REGION_PATTERN, region):
        return None
    hint = ""
    close = difflib.get_close_matches(re.sub(r"[\s_]+", "-", region.strip().lower()), _braket_regions(), n=1)
    if close:
        hint = f"; did you mean {close[0]!r}?"
    return (f"{shown(region)} is not a region name: AWS names a region with letters, digits and hyphens "
            f"(at most 63, not all digits, no hyphen at either end), such as us-east-1{hint}")

# S3's rules for general purpose bucket names:
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
_IP_ADDRESS = r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+"
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = {
    "-s3alias": "access point aliases",
    "--ol-s3": "Object Lambda access point aliases",
    ".mrap": "Multi-Region Access Points",
    "--x-s3": "directory buckets",
    "--table-s3": "table buckets",
}
_ALIAS_SUFFIXES = ("-s3alias", "--ol-s3")
"""An access point alias stands wherever a bucket name does when reading data, so an input URI may use one."""


def _bucket_regex(alias_ok: bool, end: str) -> str:
    """The bucket rules as one regular expression, up to ``end`` (the text's end, or the end of a URI's bucket)."""
    suffixes = [suffix for suffix in _RESERVED_SUFFIXES if not (alias_ok and suffix in _ALIAS_SUFFIXES)]
    # no escaping needed but for dots; re.escape's \\- is no ECMA-262
    return ("(?!" + "|".join(_RESERVED_PREFIXES) + ")"
            "(?![^/]*(?:" + "|".join(suffix.replace(".", "\\.") for suffix in suffixes) + ")" + end + ")"
            f"(?![^/]*\\.\\.)(?!{_IP_ADDRESS}{end})[a-z0-9][a-z0-9.-]{{1,61}}[a-z0-9]{end}")


BUCKET_PATTERN = "^" + _bucket_regex(alias_ok=False, end="$")
"""The same rules as one regular expression, for the JSON Schema (``bucket_problem`` says which rule is broken)."""
S3_URI_PATTERN = r"^(?![^?]*\?)(?![\s\S]*\s$)s3://" + _bucket_regex(alias_ok=True, end="(?:/|$)")
"""An ``s3://`` input URI that ``s3_uri_problem`` accepts (its bucket valid, no ``?query``, no space at its end), as
one regular expression."""
LOCAL_PATH_PATTERN = rf"^(?![\s\S]*://)(?!{ALMOST_PATTERN[1:]})"
"""A ``checkpoint.local_path`` that ``local_path_problem`` accepts: a path, no URI, as one regular expression."""


def _bucket_rules_broken(name: str, alias_ok: bool) -> list[str]:
    broken = []
    if not 3 <= len(name) <= 63:
        broken.append(f"must be 3 to 63 characters long (is {len(name)})")
    others = sorted(set(re.sub(r"[a-z0-9.-]", "", name)))
    if others:
        shown = ", ".join(repr(char) for char in others)
        broken.append(f"may hold only lowercase letters, digits, dots and hyphens (not {shown})")
    if name and not (name[0].isalnum() and name[-1].isalnum()):
        broken.append("must begin and end with a letter or digit")
    if ".." in name:
        broken.append("must not hold two dots in a row")
    if re.fullmatch(_IP_ADDRESS, name):
        broken.append("must not be formatted as an IP address")
    broken += [f"must not begin with {prefix!r} (reserved by S3)" for prefix in _RESERVED_PREFIXES
               if name.startswith(prefix)]
    broken += [f"must not end with {suffix!r} (reserved for {what})" for suffix, what in _RESERVED_SUFFIXES.items()
               if name.endswith(suffix) and not (alias_ok and suffix in _ALIAS_SUFFIXES)]
    return broken


def _bucket_suggestion(name: str, alias_ok: bool) -> str:
    """A valid spelling close to ``name`` (lower case, ``-`` for ``_`` and spaces), if there is one."""
    guess = re.sub(r"\.{2,}", ".", re.sub(r"[_\s]+", "-", name.strip().lower())).strip(".-")
    if guess != name and not _bucket_rules_broken(guess, alias_ok):
        return f"; did you mean {guess!r}?"
    return ""


def bucket_problem(name: str, *, alias_ok: bool = False) -> str | None:
    """What makes ``name`` no S3 bucket name, or None; ``alias_ok`` also accepts an access point alias."""
    broken = _bucket_rules_broken(name, alias_ok)
    if not broken:
        return None
    if near_miss(name) or "://" in name:
        return f"{shown(name)} is a URI; give the bucket's name alone, and the folder as s3.prefix"
    if "/" in name:
        return (f"{shown(name)} holds '/', which no bucket name does; give the bucket's name alone, the folder as "
                "s3.prefix")
    return (f"{shown(name)} is not a valid S3 bucket name: it " + "; it ".join(broken)
            + _bucket_suggestion(name, alias_ok))


def s3_uri_problem(uri: str) -> str | None:
    """What is wrong with an ``s3://bucket/key`` input URI (a near miss such as ``S3://``, or its bucket), or None."""
    problem = uri_problem(uri)
    if problem is not None:
        return problem
    bucket, _ = split_s3_uri(uri)
    broken = _bucket_rules_broken(bucket, alias_ok=True)
    if not broken:
        return None
    return (f"{shown(uri)} names the bucket {shown(bucket)}, which is not a valid S3 bucket name: it "
            + "; it ".join(broken)
            + _bucket_suggestion(bucket, alias_ok=True))


# The forms a KMS key may take where an API asks for a KeyId:
# https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id
# (key ID, key ARN, alias name, alias ARN; a multi-Region key's ID starts with mrk-), and alias names:
# https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html (alias/ and [a-zA-Z0-9/_-], at most 256).
_KEY_ID = r"(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})"
_ALIAS = r"alias/(?=[a-zA-Z0-9/_-]{1,250}$)[a-zA-Z0-9_-]+(?:/[a-zA-Z0-9_-]+)*"
KMS_KEY_PATTERN = rf"^(?:{_KEY_ID}|{_ALIAS}|arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{{12}}:(?:key/{_KEY_ID}|{_ALIAS}))$"
"""Every form of KMS key reference, as a regular expression both Python and JSON Schema read alike."""
KMS_FORMS = ("a key ID (1234abcd-12ab-34cd-56ef-1234567890ab, or mrk-... for a multi-Region key), a key ARN "
             "(arn:aws:kms:REGION:ACCOUNT:key/ID), an alias name (alias/NAME) or an alias ARN "
             "(arn:aws:kms:REGION:ACCOUNT:alias/NAME)")


def local_path_problem(path: str) -> str | None:
    """What makes ``checkpoint.local_path`` no folder inside the job, or None: an S3 URI there would be taken
    for a folder named ``s3:`` in the container, and the checkpoints would never reach the bucket meant."""
    if re.match(LOCAL_PATH_PATTERN, path):
        return None
    return (f"{shown(path)} is a URI; checkpoint.local_path is the folder inside the job that holds its checkpoints "
            "(such as /opt/jobs/checkpoints), which the service copies to S3 under s3.bucket and s3.prefix")


def prefix_problem(prefix: str) -> str | None:
    """What makes ``s3.prefix`` no folder of keys braketkit can write under, or None.

    S3 accepts almost any key, but ``s3://`` in a prefix, ``.`` and ``..`` parts, empty parts and
    control characters all make keys that are not the folder the user meant.
    """
    if "://" in prefix:
        return f"{prefix!r} is a URI; give the bucket as s3.bucket and the folder alone as s3.prefix"
    parts = prefix.strip("/").split("/")
    if prefix.strip("/") and any(part in ("", ".", "..") or part != part.strip() for part in parts):
        return f"{prefix!r} has an empty, '.', '..' or space-padded part; give a plain folder such as 'jobs/vqe'"
    if any(ord(character) < 32 or ord(character) == 127 for character in prefix):
        return f"{prefix!r} holds a control character; give a plain folder such as 'jobs/vqe'"
    return None


_PART = r"(?!\.\.?(?:/|$))[^/\s](?:[^/]*[^/\s])?"
PREFIX_PATTERN = rf"^(?![\s\S]*://)(?![\s\S]*[\x00-\x1f\x7f])/*(?:{_PART}(?:/{_PART})*)?/*$"
"""What ``prefix_problem`` accepts, as one regular expression (the length is the plan's to judge: it depends on the
bucket and the job's name)."""


def kms_key_problem(value: str) -> str | None:
    """What makes ``value`` no reference to a KMS key, or None."""
    if re.fullmatch(KMS_KEY_PATTERN, value):
        return None
    return f"{value!r} is not a KMS key; expected {KMS_FORMS}"


# git's pattern syntax (git help gitignore): a backslash escapes the next character; a
# bracket expression runs to its closing ']' (one right after '[' or '[!' belongs to the set).
_ESCAPABLE = set("*?[]!#\\ ")
_NEGATION = "(?:!|(?!!))"  # a pattern's leading '!', taken whenever it is there
GIT_PATTERN = (r"^(?=[\s\S]*\S)(?!\s*#)"
               rf"(?!{_NEGATION}(?:[\s\S]*/)?\.\.?(?:/| *$))"  # a '.' or '..' part
               rf"(?!{_NEGATION}/*[^/]+(?:/[^/]+)*//+(?!/)(?! *$))"  # an empty part, between two others
               r"!?(?:\\[*?\[\]!# \\]|\[[\s\S][^\]]*\]|[^\\\[])*$")
"""What ``pattern_problem`` accepts, as one regular expression, but for the contents of a ``[...]`` set, which
only Python's own ``re`` can judge (``[9-0]``)."""


def _quoted(pattern: str) -> str:
    """A pattern as written (repr would double its backslashes)."""
    return f"'{pattern}'"


def pattern_problem(pattern: str) -> str | None:
    """What keeps a gitignore-style pattern from ever matching, or None.

    Also refuses what the packager's pattern compiler (braketkit.package.gitignore)
    would turn into an invalid regular expression; tests/test_resolve.py checks the two agree.
    """
    text = pattern.strip()
    if not text:
        return "an empty pattern matches nothing"
    if text.startswith("#"):
        return f"{_quoted(pattern)} starts with '#', which makes it a comment; write '\\#' for a name starting with '#'"
    body = pattern[1:] if pattern.startswith("!") else pattern
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            if index + 1 == len(body):
                return f"{_quoted(pattern)} ends in a backslash, which escapes nothing, so it never matches"
            if body[index + 1] not in _ESCAPABLE:
                fixed = re.sub(r"\\(?![*?\[\]!# \\])", "/", pattern)
                return (f"{_quoted(pattern)} holds a backslash, which escapes the next character in a pattern; "
                        f"folders are separated by '/': did you mean {_quoted(fixed)}?")
            index += 2
        elif char == "[":
            end = body.find("]", index + 2)
            if end == -1:
                return (f"{_quoted(pattern)} has a '[' that is never closed, so it never matches; "
                        "write '\\[' for the character itself")
            inner = body[index + 1:end]
            inner = "^" + inner[1:] if inner.startswith("!") else inner
            try:
                with warnings.catch_warnings():  # a "possible nested set" is a warning about the future, not an error
                    warnings.simplefilter("ignore", FutureWarning)
                    re.compile("[" + inner.replace("\\", "\\\\") + "]")
            except re.error as error:
                return f"{_quoted(pattern)} has an invalid set {_quoted(body[index:end + 1])}: {error.msg}"
            index = end + 1
        else:
            index += 1
    return _parts_problem(pattern, body)


def _parts_problem(pattern: str, body: str) -> str | None:
    """What keeps a pattern's folders from matching a path: the paths patterns are matched against are relative to
    the source folder and normalised, so none has a ``..``, a ``.`` or an empty part (git's rule alike)."""
    if not pattern.endswith("\\ "):
        body = body.rstrip(" ")  # git drops unescaped trailing spaces
    parts = body.strip("/").split("/")
    if parts == [""]:
        return None
    if ".." in parts:
        return (f"{_quoted(pattern)} has a '..' part, which is no path inside the source folder, whose files patterns "
                "match, so it never matches; ship a file from outside by copying it in, or give it as input")
    if "." not in parts and "" not in parts:
        return None
    kept = [part for part in parts if part not in ("", ".")]
    lead = "/" if body.startswith("/") or (parts[0] == "." and len(kept) == 1) else ""
    fixed = ("!" if pattern.startswith("!") else "") + lead + "/".join(kept) + ("/" if body.endswith("/") else "")
    hint = f"; did you mean {_quoted(fixed)}?" if kept else ""
    what = "a '.' part" if "." in parts else "an empty part ('//')"
    return (f"{_quoted(pattern)} has {what}, which no path a pattern is matched against has, so it never "
            f"matches{hint}")


def dependencies_problem(location: str, project: Path | None, source: str | None) -> str | None:
    """A requirements file outside the project (the folder of pyproject.toml), or None.

    The file is read relative to the source folder. Without a pyproject.toml only the
    path itself can be judged: it must not be absolute or climb out with ``..``.
    """
    relative = PurePosixPath(os.path.normpath(PurePosixPath(source or ".") / location.replace("\\", "/")))
    if project is None:
        if relative.is_absolute() or relative.parts[:1] == ("..",):
            return (f"{location!r} is outside the project; the requirements file must be inside it "
                    "(or list the requirements themselves)")
        return None
    root = project.resolve()
    path = (project / (source or ".") / location).resolve()
    if path != root and not path.is_relative_to(root):
        return (f"{location!r} is outside the project ({root}); the requirements file must be inside it "
                "(or list the requirements themselves)")
    return None


# pip reads a requirements file by str.splitlines, which breaks lines at these as well as at \n.
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
_SEPARATORS = re.compile(r"[\s,]+")
REQUIREMENT_PATTERN = (r"^(?![\s\S]*[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff])"
                       r"\s*[A-Za-z0-9]")
"""A ``dependencies`` entry as far as one regular expression can say: no control or invisible character, and a
package's name first (no pip option, no path); the rest of PEP 508's grammar is ``packaging``'s to judge."""
ONE_REQUIREMENT = ("an entry is one requirement on one line, as PEP 508 writes it (such as 'numpy>=1.26'); pip's "
                   "options (--index-url, --extra-index-url, --find-links, --trusted-host) go in a requirements "
                   "file named by dependencies, whose plan shows them")


def _entry_problem(entry: str) -> str | None:
    """What keeps ``entry`` from being one requirement on one line of the requirements.txt it is written to, or
    None: a line break would start a line of its own (a pip option: another index), a control or invisible
    character is no part of any requirement, and what ``packaging`` cannot read is no requirement pip reads alike."""
    import unicodedata  # only for a list of requirements, as packaging is

    from packaging.requirements import InvalidRequirement, Requirement

    if any(char in _LINE_BREAKS for char in entry):
        return f"holds a line break; {ONE_REQUIREMENT}"
    odd = next((char for char in entry if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")), None)
    if odd is not None:
        return f"holds a control character ({odd!r}); {ONE_REQUIREMENT}"
    if entry.lstrip().startswith("-"):
        return f"is a pip option, not a requirement; {ONE_REQUIREMENT}"
    try:
        Requirement(entry)
        return None
    except InvalidRequirement as error:
        reason = str(error).splitlines()[0] if str(error) else "unreadable"
    parts = [part for part in _SEPARATORS.split(entry) if part]
    if len(parts) > 1 and all(_readable(part) for part in parts):
        return f"holds several requirements ({', '.join(repr(part) for part in parts)}); give each its own entry"
    return f"is not a requirement: {reason}; {ONE_REQUIREMENT}"


def _readable(text: str) -> bool:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        Requirement(text)
    except InvalidRequirement:
        return False
    return True


def dependency_entry_problems(entries: list[str]) -> list[str]:
    """What is wrong with each entry of a ``dependencies`` list, naming it by its place and its text.

    Each entry becomes one line of the job's requirements.txt, which the container hands to ``pip install -r``:
    only a requirement as PEP 508 writes it (read by ``packaging``, the parser pip itself uses) keeps it one.
    """
    problems = []
    for number, entry in enumerate(entries, 1):
        problem = _entry_problem(entry)
        if problem is not None:
            problems.append(f"entry {number}, {shown(entry)}, {problem}")
    return problems
