"""``s3://bucket/key`` taken apart, in one place, with one message for what is no such URI.

``split_s3_uri`` reads the URIs braketkit makes and the service returns; ``uri_problem`` judges one a user
wrote, near misses included (``S3://``, ``s3:/``, spaces around it, a ``?query``), and ``near_miss`` tells
such text from a local path.
"""

from __future__ import annotations

import re

__all__ = ["ALMOST_PATTERN", "SCHEME", "near_miss", "split_s3_uri", "uri_problem"]

SCHEME = "s3://"
_ALMOST = re.compile(r"\s*[sS]3:/+")
"""The start of text meant as an S3 URI: the scheme in any case, one slash or more, spaces before it."""
ALMOST_PATTERN = r"^\s*[sS]3:/"
"""What ``near_miss`` looks for, as a regular expression both Python and JSON Schema read alike."""


def split_s3_uri(uri: str) -> tuple[str, str]:
    """The bucket and the key (``""`` for none) of ``s3://bucket/key``.

    Raises ValueError, its message naming the URI and the form expected, for text that is not
    ``s3://`` followed by a bucket name.
    """
    if not uri.startswith(SCHEME):
        raise ValueError(f"{uri!r} is not an S3 URI; expected s3://bucket/key")
    bucket, _, key = uri[len(SCHEME):].partition("/")
    if not bucket:
        raise ValueError(f"{uri!r} names no bucket; expected s3://bucket/key")
    return bucket, key


def near_miss(text: str) -> bool:
    """Whether ``text`` is meant as an S3 URI (``s3://`` as is, or ``S3://``, ``s3:/``, `` s3://``), not a path."""
    return _ALMOST.match(text) is not None


def uri_problem(text: str) -> str | None:
    """What keeps ``text``, written as an S3 URI, from being ``s3://bucket/key`` as meant, or None.

    S3 would take a space or ``?versionId=1`` as part of the key, and a path library would take ``S3://b/k``
    for a folder named ``S3:``; each is refused with the URI it most likely means.
    """
    from .errors import shown

    found = _ALMOST.match(text)
    if found is None:
        return f"{shown(text)} is not an S3 URI; expected s3://bucket/key"
    fixed = SCHEME + text[found.end():].strip()
    fixed = fixed.partition("?")[0]
    if text != text.strip():
        wrong = "has a space at its start or end"
    elif not text.startswith(SCHEME):
        wrong = f"starts with {text[:found.end()]!r}; an S3 URI starts with s3:// (lower case, two slashes)"
    elif "?" in text:
        wrong = "holds '?': an S3 URI has no query (such as ?versionId=), and S3 would read it as part of the key"
    else:
        try:
            split_s3_uri(text)
        except ValueError as error:
            return str(error)
        return None
    return f"{shown(text)} {wrong}; did you mean {shown(fixed)}?"
