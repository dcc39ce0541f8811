"""``s3://bucket/key`` taken apart, in one place, with one message for what is no such URI."""

from __future__ import annotations

__all__ = ["SCHEME", "split_s3_uri"]

SCHEME = "s3://"


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
